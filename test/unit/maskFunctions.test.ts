import { strict as assert } from 'assert';
import { configFromDefaults, findMaskFunctions, maskCallFor } from '../../src/code/maskFunctions';
import { defaultConfig, FactorizedConfig } from '../../src/core';

const SOURCE = `"""def docstring_mask(n): return 1 -- a string, not a def."""
import numpy as np

# def commented_mask(n): return 0
def lra_mask(seq_len=64, l: int = 8, c=2, *, causal=True, scale=-1, name='x', extra=np.pi):
    def inner_mask(n):
        return n
    return np.zeros((seq_len, seq_len), dtype=bool)

def helper(n):
    return n

def mask_without_return(n):
    print(n)

@functools.lru_cache()
def build_layout(n_ctx, num_heads, *args, **kwargs):
    return None

class Model:
    def attention_mask(self, n):
        return 1

def pattern_needs_more(n, window):
    return window
`;

describe('mask functions in Python source', () => {
  const found = findMaskFunctions(SOURCE);

  it('finds module-level defs named like a mask builder that take n and return a value', () => {
    assert.deepEqual(
      found.map((f) => f.name),
      ['lra_mask', 'build_layout', 'pattern_needs_more'],
    );
  });

  it('places the lens on the def line (0-based, decorators excluded)', () => {
    assert.deepEqual(found[0].range, { start: { line: 4, character: 0 }, end: { line: 4, character: 12 } });
    assert.deepEqual(found[1].range, { start: { line: 16, character: 0 }, end: { line: 16, character: 16 } });
  });

  it('reads literal defaults and marks the others', () => {
    assert.deepEqual(found[0].params, [
      { name: 'seq_len', hasDefault: true, default: 64, variadic: false },
      { name: 'l', hasDefault: true, default: 8, variadic: false },
      { name: 'c', hasDefault: true, default: 2, variadic: false },
      { name: 'causal', hasDefault: true, default: true, variadic: false },
      { name: 'scale', hasDefault: true, default: -1, variadic: false },
      { name: 'name', hasDefault: true, default: 'x', variadic: false },
      { name: 'extra', hasDefault: true, variadic: false },
    ]);
    assert.deepEqual(
      found[1].params.map((p) => [p.name, p.variadic]),
      [['n_ctx', false], ['num_heads', false], ['args', true], ['kwargs', true]],
    );
  });

  it('takes the pattern values from the defaults, then calls with the config', () => {
    const config = configFromDefaults(found[0], defaultConfig('fixed')) as FactorizedConfig;
    assert.equal(config.n, 64);
    assert.equal(config.stride, 8);
    assert.equal(config.c, 2);
    const call = maskCallFor(found[0], { ...config, c: 3 });
    assert.deepEqual(call.kwargs, { seq_len: 64, l: 8, c: 3 });
    assert.deepEqual(call.filled, [{ param: 'seq_len', key: 'n' }, { param: 'l', key: 'stride' }, { param: 'c', key: 'c' }]);
    assert.deepEqual(maskCallFor(found[1], { ...config, heads: 4 }).kwargs, { n_ctx: 64, num_heads: 4 });
  });

  it('refuses a call it cannot make, naming the parameter', () => {
    assert.throws(() => maskCallFor(found[2], defaultConfig('fixed')), /pattern_needs_more\(…\) needs "window", which fixed has no value for/);
  });

  it('ignores defaults of the wrong kind', () => {
    const fn = findMaskFunctions('def my_mask(n=12.5, l="8", c=True):\n    return 0\n')[0];
    const config = configFromDefaults(fn, defaultConfig('fixed')) as FactorizedConfig;
    assert.deepEqual([config.n, config.stride, config.c], [256, 32, 4]);
  });
});
