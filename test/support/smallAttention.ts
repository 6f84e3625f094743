/**
 * Small attention cases for the mutation-focused specs (attentionSmall*.test.ts): masks written as
 * cell predicates, and a float64 brute force written from the definition (softmax over the allowed
 * cells of each row), independent of RangeList walks, kernels and reference.ts.
 */
import { strict as assert } from 'assert';
import * as path from 'path';
import type { HeadMask, PatternMask, QKV } from '../../src/core';
import { headToDense } from '../unit/brute';

export type Allowed = (i: number, j: number) => boolean;

/** A head from a predicate: each row's maximal runs of allowed columns, in order (no tiles: no block form). */
export function cellHead(n: number, allowed: Allowed): HeadMask {
  return {
    n,
    storedElements: 0,
    row(i, out) {
      out.clear();
      for (let j = 0; j < n; ) {
        if (!allowed(i, j)) {
          j++;
          continue;
        }
        const start = j;
        while (j < n && allowed(i, j)) j++;
        out.push(start, j);
      }
    },
  };
}

export function cellMask(n: number, heads: Allowed[]): PatternMask {
  return { n, heads: heads.map((a) => cellHead(n, a)), warnings: [] };
}

/** Predicates of a built mask's heads, read once as dense pictures. */
export function allowedOf(mask: PatternMask): Allowed[] {
  return mask.heads.map((head) => {
    const dense = headToDense(head);
    return (i, j) => dense[i * head.n + j] === 1;
  });
}

/**
 * Even rows allow every even column (many one-column ranges), odd rows columns [0, 3), row 3
 * nothing: a reused range list always holds stale ranges past its length.
 */
export const GAPPY: Allowed = (i, j) => i !== 3 && (i % 2 === 0 ? j % 2 === 0 : j < 3);
export const CAUSAL: Allowed = (i, j) => j <= i;
export const DENSE: Allowed = () => true;

export interface Brute {
  out: Float64Array;
  lse: Float64Array;
  /** [head][row] the allowed columns and their probabilities. */
  rows: Array<Array<{ cols: number[]; probs: number[] }>>;
}

/** Float64 attention from the definition, cell by cell. */
export function bruteAttention(heads: Allowed[], input: QKV): Brute {
  const { n, d, q, k, v } = input;
  const out = new Float64Array(input.heads * n * d);
  const lse = new Float64Array(input.heads * n);
  const rows: Brute['rows'] = [];
  for (let h = 0; h < input.heads; h++) {
    rows.push([]);
    for (let i = 0; i < n; i++) {
      const cols: number[] = [];
      const scores: number[] = [];
      for (let j = 0; j < n; j++) {
        if (!heads[h](i, j)) continue;
        let dot = 0;
        for (let c = 0; c < d; c++) dot += q[(h * n + i) * d + c] * k[(h * n + j) * d + c];
        cols.push(j);
        scores.push(dot / Math.sqrt(d));
      }
      const top = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - top));
      const total = e.reduce((a, b) => a + b, 0);
      const probs = e.map((x) => x / total);
      for (let c = 0; c < d; c++) {
        let o = 0;
        cols.forEach((j, t) => (o += probs[t] * v[(h * n + j) * d + c]));
        out[(h * n + i) * d + c] = o;
      }
      lse[h * n + i] = cols.length ? top + Math.log(total) : -Infinity;
      rows[h].push({ cols, probs });
    }
  }
  return { out, lse, rows };
}

/** Q, K, V uniform in [-2, 2), seeded: the attention tests' own generator. */
export { randomQkv as smallQkv } from './attentionCases';

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let x = 0; x < expected.length; x++) {
    const e = expected[x];
    const a = actual[x];
    if (!Number.isFinite(e)) assert.equal(a, e, `${label}[${x}]`);
    else assert.ok(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)), `${label}[${x}]: ${a} vs ${e}`);
  }
}

/** A result's CSR probabilities against the brute force: exactly the allowed columns, values within `tolerance`. */
export function assertProbs(probs: Array<{ rowPtr: Int32Array; cols: Int32Array; values: ArrayLike<number> }>, brute: Brute, tolerance: number, label: string): void {
  assert.equal(probs.length, brute.rows.length, `${label}: one entry per head`);
  probs.forEach((p, h) => {
    const n = brute.rows[h].length;
    assert.equal(p.rowPtr.length, n + 1, `${label}: head ${h} rowPtr length`);
    assert.equal(p.rowPtr[0], 0);
    assert.equal(p.cols.length, p.rowPtr[n], `${label}: head ${h} stores rowPtr[n] columns`);
    assert.equal(p.values.length, p.rowPtr[n], `${label}: head ${h} stores rowPtr[n] values`);
    for (let i = 0; i < n; i++) {
      const row = brute.rows[h][i];
      assert.deepEqual(Array.from(p.cols.subarray(p.rowPtr[i], p.rowPtr[i + 1])), row.cols, `${label}: head ${h} row ${i} columns`);
      assertClose(Array.from(p.values).slice(p.rowPtr[i], p.rowPtr[i + 1]), row.probs, tolerance, `${label}: head ${h} row ${i} probs`);
    }
  });
}

type AttentionModule = typeof import('../../src/core/attention/index');
type WasmModuleModule = typeof import('../../src/core/attention/wasmModule');

/**
 * A fresh copy of src/core/attention/ loaded while globalThis.WebAssembly is `api` (undefined: an
 * engine without WebAssembly, or a CSP that blocks it). wasmModule.ts reads the global once, at
 * load; the copies the other tests use are put back afterwards.
 */
export function freshAttention(api: unknown): { attention: AttentionModule; wasmModule: WasmModuleModule } {
  const entry = require.resolve('../../src/core/attention/index');
  const dir = path.dirname(entry) + path.sep;
  const ours = () => Object.keys(require.cache).filter((key) => key.startsWith(dir));
  const saved = new Map(ours().map((key) => [key, require.cache[key]]));
  const global = globalThis as { WebAssembly?: unknown };
  const real = global.WebAssembly;
  for (const key of saved.keys()) delete require.cache[key];
  global.WebAssembly = api;
  try {
    const attention = require(entry) as AttentionModule;
    return { attention, wasmModule: require(require.resolve('../../src/core/attention/wasmModule')) as WasmModuleModule };
  } finally {
    global.WebAssembly = real;
    for (const key of ours()) delete require.cache[key];
    for (const [key, module] of saved) require.cache[key] = module;
  }
}
