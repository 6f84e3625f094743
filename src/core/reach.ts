/**
 * The paper's claim for factorized attention: every position a query may depend on
 * (j <= i causally, every j bidirectionally) is reachable in at most two attention steps.
 * Step one goes through `first` (j ∈ first(m)), step two through `second` (m ∈ second(i));
 * residual connections make one-step paths count too.
 */
import type { HeadMask } from './mask';
import { RangeList } from './ranges';

export interface ReachResult {
  checked: boolean;
  /** Why it was not checked (too large). */
  reason?: string;
  ok: boolean;
  /** Pairs (i, j) that should be connected but are not. */
  unreachablePairs: number;
  firstUnreachable?: [number, number];
}

/** Above this n the exact check (about n * row² range operations) is skipped with a reason. */
export const REACH_LIMIT = 4096;

/** Compressed rows of a head: ranges of row m at offsets[m] .. offsets[m+1]. */
function compressRows(head: HeadMask): { offsets: Int32Array; starts: Int32Array; ends: Int32Array } {
  const list = new RangeList();
  const offsets = new Int32Array(head.n + 1);
  const starts: number[] = [];
  const ends: number[] = [];
  // Stryker disable next-line EqualityOperator: row n's ranges land after the last offset, where no row reads them
  for (let m = 0; m < head.n; m++) {
    head.row(m, list);
    for (let r = 0; r < list.length; r++) {
      starts.push(list.starts[r]);
      ends.push(list.ends[r]);
    }
    offsets[m + 1] = starts.length;
  }
  return { offsets, starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}

export function twoHopReach(first: HeadMask, second: HeadMask, causal: boolean, limit = REACH_LIMIT): ReachResult {
  const n = first.n;
  if (n > limit) {
    return { checked: false, reason: `n (${n}) > ${limit}: the exact 2-hop check is skipped`, ok: false, unreachablePairs: 0 };
  }
  const rows1 = compressRows(first);
  const secondRow = new RangeList();
  const reached = new RangeList(256);
  let unreachablePairs = 0;
  let firstUnreachable: [number, number] | undefined;
  const addFirstRow = (m: number): void => {
    for (let r = rows1.offsets[m]; r < rows1.offsets[m + 1]; r++) reached.push(rows1.starts[r], rows1.ends[r]);
  };
  for (let i = 0; i < n; i++) {
    second.row(i, secondRow);
    reached.clear();
    reached.push(i, i + 1);
    addFirstRow(i);
    for (let r = 0; r < secondRow.length; r++) {
      reached.push(secondRow.starts[r], secondRow.ends[r]);
      for (let m = secondRow.starts[r]; m < secondRow.ends[r]; m++) addFirstRow(m);
    }
    reached.normalize();
    const targetEnd = causal ? i + 1 : n;
    let covered = 0;
    let expected = 0; // first column not yet known to be covered
    // Stryker disable next-line EqualityOperator: a range starting at targetEnd adds nothing and flags the same first gap the check after the loop flags
    for (let r = 0; r < reached.length && reached.starts[r] < targetEnd; r++) {
      if (firstUnreachable === undefined && reached.starts[r] > expected) firstUnreachable = [i, expected];
      const end = Math.min(reached.ends[r], targetEnd);
      covered += end - reached.starts[r];
      expected = end;
    }
    if (firstUnreachable === undefined && expected < targetEnd) firstUnreachable = [i, expected];
    unreachablePairs += targetEnd - covered;
  }
  return { checked: true, ok: unreachablePairs === 0, unreachablePairs, firstUnreachable };
}
