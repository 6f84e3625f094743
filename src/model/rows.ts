/**
 * Rows of a tensor's first axis. An embedding lookup needs the rows of its tokens, not a vocabulary
 * table of hundreds of megabytes (Llama-7B's is 32000 × 4096); readers that can address a run of
 * rows in the file give `readRowRange`, and a lookup reads each run of consecutive rows as one range.
 */
import { CheckpointError, OpenedCheckpoint } from './types';

/** Rows `start` .. `start + count - 1` of the first axis, C order, as float32. */
export type RowRangeReader = (start: number, count: number) => Promise<Float32Array>;

/** `rows` (in range, checked by the caller; repeats allowed) in their order, each `rowLength` values. */
export async function gatherRows(rows: readonly number[], rowLength: number, readRowRange: RowRangeReader): Promise<Float32Array> {
  const unique = [...new Set(rows)].sort((a, b) => a - b);
  const byRow = new Map<number, Float32Array>();
  for (let first = 0; first < unique.length; ) {
    let end = first + 1;
    while (end < unique.length && unique[end] === unique[end - 1] + 1) end++;
    const values = await readRowRange(unique[first], end - first);
    for (let k = first; k < end; k++) byRow.set(unique[k], values.subarray((k - first) * rowLength, (k - first + 1) * rowLength));
    first = end;
  }
  const out = new Float32Array(rows.length * rowLength);
  rows.forEach((row, i) => out.set(byRow.get(row)!, i * rowLength));
  return out;
}

/** Checks a row run against the tensor's first axis; a reader's own guard, callers check token ids first. */
export function checkRowRange(name: string, shape: readonly number[], start: number, count: number): void {
  const rows = shape.length ? shape[0] : 0;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || start < 0 || count < 1 || start + count > rows) {
    throw new CheckpointError(`rows ${start}..${start + count - 1} of tensor ${name} do not exist: it has ${rows} rows (shape [${shape.join(', ')}])`);
  }
}

/** Elements in one row of the first axis. */
export function rowLengthOf(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** Rows of `name` through the checkpoint's own row reads, or sliced from the whole tensor where it has none. */
export async function readRowRangeOf(checkpoint: Pick<OpenedCheckpoint, 'tensors' | 'read' | 'readRowRange'>, name: string, start: number, count: number): Promise<Float32Array> {
  if (checkpoint.readRowRange) return checkpoint.readRowRange(name, start, count);
  const info = checkpoint.tensors.find((t) => t.name === name);
  if (!info) throw new CheckpointError(`the checkpoint has no tensor named ${JSON.stringify(name)}`);
  checkRowRange(name, info.shape, start, count);
  const rowLength = rowLengthOf(info.shape);
  return (await checkpoint.read(name)).slice(start * rowLength, (start + count) * rowLength);
}
