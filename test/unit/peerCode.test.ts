/**
 * Presets against the peers' published code, where an earlier reading was wrong (issue: "two
 * presets are wrong against the real peer code"). Expected layouts are derived by reading
 * DeepSpeed's sparsity_config.py (@38327e07) and jukebox's factored_attention.py get_mask.
 */
import { strict as assert } from 'assert';
import { buildPattern, DeepSpeedFixedConfig, defaultConfig, FactorizedConfig, OpenAIFixedConfig, toDense, validateConfig } from '../../src/core';
import { pythonSlice } from '../../src/core/patterns/deepspeed';
import { rng } from './brute';

const deepspeed = (over: Partial<DeepSpeedFixedConfig>): DeepSpeedFixedConfig => ({ ...(defaultConfig('deepspeed-fixed') as DeepSpeedFixedConfig), ...over });
const factorized = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });
const rows = (dense: Uint8Array, n: number, h = 0) => Array.from({ length: n }, (_, i) => Array.from(dense.subarray(h * n * n + i * n, h * n * n + (i + 1) * n)).join(''));

describe('presets against the peers code', () => {
  it("Python slices: negative bounds count from the end and clamp, as layout[h, -1:, -1:2] does", () => {
    assert.deepEqual(pythonSlice(-1, 2, 2), [1, 2]);
    assert.deepEqual(pythonSlice(-5, 2, 3), [0, 2]);
    assert.deepEqual(pythonSlice(1, -1, 4), [1, 3]);
    assert.deepEqual(pythonSlice(3, 9, 4), [3, 4]);
  });

  it('deepspeed-fixed, unidirectional, n/block < num_global_blocks: the last window start wraps as in Python', () => {
    // num_blocks 2, global 3: start = min(0 + 0, 2 - 3) = -1; layout[h, -1:, -1:2] is the last cell.
    const config = deepspeed({ n: 2, heads: 1, block: 1, numLocalBlocks: 3, numGlobalBlocks: 3, attention: 'unidirectional' });
    assert.deepEqual(rows(toDense(buildPattern(config)), 2), ['10', '11']);
  });

  it('deepspeed-fixed never writes outside its own head (short sequences, several heads, random configs)', () => {
    const random = rng(17);
    for (let trial = 0; trial < 200; trial++) {
      const local = 1 + Math.floor(random() * 6);
      const divisors = [1, 2, 3, 4, 5, 6].filter((g) => local % g === 0);
      const global = divisors[Math.floor(random() * divisors.length)];
      const blocks = 1 + Math.floor(random() * 9);
      const unidirectional = random() < 0.5;
      const config = deepspeed({ n: blocks, heads: 3, block: 1, numLocalBlocks: local, numGlobalBlocks: global, attention: unidirectional ? 'unidirectional' : 'bidirectional' });
      assert.deepEqual(validateConfig(config), [], JSON.stringify(config));
      const dense = toDense(buildPattern(config));
      const n = blocks;
      for (let h = 1; h < 3; h++) assert.deepEqual(rows(dense, n, h), rows(dense, n, 0), `heads share one layout: ${JSON.stringify(config)}`);
      // Local windows are there, causal ones stay causal inside the window.
      for (let i = 0; i < n; i++) {
        const w0 = i - (i % local);
        for (let j = w0; j <= i; j++) assert.equal(dense[i * n + j], 1, `local cell (${i},${j}) ${JSON.stringify(config)}`);
      }
    }
  });

  it('jukebox-summary interleaved odd layer: own block summary cells j <= i, never the last block (n=2, l=1)', () => {
    const config = factorized({ pattern: 'jukebox-summary', n: 2, stride: 1, c: 1, heads: 1, mode: 'interleaved', layer: 1 });
    assert.deepEqual(rows(toDense(buildPattern(config)), 2), ['10', '10']);
  });

  it("jukebox-summary's summary set equals get_mask('summary') on random configs", () => {
    const random = rng(23);
    for (let trial = 0; trial < 60; trial++) {
      const l = 1 + Math.floor(random() * 6);
      const c = 1 + Math.floor(random() * l);
      const n = l * (1 + Math.floor(random() * 6));
      // split over two heads: head 0 is block attention, head 1 the summary layer.
      const two = toDense(buildPattern(factorized({ pattern: 'jukebox-summary', n, stride: l, c, heads: 2, mode: 'split' })));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          // tril(), viewed [q, blocks, l], [:, :-1, -c:]: block j//l is not the last, j in its last c, j <= i.
          const summary = j % l >= l - c && Math.floor(j / l) < n / l - 1 && j <= i ? 1 : 0;
          assert.equal(two[n * n + i * n + j], summary, `summary (${i},${j}) n=${n} l=${l} c=${c}`);
        }
      }
    }
  });

  it("refuses configs the peer's code refuses, with the peer's reason", () => {
    const messages = (config: Parameters<typeof validateConfig>[0]) => validateConfig(config).map((i) => i.message).join(' | ');
    assert.match(messages(factorized({ pattern: 'jukebox-summary', n: 10, stride: 4, c: 1 })), /jukebox asserts n_ctx % blocks == 0/);
    assert.match(messages(factorized({ pattern: 'lra-fixed', bidirectional: true })), /lra-fixed is causal only/);
    const openai = { ...(defaultConfig('openai-fixed') as OpenAIFixedConfig) };
    assert.match(messages({ ...openai, heads: 3, numVerts: 2 }), /OpenAI asserts n_heads % num_verts == 0/);
  });
});
