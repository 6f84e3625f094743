import { strict as assert } from 'assert';
import {
  buildPattern,
  candidateVariants,
  defaultConfig,
  diffDense,
  FactorizedConfig,
  findKnownMatch,
  formatBytes,
  PatternConfig,
  PORT_NOTES,
  relativeConfig,
  toDense,
  TooLargeError,
} from '../../src/core';
import { headToDense, picture } from './brute';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });

describe('formatBytes', () => {
  it('uses binary units, whole bytes below 1 KiB and one decimal above, TiB at most', () => {
    const cases: [number, string][] = [
      [0, '0 B'],
      [1, '1 B'],
      [1023, '1023 B'],
      [1024, '1.0 KiB'],
      [1536, '1.5 KiB'],
      [1024 ** 2 - 1, '1024.0 KiB'],
      [1024 ** 2, '1.0 MiB'],
      [256 * 1024 ** 2, '256.0 MiB'],
      [1024 ** 3, '1.0 GiB'],
      [32 * 1024 ** 3, '32.0 GiB'],
      [1024 ** 4, '1.0 TiB'],
      [1024 ** 5, '1024.0 TiB'],
      [3 * 1024 ** 5, '3072.0 TiB'],
    ];
    for (const [bytes, text] of cases) assert.equal(formatBytes(bytes), text, String(bytes));
  });
});

describe('toDense', () => {
  it('writes every head row by row, distinct and shared heads alike', () => {
    const configs: PatternConfig[] = [
      fixed({ n: 32, stride: 8, c: 2, heads: 2, mode: 'split' }),
      fixed({ n: 32, stride: 8, c: 2, heads: 4, subblocks: 2 }),
      fixed({ n: 24, stride: 8, c: 2, heads: 3, bidirectional: true }),
      fixed({ n: 40, stride: 8, c: 3, heads: 3, subblocks: 2, mode: 'split', bidirectional: true }),
      fixed({ pattern: 'strided', n: 30, stride: 4, heads: 2, mode: 'split' }),
      fixed({ pattern: 'strided', n: 30, stride: 4, heads: 2, bidirectional: true }),
      fixed({ pattern: 'fairseq-fixed', n: 33, stride: 8, c: 2, heads: 2, bidirectional: true }),
      { ...defaultConfig('deepspeed-fixed'), n: 64, heads: 2 } as PatternConfig,
      { ...defaultConfig('deepspeed-variable'), n: 96, heads: 2 } as PatternConfig,
    ];
    for (const config of configs) {
      const mask = buildPattern(config);
      const n = mask.n;
      const dense = toDense(mask);
      assert.equal(dense.length, mask.heads.length * n * n);
      mask.heads.forEach((head, h) => {
        const got = picture(n, dense.subarray(h * n * n, (h + 1) * n * n));
        assert.deepEqual(got, picture(n, headToDense(head)), `${JSON.stringify(config)} head ${h}`);
      });
    }
  });

  it('keeps each head to its own n × n block when heads of different kinds are mixed', () => {
    // A head built by a row rule (fairseq), then local and summary heads, one of them shared.
    const n = 33;
    const rule = buildPattern(fixed({ pattern: 'fairseq-fixed', n, stride: 8, c: 2, heads: 1 })).heads[0];
    const [local, summary] = buildPattern(fixed({ n, stride: 8, c: 2, heads: 2, mode: 'split' })).heads;
    const heads = [rule, local, rule, summary, local];
    const dense = toDense({ n, heads, warnings: [] });
    assert.equal(dense.length, heads.length * n * n);
    heads.forEach((head, h) => assert.deepEqual(picture(n, dense.subarray(h * n * n, (h + 1) * n * n)), picture(n, headToDense(head)), `head ${h}`));
  });

  it('is refused above the limit with the exact size, and allowed at it', () => {
    const mask = buildPattern(fixed({ n: 16, stride: 4, c: 1, heads: 2 }));
    const bytes = 2 * 16 * 16;
    assert.equal(toDense(mask, bytes).length, bytes);
    assert.throws(
      () => toDense(mask, bytes - 1),
      (e: unknown) => {
        assert.ok(e instanceof TooLargeError);
        assert.equal(e.name, 'TooLargeError');
        assert.equal(e.bytes, bytes);
        assert.equal(e.limit, bytes - 1);
        assert.equal(e.message, 'A dense [2, 16, 16] mask would need 512 B (limit 511 B): use a smaller n, fewer heads, or --layout / stats instead');
        return true;
      },
    );
    const big = buildPattern(fixed({ n: 65536, heads: 8, stride: 256 }));
    assert.throws(() => toDense(big), {
      name: 'TooLargeError',
      message: 'A dense [8, 65536, 65536] mask would need 32.0 GiB (limit 256.0 MiB): use a smaller n, fewer heads, or --layout / stats instead',
    });
    assert.equal(new TooLargeError(3 * 1024 ** 4, 1024, 'X', 'do less').message, 'X would need 3.0 TiB (limit 1.0 KiB): do less');
  });
});

