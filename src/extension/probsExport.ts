/**
 * The dense probabilities export ([H, n, n] float32 .npy) without blocking the extension host:
 * bounded by bytes first, then computed head by head, yielding between heads, with progress and
 * cancellation. No vscode here, so that it is unit-tested.
 */
import { attendHeads, attentionInputFor, buildPattern, encodeNpy, fillDenseProbs, formatBytes, PatternConfig, resolveInput } from '../core';
import type { InspectorState } from '../protocol';
import { MAX_PROBS_BYTES } from './exportFormats';

export interface ExportProgress {
  /** Fraction done, 0..1. */
  report(fraction: number): void;
  readonly cancelled: boolean;
}

export class ExportCancelled extends Error {
  constructor() {
    super('export cancelled: nothing was written');
    this.name = 'ExportCancelled';
  }
}

export async function probsNpy(config: PatternConfig, state: InspectorState, progress?: ExportProgress): Promise<Uint8Array> {
  const n = config.n;
  // Bounded by bytes, not n: 32 heads at n = 4096 once blocked the extension host for 32 s at 3.6 GiB.
  const bytes = config.heads * n * n * 4;
  if (bytes > MAX_PROBS_BYTES) {
    const fits = Math.floor(Math.sqrt(MAX_PROBS_BYTES / (4 * config.heads)));
    throw new Error(
      `probabilities are a dense [${config.heads}, ${n}, ${n}] float32 array (${formatBytes(bytes)}, limit ${formatBytes(MAX_PROBS_BYTES)}): export them for n <= ${fits} with ${config.heads} heads, or export the mask`,
    );
  }
  // The same Q/K/V as the webview (pasted, or the synthetic ones), so the file matches the maps.
  const input = resolveInput(config, attentionInputFor(config, state.sequence));
  const mask = buildPattern(config);
  const out = new Float32Array(input.heads * n * input.d);
  const lse = new Float32Array(input.heads * n);
  const dense = new Float32Array(input.heads * n * n);
  for (let h = 0; h < input.heads; h++) {
    // Let the host answer between heads (and hear a cancel).
    await new Promise((resolve) => setImmediate(resolve));
    if (progress?.cancelled) throw new ExportCancelled();
    const [probs] = attendHeads(mask, input, h, h + 1, { out, lse }, { withProbs: true }).probs;
    fillDenseProbs(probs, n, dense, h * n * n);
    progress?.report((h + 1) / input.heads);
  }
  return encodeNpy('<f4', [config.heads, n, n], dense);
}
