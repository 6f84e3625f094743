/**
 * The forward pass off the extension host's main thread (a worker_threads worker, bundled as
 * dist/model-worker.js): opens the checkpoint where it is (over Remote-SSH/WSL only Q/K/V and the
 * dense attention cross to the webview), tokenizes, runs the model to the layer and sends back
 * that layer's Q/K/V and the model's own attention. Cancel = terminate the worker.
 */
import { parentPort, workerData } from 'worker_threads';
import { OpenFiles, openCheckpointPath } from '../checkpointFiles';
import { denseAttention, forwardInputs, loadModel, modelTokenizer, sparseKernelInput } from '../model';
import { checkDenseAttentionSize } from '../model/layerReport';

export interface ModelRequest {
  path: string;
  layer: number;
  text: string;
  /** Heads, when no config.json says them. */
  heads?: number;
}

export interface ModelLayer {
  /** The architecture or model type, for the legend. */
  name: string;
  format: string;
  layers: number;
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
  | { type: 'failed'; message: string };

/** Opens the model, checks the request (layer, token budget) and runs it. */
export async function runModelLayer(request: ModelRequest, onProgress: (done: number, total: number, what: string) => void): Promise<ModelLayer> {
  const files = new OpenFiles();
  try {
    const opened = await openCheckpointPath(request.path, files);
    const { config, weights } = forwardInputs(opened.checkpoint, opened.configJson, opened.files[0]);
    const model = await loadModel(config, weights, request.heads ? { heads: request.heads } : {});
    const tokenizer = modelTokenizer(opened.tokenizerJson, opened.tokenizerOptions);
    const tokens = tokenizer.encode(request.text);
    checkDenseAttentionSize(tokens.length, model.info.heads);
    const qkv = await model.qkvAt(tokens, request.layer, { onProgress: (p) => onProgress(p.done, p.total, p.what) });
    const scaled = sparseKernelInput(qkv);
    return {
      name: opened.model?.architecture ?? opened.model?.modelType ?? model.architecture,
      format: opened.checkpoint.format,
      layers: model.info.layers,
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

if (parentPort && workerData?.modelRequest) {
  const port = parentPort;
  runModelLayer(workerData.modelRequest as ModelRequest, (done, total, what) => port.postMessage({ type: 'progress', done, total, what } satisfies ModelWorkerMessage)).then(
    (result) => port.postMessage({ type: 'done', result } satisfies ModelWorkerMessage, [result.q.buffer, result.k.buffer, result.v.buffer, result.dense.buffer] as ArrayBuffer[]),
    (e: Error) => port.postMessage({ type: 'failed', message: e.message } satisfies ModelWorkerMessage),
  );
}
