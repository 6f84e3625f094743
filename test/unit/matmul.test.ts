/**
 * The forward pass's matmul (src/model/matmul.ts) against a float64 reference on shapes that are not
 * multiples of its tile (4 rows × 8 columns) nor of its d chunk (512), 1 × 1 and empty ones, with
 * and without bias, weights packed from both stored layouts, on both paths: the WebAssembly SIMD
 * kernel (float32 sums, within a bound of the rounding) and the JavaScript one (float64 sums, so
 * exactly the reference rounded to float32). And the committed matmul-wasm.ts is matmul.wat.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { matmul, MatmulPath, packWeights, PANEL_WIDTH } from '../../src/model/matmul';
import { simdMatmulAvailable } from '../../src/model/matmulSimd';
import { attentionOutput, blockAttentionOutput, denseAttention } from '../../src/model/attention';
import { ModelError } from '../../src/model';
import type { LayerQkv } from '../../src/model';

/** Deterministic values in [-1, 1) (a linear congruential generator), some of them large to spread the magnitudes. */
function values(count: number, seed: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count }, (_, k) => {
    state = (state * 16807) % 2147483647;
    const unit = state / 2147483647 - 0.5;
    return k % 7 === 3 ? unit * 64 : unit * 2;
  });
}

/** y = x · W + b in float64, W [d, k] row-major, summed in the order c = 0 .. d-1 after the bias. */
function reference(x: Float32Array, n: number, d: number, w: Float32Array, k: number, bias?: Float32Array): { y: Float64Array; magnitude: Float64Array } {
  const y = new Float64Array(n * k);
  const magnitude = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < k; o++) {
      let sum = bias ? bias[o] : 0;
      let size = bias ? Math.abs(bias[o]) : 0;
      for (let c = 0; c < d; c++) {
        sum += x[i * d + c] * w[c * k + o];
        size += Math.abs(x[i * d + c] * w[c * k + o]);
      }
      y[i * k + o] = sum;
      magnitude[i * k + o] = size;
    }
  }
  return { y, magnitude };
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

const SHAPES: Array<[n: number, d: number, k: number]> = [
  [1, 1, 1],
  [0, 5, 3],
  [3, 0, 4],
  [4, 5, 0],
  [2, 3, 8],
  [5, 7, 9],
  [7, 13, 17],
  [4, 16, 16],
  [9, 600, 23],
  [6, 1030, 12],
  [13, 64, 130],
];

describe('matmul: x [n, d] · W [d, k] + b against float64', () => {
  it('WebAssembly SIMD runs in this Node (else only the JavaScript path would be tested)', () => {
    assert.ok(simdMatmulAvailable());
  });

  for (const path of ['simd', 'js'] as const satisfies readonly MatmulPath[]) {
    for (const [n, d, k] of SHAPES) {
      it(`${path}: n = ${n}, d = ${d}, k = ${k}, with and without bias, W stored [d, k] and [k, d]`, () => {
        const x = values(n * d, 11 + n);
        const w = values(d * k, 29 + d);
        const bias = values(k, 47 + k);
        for (const b of [undefined, bias]) {
          const { y: expected, magnitude } = reference(x, n, d, w, k, b);
          for (const packed of [packWeights(w, d, k, 'in-out'), packWeights(transpose(w, d, k), d, k, 'out-in')]) {
            assert.equal(packed.panels, Math.ceil(k / PANEL_WIDTH));
            const y = matmul(x, n, packed, b, path);
            assert.equal(y.length, n * k);
            for (let at = 0; at < n * k; at++) {
              const what = `${path} [${n}, ${d}] · [${d}, ${k}]${b ? ' + b' : ''} at (${Math.floor(at / k)}, ${at % k})`;
              if (path === 'js') {
                assert.equal(y[at], Math.fround(expected[at]), what);
              } else {
                // float32 sums: each of d additions rounds by at most 2^-24 of the running magnitude.
                const bound = (d + 2) * 2 ** -24 * magnitude[at] + 1e-30;
                assert.ok(Math.abs(y[at] - expected[at]) <= bound, `${what}: ${y[at]} vs ${expected[at]} (bound ${bound})`);
              }
            }
          }
        }
      });
    }
  }

  it('the SIMD kernel sums in float32 (it differs from the float64 path somewhere on a long row), the JavaScript one in float64', () => {
    const [n, d, k] = [4, 2000, 8];
    const x = values(n * d, 3);
    const packed = packWeights(values(d * k, 5), d, k, 'in-out');
    const simd = matmul(x, n, packed, undefined, 'simd');
    const js = matmul(x, n, packed, undefined, 'js');
    assert.ok(simd.some((value, at) => value !== js[at]), 'the SIMD path ran in float64 or did not run');
  });

  it('refuses an input or bias that does not fit the weight, and a weight that does not fill its shape', () => {
    const packed = packWeights(values(6, 1), 3, 2, 'in-out');
    assert.throws(() => matmul(values(7, 1), 2, packed), (e: Error) => e instanceof ModelError && /7 values, not \[2, 3\]/.test(e.message));
    assert.throws(() => matmul(values(6, 1), 2, packed, values(3, 1)), (e: Error) => e instanceof ModelError && /bias of 3 values does not fit a weight with 2 outputs/.test(e.message));
    assert.throws(() => packWeights(values(5, 1), 3, 2, 'out-in'), (e: Error) => e instanceof ModelError && /5 values is not \[2, 3\]/.test(e.message));
  });
});

describe("a block's attention through the matmul", () => {
  for (const causal of [true, false]) {
    it(`equals the row-loop attention output (denseAttention, attentionOutput) within float32 rounding, ${causal ? 'causal' : 'bidirectional'}`, () => {
      const [heads, n, headDim] = [3, 37, 12];
      const qkv: LayerQkv = { layer: 0, n, heads, headDim, kvHeads: heads, q: values(heads * n * headDim, 2), k: values(heads * n * headDim, 3), v: values(heads * n * headDim, 4), scale: 0.3, causal };
      const expected = attentionOutput(denseAttention(qkv), qkv.v, headDim);
      const actual = blockAttentionOutput(qkv);
      assert.equal(actual.length, expected.length);
      let worst = 0;
      for (let at = 0; at < actual.length; at++) worst = Math.max(worst, Math.abs(actual[at] - expected[at]));
      // Each output is a convex combination of V's values, so its error scales with their largest.
      const largest = qkv.v.reduce((m, value) => Math.max(m, Math.abs(value)), 0);
      assert.ok(worst <= 1e-5 * largest, `off by ${worst} (V's largest value ${largest})`);
      // Row 0 of a causal head attends only to key 0: its output is V's row 0.
      if (causal) assert.deepEqual(actual.subarray(0, headDim), qkv.v.subarray(0, headDim));
    });
  }
});

describe('the committed WebAssembly', () => {
  it('matmul-wasm.ts is the assembled matmul.wat', async () => {
    const { assemble, render, MODULES } = require('../tools/wasm-kernel');
    assert.equal(readFileSync(MODULES.matmul.ts, 'utf8'), render(await assemble('matmul'), 'matmul'));
  });
});
