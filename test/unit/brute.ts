/**
 * Brute-force definitions written straight from the paper and the reference, cell by cell,
 * independent of the engine's tiles. Tests compare the engine against these.
 */
import { HeadMask, RangeList } from '../../src/core';

export type Cell = (i: number, j: number) => boolean;

export function fixedA1(l: number, causal: boolean): Cell {
  return (i, j) => Math.floor(j / l) === Math.floor(i / l) && (!causal || j <= i);
}

export function fixedA2(l: number, c: number, k: number, causal: boolean): Cell {
  return (i, j) => {
    const p = j % l;
    return p >= l - (k + 1) * c && p <= l - k * c - 1 && (!causal || j <= i);
  };
}

export function union(...cells: Cell[]): Cell {
  return (i, j) => cells.some((f) => f(i, j));
}

export function denseOf(n: number, cell: Cell): Uint8Array {
  const out = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = cell(i, j) ? 1 : 0;
  return out;
}

export function headToDense(head: HeadMask): Uint8Array {
  const n = head.n;
  const out = new Uint8Array(n * n);
  const list = new RangeList();
  for (let i = 0; i < n; i++) {
    head.row(i, list);
    for (let r = 0; r < list.length; r++) out.fill(1, i * n + list.starts[r], i * n + list.ends[r]);
  }
  return out;
}

/** Rows as strings of 0/1, for readable failures. */
export function picture(n: number, dense: Uint8Array): string[] {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(dense.subarray(i * n, (i + 1) * n)).join(''));
  return rows;
}

export function headPicture(head: HeadMask): string[] {
  return picture(head.n, headToDense(head));
}

/** Deterministic pseudo-random numbers for property tests (the fuzzer's mulberry32). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const rng: (seed: number) => () => number = require('../support/prng.js').prng;
