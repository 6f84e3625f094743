/**
 * The CPU path off the UI thread: a Web Worker that computes attention for one request. When the
 * probabilities are too many to send back, it stays alive holding Q/K/V and each row's log-sum-exp
 * and answers viewport requests instead (weights max-pooled over the view, or one row), so weight
 * maps work at any n without ever holding all probabilities. A GPU compute hands its log-sum-exp
 * to a worker started with `serve` for the same purpose.
 */
import { analyzePattern, attendHeads, buildPattern, PatternConfig, PatternMask, poolFromQkv, poolMask, poolMaskShare, QKV, rowFromQkv, RowScorer, rowScorer } from '../../src/core';
import { AttentionInput, resolveInput } from '../../src/core/attention/synthetic';
import { MaskPooling, parseWorkerRequest, WorkerReply } from './workerProtocol';

const scope = self as unknown as { onmessage: ((e: MessageEvent<unknown>) => void) | null; postMessage(m: WorkerReply, transfer?: Transferable[]): void };

let served: { mask: PatternMask; input: QKV; lse: Float32Array; scorers: RowScorer[] } | undefined;

/** Each head's scorer holds a copy of its Q and K for the SIMD kernel: made once, kept while serving. */
function scorerFor(head: number): RowScorer {
  return (served!.scorers[head] ??= rowScorer(served!.input, head));
}
/** The newest request per channel (the on-screen view, an export): an older one stops between heads. */
const newestPool = new Map<string, number>();

function compute(config: PatternConfig, attentionInput: AttentionInput, withProbs: boolean, serve: boolean): void {
  const started = performance.now();
  const input = resolveInput(config, attentionInput);
  const out = new Float32Array(input.heads * input.n * input.d);
  const lse = new Float32Array(input.heads * input.n);
  const mask = buildPattern(config);
  // One head at a time, so that the panel can show progress between them.
  const probs = [];
  let kernel = '';
  for (let h = 0; h < input.heads; h++) {
    const run = attendHeads(mask, input, h, h + 1, { out, lse }, { withProbs });
    kernel = run.kernel;
    probs.push(...run.probs);
    scope.postMessage({ type: 'progress', fraction: (h + 1) / input.heads });
  }
  const transfer: Transferable[] = [out.buffer];
  for (const p of probs) transfer.push(p.rowPtr.buffer, p.cols.buffer, p.values.buffer);
  // When serving, the worker keeps lse and the page gets a copy.
  if (serve) served = { mask, input, lse, scorers: [] };
  else transfer.push(lse.buffer);
  scope.postMessage({ type: 'result', kernel, out, lse, probs: withProbs ? probs : undefined, ms: performance.now() - started, serving: serve }, transfer);
}

async function pool(id: number, channel: string, view: { row: number; col: number; span: number }, size: number): Promise<void> {
  newestPool.set(channel, id);
  const { mask, input, lse } = served!;
  const layers: Float32Array[] = [];
  for (let h = 0; h < input.heads; h++) {
    // Let a newer request in: panning asks for views faster than a large one pools.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (newestPool.get(channel) !== id) return scope.postMessage({ type: 'superseded', id });
    layers.push(poolFromQkv(mask, input, lse, h, view, size, scorerFor(h)));
    scope.postMessage({ type: 'poolProgress', id, fraction: (h + 1) / input.heads });
  }
  scope.postMessage({ type: 'pooled', id, layers }, layers.map((l) => l.buffer));
}

/** The pattern of an `analyze` request: kept for the maps' poolMask requests. */
let analysed: PatternMask | undefined;

function analyze(id: number, config: PatternConfig, reachLimit: number): void {
  const started = performance.now();
  scope.postMessage({ type: 'analyzeProgress', id, fraction: 0, stage: 'building the mask' });
  analysed = buildPattern(config);
  scope.postMessage({ type: 'analyzeProgress', id, fraction: 0.3, stage: 'statistics' });
  const analysis = analyzePattern(config, 64, analysed, reachLimit);
  scope.postMessage({ type: 'analyzed', id, analysis, ms: performance.now() - started });
}

async function poolMasks(id: number, view: { row: number; col: number; span: number }, size: number, pooling: MaskPooling): Promise<void> {
  newestPool.set('mask', id);
  const mask = analysed!;
  const distinct = Array.from(new Set(mask.heads));
  const layers: Float32Array[] = [];
  for (const head of distinct) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (newestPool.get('mask') !== id) return scope.postMessage({ type: 'superseded', id });
    layers.push(pooling === 'share' ? poolMaskShare(head, view, size) : poolMask(head, view, size));
  }
  scope.postMessage({ type: 'maskPooled', id, layers, headLayer: mask.heads.map((h) => distinct.indexOf(h)) }, layers.map((l) => l.buffer));
}

scope.onmessage = (event) => {
  const m = parseWorkerRequest(event.data);
  if (!m) {
    const raw = event.data as { id?: unknown } | null;
    scope.postMessage({ type: 'failed', id: typeof raw?.id === 'number' ? raw.id : undefined, message: 'the worker got a malformed request' });
    return;
  }
  try {
    if (m.type === 'analyze') analyze(m.id, m.config, m.reachLimit);
    else if (m.type === 'poolMask') {
      if (!analysed) throw new Error('the worker holds no pattern to pool');
      void poolMasks(m.id, m.view, m.size, m.pooling).catch((e) => scope.postMessage({ type: 'failed', id: m.id, message: (e as Error).message }));
    } else if (m.type === 'compute') compute(m.config, m.input, m.withProbs, m.serve);
    else if (m.type === 'serve') served = { mask: buildPattern(m.config), input: resolveInput(m.config, m.input), lse: m.lse, scorers: [] };
    else if (!served) throw new Error('the worker holds no attention to answer from');
    else if (m.type === 'pool') void pool(m.id, m.channel, m.view, m.size).catch((e) => scope.postMessage({ type: 'failed', id: m.id, message: (e as Error).message }));
    else {
      const row = rowFromQkv(served.mask, served.input, served.lse, m.head, m.i, scorerFor(m.head));
      scope.postMessage({ type: 'row', id: m.id, ...row }, [row.cols.buffer, row.values.buffer]);
    }
  } catch (e) {
    scope.postMessage({ type: 'failed', id: 'id' in m ? m.id : undefined, message: (e as Error).message });
  }
};
