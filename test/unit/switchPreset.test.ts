import { strict as assert } from 'assert';
import { defaultConfig, FactorizedConfig, switchPreset, validateConfig } from '../../src/core';

describe('switching presets keeps what they share', () => {
  const mine: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 512, heads: 8, stride: 64, c: 8, subblocks: 4, mode: 'split', layer: 3, bidirectional: true };

  it('fixed -> strided keeps n, heads, l, mode, layer and bidirectional', () => {
    const next = switchPreset(mine, 'strided') as FactorizedConfig;
    assert.equal(next.pattern, 'strided');
    assert.deepEqual([next.n, next.heads, next.stride, next.mode, next.layer, next.bidirectional], [512, 8, 64, 'split', 3, true]);
    assert.deepEqual(validateConfig(next), []);
  });

  it('a kept value the new preset rejects falls back to its default, the rest stay', () => {
    const next = switchPreset(mine, 'lra-fixed') as FactorizedConfig;
    const lra = defaultConfig('lra-fixed') as FactorizedConfig;
    assert.equal(next.subblocks, lra.subblocks, 'lra-fixed has one summary set');
    assert.equal(next.mode, lra.mode, 'lra-fixed builds one merged mask');
    assert.deepEqual([next.n, next.heads, next.stride, next.c], [512, 8, 64, 8]);
    assert.deepEqual(validateConfig(next), []);
  });

  it('to and from DeepSpeed: n and heads travel, block parameters come from the preset', () => {
    const ds = switchPreset(mine, 'deepspeed-fixed');
    assert.deepEqual([ds.pattern, ds.n, ds.heads], ['deepspeed-fixed', 512, 8]);
    assert.deepEqual(validateConfig(ds), []);
    const back = switchPreset({ ...ds, n: 1024 }, 'fixed') as FactorizedConfig;
    assert.deepEqual([back.n, back.heads], [1024, 8]);
  });

  it('n stays the user\'s even when the new preset objects to it; the n field then says why', () => {
    const odd = switchPreset({ ...mine, n: 100 }, 'deepspeed-fixed');
    assert.equal(odd.n, 100);
    assert.match(validateConfig(odd).map((i) => `${i.field}: ${i.message}`).join(), /^n: Sequence Length, 100, needs to be dividable by Block size/);
  });

  it('the whole new config: the shared values, and the preset\'s defaults for everything else', () => {
    assert.deepEqual(switchPreset(mine, 'deepspeed-variable'), { ...defaultConfig('deepspeed-variable'), n: 512, heads: 8 });
    assert.deepEqual(switchPreset(mine, 'local'), { ...mine, pattern: 'local' });
    // A value of another type is not shared (a hand-edited setting, say): the default stands.
    assert.equal((switchPreset({ ...mine, stride: '64' as unknown as number }, 'strided') as FactorizedConfig).stride, 32);
  });

  it('heads stays the user\'s too when the new preset objects; the heads field then says why', () => {
    const three = switchPreset({ ...mine, heads: 3, stride: 128 }, 'openai-fixed');
    assert.equal(three.heads, 3);
    assert.deepEqual(validateConfig(three).map((i) => i.field), ['heads']);
  });

  it("an objection to n or heads alone keeps the user's other values (jukebox with a kept l, OpenAI with a kept l)", () => {
    const jukebox = switchPreset({ ...mine, n: 100, stride: 16, c: 4, bidirectional: false }, 'jukebox-summary') as FactorizedConfig;
    assert.deepEqual([jukebox.n, jukebox.stride, jukebox.c, jukebox.mode, jukebox.layer], [100, 16, 4, 'split', 3]);
    assert.deepEqual(validateConfig(jukebox).map((i) => i.field), ['n']);
    const openai = switchPreset({ ...mine, heads: 3, stride: 256 }, 'openai-fixed');
    assert.deepEqual(openai, { ...defaultConfig('openai-fixed'), n: 512, heads: 3, stride: 256 });
    assert.deepEqual(validateConfig(openai).map((i) => i.field), ['heads']);
  });

  it('n and heads of another type are not kept either: the defaults stand', () => {
    const next = switchPreset({ ...mine, n: '512' as unknown as number, heads: '8' as unknown as number }, 'strided');
    assert.deepEqual([next.n, next.heads], [defaultConfig('strided').n, defaultConfig('strided').heads]);
    assert.deepEqual(validateConfig(next), []);
  });

  it('a kept value that breaks a rule on a field already at its default is dropped too (OpenAI with a kept l of 64)', () => {
    const next = switchPreset({ ...mine, stride: 64 }, 'openai-fixed');
    assert.deepEqual(validateConfig(next), []);
    assert.deepEqual(next, { ...defaultConfig('openai-fixed'), n: 512, heads: 8 });
  });
});
