/** Patterns and inputs every attention backend is checked on, and the check itself. */
import { strict as assert } from 'assert';
import {
  AttentionResult,
  buildPattern,
  defaultConfig,
  DeepSpeedFixedConfig,
  FactorizedConfig,
  PatternConfig,
  QKV,
  referenceAttention,
  rowColumns,
} from '../../src/core';
import { rng } from '../unit/brute';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });

export const ATTENTION_CASES: Array<[string, PatternConfig]> = [
  ['fixed merged, 4 sub-blocks', fixed({ n: 96, stride: 16, c: 2, heads: 4, subblocks: 4 })],
  ['fixed split (rows with no allowed cell)', fixed({ n: 64, stride: 16, c: 4, heads: 2, mode: 'split' })],
  ['fixed bidirectional', fixed({ n: 80, stride: 16, c: 4, heads: 2, bidirectional: true })],
  ['strided', fixed({ pattern: 'strided', n: 70, stride: 8, heads: 2 })],
  ['deepspeed', { ...(defaultConfig('deepspeed-fixed') as DeepSpeedFixedConfig), n: 64, heads: 2, block: 8, numLocalBlocks: 2 }],
];

export function randomQkv(heads: number, n: number, d: number, seed: number): QKV {
  const random = rng(seed);
  const make = () => Float32Array.from({ length: heads * n * d }, () => random() * 4 - 2);
  return { heads, n, d, q: make(), k: make(), v: make() };
}

/** The bar: outputs within 1e-5, rows summing to 1 within 1e-6, nothing outside the mask. */
export function assertMatchesReference(config: PatternConfig, input: QKV, result: AttentionResult, label: string): void {
  const mask = buildPattern(config);
  const ref = referenceAttention(mask, input);
  let maxErr = 0;
  for (let x = 0; x < ref.out.length; x++) maxErr = Math.max(maxErr, Math.abs(ref.out[x] - result.out[x]));
  assert.ok(maxErr <= 1e-5, `${label}: max abs error ${maxErr}`);
  for (let x = 0; x < ref.lse.length; x++) {
    if (ref.lse[x] === -Infinity) assert.equal(result.lse[x], -Infinity, `${label}: empty row lse`);
    else assert.ok(Math.abs(ref.lse[x] - result.lse[x]) <= 1e-4, `${label}: lse ${x}`);
  }
  result.probs!.forEach((p, h) => {
    for (let i = 0; i < input.n; i++) {
      const from = p.rowPtr[i];
      const to = p.rowPtr[i + 1];
      assert.deepEqual(Array.from(p.cols.subarray(from, to)), rowColumns(mask.heads[h], i), `${label}: head ${h} row ${i} stores exactly the allowed cells`);
      if (to > from) {
        let sum = 0;
        for (let t = from; t < to; t++) sum += p.values[t];
        assert.ok(Math.abs(sum - 1) <= 1e-6, `${label}: head ${h} row ${i} sums to ${sum}`);
      }
    }
  });
}