describe('diffDense', () => {
  it('is identical only when every head is', () => {
    const mask = buildPattern(fixed({ n: 16, stride: 4, c: 1, heads: 3, mode: 'split' }));
    const dense = toDense(mask);
    assert.equal(diffDense(dense, 3, mask).identical, true);
    dense[2 * 256 + 15 * 16 + 3] = 1; // one cell of the last head only (a local head: row 15 sees 12..15)
    const diff = diffDense(dense, 3, mask);
    assert.equal(diff.identical, false);
    assert.deepEqual(
      diff.heads.map((d) => [d.missing, d.extra]),
      [
        [0, 0],
        [0, 0],
        [0, 1],
      ],
    );
  });

  it('counts every difference but keeps at most maxExamples, in row order', () => {
    const mask = buildPattern(fixed({ n: 8, stride: 4, c: 1, heads: 1 }));
    const dense = toDense(mask);
    dense[0 * 8 + 7] = 1; // extra
    dense[3 * 8 + 0] = 0; // missing: row 3 sees its block start
    dense[5 * 8 + 6] = 1; // extra
    dense[7 * 8 + 7] = 0; // missing: the diagonal
    const all = [
      { i: 0, j: 7, kind: 'extra' },
      { i: 3, j: 0, kind: 'missing' },
      { i: 5, j: 6, kind: 'extra' },
      { i: 7, j: 7, kind: 'missing' },
    ];
    for (const max of [0, 1, 3, 4, 10]) {
      const diff = diffDense(dense, 1, mask, max);
      assert.deepEqual(diff.heads, [{ head: 0, missing: 2, extra: 2, examples: all.slice(0, max) }], `max ${max}`);
    }
    assert.deepEqual(diffDense(dense, 1, mask).heads[0].examples, all);
  });

  it('compares a one-head mask with every head of the pattern', () => {
    // split mode: head 0 is the local block, head 1 the summaries; their one mask is head 0's.
    const mask = buildPattern(fixed({ n: 8, stride: 4, c: 1, heads: 2, mode: 'split' }));
    const dense = toDense(mask).subarray(0, 64);
    const diff = diffDense(dense, 1, mask);
    assert.equal(diff.identical, false);
    assert.deepEqual(diff.heads[0], { head: 0, missing: 0, extra: 0, examples: [] });
    const local = headToDense(mask.heads[0]);
    const summary = headToDense(mask.heads[1]);
    let missing = 0;
    let extra = 0;
    for (let x = 0; x < 64; x++) {
      if (summary[x] && !local[x]) missing++;
      if (local[x] && !summary[x]) extra++;
    }
    assert.ok(missing + extra > 0);
    assert.deepEqual([diff.heads[1].missing, diff.heads[1].extra], [missing, extra]);
  });
});

