/**
 * The forward pass off the extension host's main thread (a worker_threads worker, bundled as
 * dist/model-worker.js): opens the checkpoint where it is (over Remote-SSH/WSL only Q/K/V and the
 * dense attention cross to the webview), tokenizes, runs the model to the layer and sends back
 * that layer's Q/K/V and the model's own attention. Cancel = terminate the worker.
 */
import { readFileSync } from 'fs';
import { parentPort, workerData } from 'worker_threads';
import { OpenFiles, openCheckpointPath } from '../checkpointFiles';
import { decodeNpy, npyToFloat32 } from '../core';
import { denseAttention, forwardInputs, LayerQkv, loadModel, ModelError, modelTokenizer, projectQkv, sparseKernelInput, UnknownArchitectureError, WeightProvider } from '../model';
import { checkDenseAttentionSize } from '../model/layerReport';
import type { TensorShape } from '../model/projectionCandidates';

export interface ModelRequest {
  path: string;
  layer: number;
  text: string;
  /** Heads, when no config.json says them. */
  heads?: number;
  /** An architecture the forward pass does not know: the projections the user named, applied to their layer input. */
  projection?: NamedProjection;
}

/** As the CLI's --q/--k/--v or --qkv, --heads and --input x.npy [n, d] (the layer's input after its norm). */
export interface NamedProjection {
  inputPath: string;
  qkv?: string;
  q?: string;
  k?: string;
  v?: string;
  heads: number;
  causal: boolean;
}

/** The architecture was not recognised: what the user can name its projections from. */
export interface UnknownModel {
  unknownArchitecture: string;
  /** The checkpoint's 2-D tensors. */
  tensors: TensorShape[];
  /** The text's token count: the rows the layer input needs. */
  tokens: number;
}

export interface ModelLayer {
  /** The architecture or model type, for the legend. */
  name: string;
  format: string;
  /** Unknown when the architecture is (the user's projections) and nothing says it. */
  layers?: number;
  layer: number;
  tokens: number[];
  labels: string[];
  tokenizer: string;
  heads: number;
  kvHeads: number;
  headDim: number;
  causal: boolean;
  /** [heads, n, headDim], Q scaled so that the kernels' 1/sqrt(d) gives the model's own scale. */
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  /** The model's own attention [heads, n, n]. */
  dense: Float32Array;
  bytesRead: number;
}

export type ModelWorkerMessage =
  | { type: 'progress'; done: number; total: number; what: string }
  | { type: 'done'; result: ModelLayer }
  | { type: 'unknown'; result: UnknownModel }
  | { type: 'failed'; message: string };

/** Opens the model, checks the request (layer, token budget) and runs it; an unknown architecture without named projections comes back as UnknownModel. */
export async function runModelLayer(request: ModelRequest, onProgress: (done: number, total: number, what: string) => void): Promise<ModelLayer | UnknownModel> {
  const files = new OpenFiles();
  try {
    const opened = await openCheckpointPath(request.path, files);
    // GGUF files carry their own config and names; forwardInputs maps them to Hugging Face's.
    const { config, weights } = forwardInputs(opened.checkpoint, opened.configJson, opened.files[0]);
    const tokenizer = modelTokenizer(opened.tokenizerJson, opened.tokenizerOptions);
    const tokens = tokenizer.encode(request.text);
    let qkv: LayerQkv;
    let name: string;
    let layers: number | undefined = opened.model?.layers;
    if (request.projection) {
      qkv = await projectedLayer(weights, request.projection, tokens.length, request.layer);
      name = opened.model?.architecture ?? opened.model?.modelType ?? 'unknown architecture';
    } else {
      let model;
      try {
        model = await loadModel(config, weights, request.heads ? { heads: request.heads } : {});
      } catch (e) {
        if (!(e instanceof UnknownArchitectureError)) throw e;
        const tensors = opened.checkpoint.tensors.filter((t) => t.shape.length === 2).map((t) => ({ name: t.name, shape: [...t.shape] }));
        return { unknownArchitecture: e.message, tensors, tokens: tokens.length };
      }
      checkDenseAttentionSize(tokens.length, model.info.heads);
      qkv = await model.qkvAt(tokens, request.layer, { onProgress: (p) => onProgress(p.done, p.total, p.what) });
      name = opened.model?.architecture ?? opened.model?.modelType ?? model.architecture;
      layers = model.info.layers;
    }
    const scaled = sparseKernelInput(qkv);
    return {
      name,
      format: opened.checkpoint.format,
      layers,
      layer: request.layer,
      tokens,
      labels: tokenizer.labels(tokens),
      tokenizer: tokenizer.source,
      heads: qkv.heads,
      kvHeads: qkv.kvHeads,
      headDim: qkv.headDim,
      causal: qkv.causal,
      q: scaled.q,
      k: scaled.k,
      v: scaled.v,
      dense: denseAttention(qkv).probs,
      bytesRead: opened.checkpoint.bytesRead(),
    };
  } finally {
    await files.close();
  }
}

/** The user's projections applied to their layer input [n, d], n the text's token count (as the CLI's --input). */
async function projectedLayer(weights: WeightProvider, projection: NamedProjection, n: number, layer: number): Promise<LayerQkv> {
  const { inputPath, heads, causal } = projection;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(inputPath);
  } catch (e) {
    throw new ModelError(`cannot read ${inputPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const npy = decodeNpy(bytes, inputPath);
  if (npy.type.kind !== 'f') throw new ModelError(`${inputPath} has dtype ${npy.dtype}; the layer input must be floats`);
  if (npy.shape.length !== 2 || npy.shape[0] !== n) {
    throw new ModelError(`${inputPath} has shape [${npy.shape.join(', ')}]; expected [${n}, d], one row per token of the text (${n} tokens): give the text whose layer input it is`);
  }
  checkDenseAttentionSize(n, heads);
  const choice = projection.qkv !== undefined ? { qkv: projection.qkv } : { q: projection.q, k: projection.k, v: projection.v };
  return projectQkv(weights, { ...choice, heads, causal, layer }, npyToFloat32(npy), n);
}

if (parentPort && workerData?.modelRequest) {
  const port = parentPort;
  runModelLayer(workerData.modelRequest as ModelRequest, (done, total, what) => port.postMessage({ type: 'progress', done, total, what } satisfies ModelWorkerMessage)).then(
    (result) =>
      'unknownArchitecture' in result
        ? port.postMessage({ type: 'unknown', result } satisfies ModelWorkerMessage)
        : port.postMessage({ type: 'done', result } satisfies ModelWorkerMessage, [result.q.buffer, result.k.buffer, result.v.buffer, result.dense.buffer] as ArrayBuffer[]),
    (e: Error) => port.postMessage({ type: 'failed', message: e.message } satisfies ModelWorkerMessage),
  );
}
