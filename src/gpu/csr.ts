/** A head's mask as CSR arrays, the form gather kernels index: O(nnz) memory, never n². */
import type { HeadMask } from '../core/mask';
import { RangeList } from '../core/ranges';

export interface HeadCsr {
  rowPtr: Int32Array;
  cols: Int32Array;
  /** Row of each stored cell, so a thread per cell knows its query. */
  rowOf: Int32Array;
  maxRow: number;
}

export function headCsr(head: HeadMask): HeadCsr {
  const n = head.n;
  const list = new RangeList();
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    head.row(i, list);
    rowPtr[i + 1] = rowPtr[i] + list.count();
  }
  const nnz = rowPtr[n];
  const cols = new Int32Array(nnz);
  const rowOf = new Int32Array(nnz);
  let maxRow = 0;
  for (let i = 0; i < n; i++) {
    head.row(i, list);
    let t = rowPtr[i];
    for (let r = 0; r < list.length; r++) for (let j = list.starts[r]; j < list.ends[r]; j++) cols[t++] = j;
    rowOf.fill(i, rowPtr[i], t);
    maxRow = Math.max(maxRow, t - rowPtr[i]);
  }
  return { rowPtr, cols, rowOf, maxRow };
}