describe('known variants', () => {
  it('relativeConfig: the same parameters in another preset of the fixed family', () => {
    const split = fixed({ n: 64, stride: 8, c: 2, heads: 4, subblocks: 3, mode: 'split', layer: 2, bidirectional: true });
    const keep = { n: 64, stride: 8, c: 2, heads: 4, layer: 2, bidirectional: true };
    assert.deepEqual(relativeConfig(split, 'lra-fixed'), { ...keep, pattern: 'lra-fixed', subblocks: 1, mode: 'merged' });
    assert.deepEqual(relativeConfig(split, 'fairseq-fixed'), { ...keep, pattern: 'fairseq-fixed', subblocks: 1, mode: 'merged' });
    assert.deepEqual(relativeConfig(split, 'jukebox-summary'), { ...keep, pattern: 'jukebox-summary', subblocks: 1, mode: 'split' });
    assert.deepEqual(relativeConfig(split, 'strided'), { ...keep, pattern: 'strided', subblocks: 1, mode: 'split' });
    const port = { ...split, pattern: 'jukebox-summary' as const };
    assert.deepEqual(relativeConfig(port, 'fixed'), { ...keep, pattern: 'fixed', subblocks: 3, mode: 'split' });
    assert.deepEqual(relativeConfig({ ...split, mode: 'interleaved' }, 'dense'), { ...keep, pattern: 'dense', subblocks: 1, mode: 'interleaved' });
    // Undefined: the same preset, a preset outside the family, or a config outside it.
    assert.equal(relativeConfig(split, 'fixed'), undefined);
    assert.equal(relativeConfig(port, 'jukebox-summary'), undefined);
    assert.equal(relativeConfig(split, 'openai-fixed'), undefined);
    assert.equal(relativeConfig(split, 'deepspeed-fixed'), undefined);
    const deepspeed = defaultConfig('deepspeed-fixed');
    assert.equal(relativeConfig(deepspeed, 'fixed'), undefined);
    assert.equal(relativeConfig(deepspeed, 'deepspeed-fixed'), undefined);
    assert.equal(relativeConfig(defaultConfig('openai-fixed'), 'lra-fixed'), undefined);
  });

  it('candidateVariants: the other presets, the other direction, one sub-block', () => {
    const config = fixed({ n: 64, stride: 8, c: 2, heads: 2, subblocks: 2, mode: 'split' });
    const same = (pattern: string) => `the ${pattern} pattern with the same parameters`;
    const base = { n: 64, stride: 8, c: 2, heads: 2, layer: 0, bidirectional: false };
    assert.deepEqual(candidateVariants(config), [
      { config: { ...base, pattern: 'strided', subblocks: 1, mode: 'split' }, description: same('strided') },
      { config: { ...base, pattern: 'local', subblocks: 1, mode: 'split' }, description: same('local') },
      { config: { ...base, pattern: 'dense', subblocks: 1, mode: 'split' }, description: same('dense') },
      { config: { ...base, pattern: 'lra-fixed', subblocks: 1, mode: 'merged' }, description: PORT_NOTES['lra-fixed'] },
      { config: { ...base, pattern: 'fairseq-fixed', subblocks: 1, mode: 'merged' }, description: PORT_NOTES['fairseq-fixed'] },
      { config: { ...base, pattern: 'jukebox-summary', subblocks: 1, mode: 'split' }, description: PORT_NOTES['jukebox-summary'] },
      { config: { ...config, bidirectional: true }, description: 'the bidirectional variant (no j <= i cut)' },
      { config: { ...config, subblocks: 1 }, description: 'one summary sub-block shared by all heads' },
    ]);
    const bidirectional = fixed({ pattern: 'strided', n: 32, stride: 4, heads: 1, bidirectional: true });
    const variants = candidateVariants(bidirectional);
    assert.deepEqual(
      variants.map((v) => v.description),
      [same('fixed'), same('local'), same('dense'), PORT_NOTES['lra-fixed'], PORT_NOTES['fairseq-fixed'], PORT_NOTES['jukebox-summary'], 'the causal variant (j <= i cut)'],
    );
    assert.deepEqual(variants[6].config, { ...bidirectional, bidirectional: false });
    assert.deepEqual(candidateVariants(defaultConfig('deepspeed-fixed')), []);
    assert.deepEqual(candidateVariants(defaultConfig('openai-fixed')), []);
  });

  it('findKnownMatch skips the variants that reject the parameters', () => {
    // lra-fixed and jukebox-summary are causal only: building them from a bidirectional config throws.
    const config = fixed({ n: 64, stride: 8, c: 2, heads: 1, bidirectional: true });
    const causal = toDense(buildPattern({ ...config, bidirectional: false }));
    assert.deepEqual(findKnownMatch(causal, 1, config), { config: { ...config, bidirectional: false }, description: 'the causal variant (j <= i cut)' });
    const two = fixed({ n: 64, stride: 8, c: 2, heads: 2, subblocks: 2, bidirectional: true });
    const one = toDense(buildPattern({ ...two, subblocks: 1 }));
    assert.deepEqual(findKnownMatch(one, 2, two), { config: { ...two, subblocks: 1 }, description: 'one summary sub-block shared by all heads' });
    assert.equal(findKnownMatch(toDense(buildPattern(config)), 1, config), undefined);
    assert.equal(findKnownMatch(new Uint8Array(64 * 64), 1, defaultConfig('deepspeed-fixed')), undefined);
  });
});
