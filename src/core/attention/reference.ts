/**
 * Float64 reference attention over exactly the allowed cells: the yardstick every backend is
 * tested against. Simple on purpose: one row at a time, max-subtracted softmax.
 */
import type { PatternMask } from '../mask';
import { RangeList } from '../ranges';
import { AttentionResult, checkShapes, QKV, SparseProbs } from './types';

export function referenceAttention(mask: PatternMask, input: QKV, withProbs = true): AttentionResult {
  checkShapes(input);
  const { heads, n, d, q, k, v } = input;
  const scale = 1 / Math.sqrt(d);
  const out = new Float64Array(heads * n * d);
  const lse = new Float64Array(heads * n);
  const probs: SparseProbs[] = [];
  const list = new RangeList();
  for (let h = 0; h < heads; h++) {
    const head = mask.heads[h];
    const base = h * n * d;
    const rowPtr = new Int32Array(n + 1);
    const cols: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      head.row(i, list);
      const columns: number[] = [];
      for (let r = 0; r < list.length; r++) for (let j = list.starts[r]; j < list.ends[r]; j++) columns.push(j);
      const scores = columns.map((j) => {
        let s = 0;
        for (let c = 0; c < d; c++) s += q[base + i * d + c] * k[base + j * d + c];
        return s * scale;
      });
      const max = scores.reduce((a, b) => Math.max(a, b), -Infinity);
      const weights = scores.map((s) => Math.exp(s - max));
      const sum = weights.reduce((a, b) => a + b, 0);
      lse[h * n + i] = columns.length ? max + Math.log(sum) : -Infinity;
      columns.forEach((j, t) => {
        const p = weights[t] / sum;
        for (let c = 0; c < d; c++) out[base + i * d + c] += p * v[base + j * d + c];
        cols.push(j);
        values.push(p);
      });
      rowPtr[i + 1] = cols.length;
    }
    if (withProbs) probs.push({ rowPtr, cols: Int32Array.from(cols), values: Float64Array.from(values) });
  }
  return withProbs ? { out, lse, probs } : { out, lse };
}
