/**
 * Checkpoints on disk for src/model (Node only; the CLI and the extension host): a ByteSource over
 * fs reads by range, a folder over readdir, config.json and tokenizer.json beside the weights.
 */
import { promises as fs } from 'fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'path';
import { cachedModels, hubCacheDir } from './huggingFaceCache';
import { ByteSource, CheckpointError, DEFAULT_LIMITS, ggufSummary, ggufTokenizer, ModelSummary, OpenedCheckpoint, openCheckpointSource, openFolder, ReadLimits, summarizeConfig, TokenizerOptions } from './model';

/** A path that is not there or cannot be read (the CLI: exit 2). */
export class CheckpointPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointPathError';
  }
}

/** Open files, closed together when the caller is done. */
export class OpenFiles {
  private readonly handles: fs.FileHandle[] = [];

  async source(path: string): Promise<ByteSource> {
    const handle = await fs.open(path, 'r');
    this.handles.push(handle);
    const { size } = await handle.stat();
    return {
      size,
      name: basename(path),
      // ONNX external data: files in this file's folder (the reader refuses `..` and absolute paths; checked again here).
      sibling: (relativePath) => {
        const folder = dirname(resolve(path));
        const target = resolve(folder, relativePath);
        const inside = relative(folder, target);
        if (!inside || inside.startsWith('..') || isAbsolute(inside)) return Promise.reject(new CheckpointError(`${relativePath} is outside ${folder}`));
        return this.source(target);
      },
      async read(offset, length) {
        const bytes = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(bytes, done, length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return done === length ? bytes : bytes.subarray(0, done);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.handles.splice(0).map((h) => h.close()));
  }
}

export interface CheckpointOnDisk {
  checkpoint: OpenedCheckpoint;
  /** Weight files, relative to the folder they are in. */
  files: string[];
  /** From config.json beside the weights (a GGUF file: its metadata); undefined without one. */
  model?: ModelSummary;
  /** config.json and tokenizer.json beside the weights, parsed (undefined when absent); a GGUF file's own tokenizer before tokenizer.json. */
  configJson?: unknown;
  tokenizerJson?: unknown;
  /** For modelTokenizer: where tokenizerJson came from, or why there is none (a GGUF model's tokenizer that is not read). */
  tokenizerOptions: TokenizerOptions;
  /** The folder the weights are in. */
  folder: string;
}

/** Opens a weights file or a model folder; a missing path is a usage error, a bad file a CheckpointError. */
export async function openCheckpointPath(path: string, files: OpenFiles, limits: ReadLimits = DEFAULT_LIMITS): Promise<CheckpointOnDisk> {
  let isFolder: boolean;
  try {
    isFolder = (await fs.stat(path)).isDirectory();
  } catch (e) {
    const cached = (e as NodeJS.ErrnoException).code === 'ENOENT' ? cachedModelPath(path) : undefined;
    if (cached) return openCheckpointPath(cached, files, limits);
    throw new CheckpointPathError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}${REPO_ID.test(path) ? ` (and the Hugging Face cache at ${hubCacheDir()} holds no downloaded model ${path})` : ''}`);
  }
  const folder = isFolder ? path : dirname(path);
  let opened: { checkpoint: OpenedCheckpoint; files: string[] };
  if (isFolder) {
    opened = await openFolder({ name: basename(path), list: () => fs.readdir(path), open: (name) => files.source(join(path, name)) }, limits);
  } else {
    opened = { checkpoint: await openCheckpointSource(await files.source(path), limits), files: [basename(path)] };
  }
  const config = await fs.readFile(join(folder, 'config.json'), 'utf8').catch(() => undefined);
  const tokenizer = await fs.readFile(join(folder, 'tokenizer.json'), 'utf8').catch(() => undefined);
  const besideJson = tokenizer === undefined ? undefined : parsedJson(tokenizer, join(folder, 'tokenizer.json'));
  const fromConfig = config === undefined ? undefined : { ...summarizeConfig(config), source: 'config.json' as const };
  // A GGUF file says its own architecture and carries its tokenizer; GPT-2's BPE would be a wrong guess.
  const gguf = opened.checkpoint.format === 'gguf' ? ggufTokenizer(opened.checkpoint.ggufMetadata ?? new Map(), opened.files[0]) : undefined;
  return {
    ...opened,
    folder,
    model: (gguf && ggufSummary(opened.checkpoint)) ?? fromConfig,
    configJson: config === undefined ? undefined : parsedJson(config, join(folder, 'config.json')),
    tokenizerJson: gguf?.json ?? besideJson,
    tokenizerOptions: gguf?.json !== undefined ? { fromGguf: true } : gguf?.sentencePiece ? { sentencePiece: gguf.sentencePiece } : gguf && besideJson === undefined ? { refusal: gguf.refusal } : {},
  };
}

function parsedJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${path} is not JSON: ${(e as Error).message}`);
  }
}

/** `gpt2`, `org/name`: how a model is named on the hub (and how users type it). */
const REPO_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

/** A hub id that is not a path here: its snapshot in the cache, `main` first. */
function cachedModelPath(id: string): string | undefined {
  if (!REPO_ID.test(id)) return undefined;
  const snapshots = cachedModels().filter((m) => m.name === id);
  return (snapshots.find((m) => m.revision === 'main') ?? snapshots[0])?.path;
}
