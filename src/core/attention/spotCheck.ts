/**
 * A cheap check of a finished attention result against float64: a few rows per head are
 * recomputed exactly and compared. A GPU driver that compiles a kernel and then returns
 * garbage (or zeros) is caught here instead of being drawn as if it were attention.
 */
import type { PatternMask } from '../mask';
import { RangeList } from '../ranges';
import { referenceRow } from './reference';
import type { QKV } from './types';

export interface SpotCheck {
  rows: number;
  /** Largest |out - reference| over the checked rows, relative to the largest |v| in each row's keys. */
  maxError: number;
}

/** float32 kernels agree with float64 to ~1e-6; a thousand times that is a broken kernel. */
export const SPOT_CHECK_TOLERANCE = 1e-3;

/** Rows spread over every head (first, last and evenly between), at most `cellBudget` cells × d of work. */
export function spotCheck(mask: PatternMask, input: QKV, out: ArrayLike<number>, rowsPerHead = 8, cellBudget = 1 << 20): SpotCheck {
  const { heads, n, d, v } = input;
  const list = new RangeList();
  let rows = 0;
  let cells = 0;
  let maxError = 0;
  for (let h = 0; h < heads && cells < cellBudget; h++) {
    const base = h * n * d;
    const picks = new Set<number>([0, n - 1]);
    // Stryker disable next-line EqualityOperator,ArithmeticOperator: for r < rowsPerHead the pick is below n anyway, and r = rowsPerHead picks n − 1 again
    for (let r = 0; r < rowsPerHead; r++) picks.add(Math.min(n - 1, Math.floor(((r + 0.5) * n) / rowsPerHead)));
    for (const i of picks) {
      const expected = referenceRow(mask.heads[h], input, h, i, list);
      cells += expected.columns.length;
      rows++;
      let vMax = 1e-30;
      for (const j of expected.columns) for (let c = 0; c < d; c++) vMax = Math.max(vMax, Math.abs(v[base + j * d + c]));
      for (let c = 0; c < d; c++) {
        // NaN must fail the check, so compare with a negated <=.
        const error = Math.abs(out[base + i * d + c] - expected.out[c]) / vMax;
        // Stryker disable next-line EqualityOperator: at equality it assigns the value already there
        if (!(error <= maxError)) maxError = Number.isNaN(error) ? Infinity : error;
      }
      if (cells >= cellBudget) break;
    }
  }
  return { rows, maxError };
}
