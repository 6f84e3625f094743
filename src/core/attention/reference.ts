/**
 * Float64 reference attention over exactly the allowed cells: the yardstick every backend is
 * tested against. Simple on purpose: one row at a time, max-subtracted softmax.
 */
import type { HeadMask, PatternMask } from '../mask';
import { RangeList } from '../ranges';
import { AttentionResult, checkShapes, QKV, SparseProbs } from './types';

/** Row i of head h in float64: its allowed columns, their probabilities, the output row and the log-sum-exp. */
export function referenceRow(head: HeadMask, input: QKV, h: number, i: number, list = new RangeList()): { columns: number[]; probs: number[]; out: Float64Array; lse: number } {
  const { n, d, q, k, v } = input;
  const base = h * n * d;
  const scale = 1 / Math.sqrt(d);
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
  const probs = weights.map((w) => w / sum);
  const out = new Float64Array(d);
  columns.forEach((j, t) => {
    // Stryker disable next-line EqualityOperator: `c <= d` adds into out[d], past the end of the typed array (ignored); `>=` is killed
    for (let c = 0; c < d; c++) out[c] += probs[t] * v[base + j * d + c];
  });
  return { columns, probs, out, lse: columns.length ? max + Math.log(sum) : -Infinity };
}

export function referenceAttention(mask: PatternMask, input: QKV, withProbs = true): AttentionResult {
  checkShapes(input);
  const { heads, n, d } = input;
  const out = new Float64Array(heads * n * d);
  const lse = new Float64Array(heads * n);
  const probs: SparseProbs[] = [];
  const list = new RangeList();
  for (let h = 0; h < heads; h++) {
    const rowPtr = new Int32Array(n + 1);
    const cols: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = referenceRow(mask.heads[h], input, h, i, list);
      out.set(row.out, (h * n + i) * d);
      lse[h * n + i] = row.lse;
      // A loop, not push(...): a dense row can be longer than the argument limit.
      for (let t = 0; t < row.columns.length; t++) {
        cols.push(row.columns[t]);
        values.push(row.probs[t]);
      }
      rowPtr[i + 1] = cols.length;
    }
    // Stryker disable next-line ConditionalExpression: `true` keeps probabilities that the return then drops; `false` is killed
    if (withProbs) probs.push({ rowPtr, cols: Int32Array.from(cols), values: Float64Array.from(values) });
  }
  return withProbs ? { out, lse, probs } : { out, lse };
}
