/**
 * A model folder (Hugging Face layout): sharded weights through `*.index.json`
 * (`model.safetensors.index.json`, `pytorch_model.bin.index.json`), else its one weight file
 * (model.safetensors, pytorch_model.bin, …, or the only .safetensors/.gguf/.bin/… file there).
 * File access is injected (FolderAccess) so that this module stays free of Node.
 */
import { openCheckpointSource } from './registry';
import { readRowRangeOf } from './rows';
import { ByteSource, CheckpointError, OpenedCheckpoint, ReadLimits, TensorInfo } from './types';

export interface FolderAccess {
  readonly name: string;
  /** File names directly inside the folder. */
  list(): Promise<string[]>;
  open(fileName: string): Promise<ByteSource>;
}

/** Weight files by preference, as transformers' from_pretrained looks for them. */
const PREFERRED = ['model.safetensors', 'pytorch_model.bin', 'model.pt', 'model.pth', 'model.onnx'];
const WEIGHTS = /\.(safetensors|gguf|bin|pt|pth|ckpt|npz|npy|pkl|onnx)$/i;
const INDEXES = ['model.safetensors.index.json', 'pytorch_model.bin.index.json'];

export interface OpenedFolder {
  checkpoint: OpenedCheckpoint;
  /** The files the weights come from, in the folder. */
  files: string[];
}

export async function openFolder(folder: FolderAccess, limits: ReadLimits): Promise<OpenedFolder> {
  const names = await folder.list();
  const index = INDEXES.find((n) => names.includes(n));
  if (index) return openSharded(folder, index, limits);
  const weights = PREFERRED.find((n) => names.includes(n)) ?? onlyOne(names.filter((n) => WEIGHTS.test(n)).sort(), folder.name);
  return { checkpoint: await openCheckpointSource(await folder.open(weights), limits), files: [weights] };
}

function onlyOne(candidates: string[], folder: string): string {
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) throw new CheckpointError(`${folder} holds no weight file (.safetensors, .gguf, .bin, .pt, .pth, .npz, .pkl, .onnx) and no model.safetensors.index.json`);
  throw new CheckpointError(`${folder} holds several weight files (${candidates.slice(0, 5).join(', ')}${candidates.length > 5 ? ', …' : ''}); point at one of them`);
}

async function openSharded(folder: FolderAccess, indexName: string, limits: ReadLimits): Promise<OpenedFolder> {
  const indexSource = await folder.open(indexName);
  if (indexSource.size > limits.maxHeaderBytes) throw new CheckpointError(`${indexName} has ${indexSource.size} bytes, past the limit of ${limits.maxHeaderBytes}`);
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder().decode(await indexSource.read(0, indexSource.size)));
  } catch (e) {
    throw new CheckpointError(`${folder.name}/${indexName} is not JSON (${(e as Error).message})`);
  }
  const weightMap = (index as { weight_map?: unknown })?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Object.values(weightMap).some((v) => typeof v !== 'string')) {
    throw new CheckpointError(`${folder.name}/${indexName} has no weight_map of tensor name to shard file`);
  }
  const map = weightMap as Record<string, string>;
  const shardNames = [...new Set(Object.values(map))];
  for (const shard of shardNames) {
    if (shard.includes('/') || shard.includes('\\') || shard === '..') throw new CheckpointError(`${indexName} names shard ${JSON.stringify(shard)} outside the folder`);
  }
  const shards = new Map<string, OpenedCheckpoint>();
  for (const shard of shardNames) shards.set(shard, await openCheckpointSource(await folder.open(shard), limits));
  const formats = new Set([...shards.values()].map((s) => s.format));
  if (formats.size > 1) throw new CheckpointError(`${indexName} mixes shard formats (${[...formats].join(', ')})`);
  const tensors: TensorInfo[] = [];
  const owner = new Map<string, OpenedCheckpoint>();
  for (const [name, shard] of Object.entries(map)) {
    const info = shards.get(shard)!.tensors.find((t) => t.name === name);
    if (!info) throw new CheckpointError(`${indexName} places ${name} in ${shard}, which has no such tensor`);
    tensors.push(info);
    owner.set(name, shards.get(shard)!);
  }
  const get = (name: string) => {
    const shard = owner.get(name);
    if (!shard) throw new CheckpointError(`${folder.name} has no tensor named ${JSON.stringify(name)}`);
    return shard;
  };
  const first = shards.values().next().value as OpenedCheckpoint;
  const checkpoint: OpenedCheckpoint = {
    format: first.format,
    tensors,
    metadata: first.metadata,
    read: (name) => get(name).read(name),
    readRaw: (name) => get(name).readRaw(name),
    readRowRange: (name, start, count) => readRowRangeOf(get(name), name, start, count),
    bytesRead: () => indexSource.size + [...shards.values()].reduce((sum, s) => sum + s.bytesRead(), 0),
  };
  return { checkpoint, files: [indexName, ...shardNames] };
}
