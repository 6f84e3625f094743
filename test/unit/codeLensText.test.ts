import { strict as assert } from 'assert';
import { findConfigsInPython, findingDensity } from '../../src/code';
import { fixesFor } from '../../src/code/fixes';
import { lensTitle } from '../../src/code/lensText';
import { defaultConfig, PatternConfig, validateConfig } from '../../src/core';

const one = (source: string) => {
  const [finding] = findConfigsInPython(source);
  return lensTitle(finding, findingDensity(finding));
};

describe('the CodeLens line of a config found in code', () => {
  // Densities checked by brute force in NumPy: allowed cells over the causal triangle (the full square when bidirectional).
  it("says the paper's parameters, the heads and the density", () => {
    assert.equal(one('attn = SparseAttention(n=4096, l=128, c=8, heads=8)\n'), 'Inspect fixed: n=4096 l=128 c=8 K=1 · 8 heads · density 9.20%');
  });

  it('shows unknown values as ? and no density', () => {
    assert.equal(
      one('cfg = FixedSparsityConfig(num_heads=4, block=16, num_local_blocks=4)\n'),
      'Inspect deepspeed-fixed: n=? B=16 local=4 global=1 patterns=1 · 4 heads · density ?',
    );
  });

  it('says invalid when the registry refuses the config', () => {
    assert.match(one('attn = SparseAttention(n=4096, l=32, c=40, heads=8)\n'), /^Inspect fixed: n=4096 l=32 c=40 K=1 · 8 heads · invalid$/);
  });

  it('names a boolean only when it differs from the default, and one head in the singular', () => {
    assert.equal(one('attn = SparseAttention(n=64, l=8, c=2, heads=1, bidirectional=True)\n'), 'Inspect fixed: n=64 l=8 c=2 K=1 bidirectional · 1 head · density 34.4%');
  });
});

describe('quick fixes from the registry', () => {
  const config = (over: object) => ({ ...defaultConfig('fixed'), ...over }) as PatternConfig;

  it('sets c down to l (and names l) or up to the nearest valid value', () => {
    assert.deepEqual(fixesFor(config({ stride: 32, c: 40 }), 'c'), [{ key: 'c', value: 32, title: 'Set c to 32 (= l)' }]);
    assert.deepEqual(
      fixesFor(config({ stride: 32, c: 40 }), 'stride').map((f) => f.title),
      ['Set l to 40 (= c)'],
    );
  });

  it("finds DeepSpeed's divisibility fixes both ways", () => {
    const ds = { ...defaultConfig('deepspeed-fixed'), numLocalBlocks: 4, numGlobalBlocks: 3 } as PatternConfig;
    assert.ok(validateConfig(ds).length > 0);
    const fixes = fixesFor(ds, 'numGlobalBlocks');
    assert.deepEqual(fixes.map((f) => f.value), [2, 4]);
    for (const fix of fixes) assert.deepEqual(validateConfig({ ...ds, [fix.key]: fix.value } as PatternConfig), []);
    assert.deepEqual(fixesFor(ds, 'numLocalBlocks').map((f) => f.value), [3, 6]);
  });

  it('offers nothing for a non-integer parameter or a valid value', () => {
    assert.deepEqual(fixesFor(config({ mode: 'merged' }), 'mode'), []);
    assert.deepEqual(fixesFor(config({}), 'c'), []);
  });
});
