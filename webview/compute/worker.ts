/** The CPU path off the UI thread: a Web Worker that computes attention for one request. */
import { attendHeads, buildPattern, PatternConfig } from '../../src/core';
import { AttentionInput, resolveInput } from '../../src/core/attention/synthetic';

export interface WorkerRequest {
  config: PatternConfig;
  input: AttentionInput;
  withProbs: boolean;
}

const scope = self as unknown as { onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null; postMessage(m: unknown, transfer?: Transferable[]): void };

scope.onmessage = (event) => {
  const { config, withProbs } = event.data;
  try {
    const started = performance.now();
    const input = resolveInput(config, event.data.input);
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
      scope.postMessage({ progress: (h + 1) / input.heads });
    }
    const transfer: Transferable[] = [out.buffer, lse.buffer];
    for (const p of probs) transfer.push(p.rowPtr.buffer, p.cols.buffer, p.values.buffer);
    scope.postMessage({ ok: true, kernel, out, lse, probs: withProbs ? probs : undefined, ms: performance.now() - started }, transfer);
  } catch (e) {
    scope.postMessage({ ok: false, message: (e as Error).message });
  }
};
