/**
 * synthetic.ts: Q/K/V made from token hashes or pasted embeddings, checked value for value against
 * an oracle written here from the published definitions (FNV-1a 32 in BigInt arithmetic, checked on
 * its standard test vectors; Marsaglia's xorshift32 (13, 17, 5), checked on the paper's first output),
 * with float32 storage where the arrays are float32.
 */
import { strict as assert } from 'assert';
import { attentionInputFor, defaultConfig, PatternConfig, resolveInput, SYNTHETIC_D, syntheticQkv } from '../../src/core';
import { QkvError } from '../../src/core/pastedQkv';

function fnv1a(text: string): number {
  let h = 0x811c9dc5n;
  for (let k = 0; k < text.length; k++) h = ((h ^ BigInt(text.charCodeAt(k))) * 0x01000193n) % 2n ** 32n;
  return Number(h);
}

function xorshift32(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    return s;
  };
}

/** The stream a seed names: uniform in [-1, 1). */
function stream(seed: string): () => number {
  const next = xorshift32(fnv1a(seed) || 1);
  return () => (next() / 2 ** 32) * 2 - 1;
}

function expected(heads: number, n: number, tokens: string[], d: number, embeddings?: { dim: number; values: number[] }) {
  const weights = ['q', 'k', 'v'].map((name) => {
    const random = stream(`W_${name}`);
    return Array.from({ length: heads * d * d }, () => Math.fround(random() / Math.sqrt(d)));
  });
  const rows = embeddings ? embeddings.values.length / embeddings.dim : 0;
  const inRandom = stream('W_in');
  const inW = embeddings && embeddings.dim !== d ? Array.from({ length: embeddings.dim * d }, () => Math.fround(inRandom() / Math.sqrt(embeddings.dim))) : undefined;
  const out = [0, 1, 2].map(() => new Array<number>(heads * n * d).fill(0));
  for (let i = 0; i < n; i++) {
    let e: number[];
    if (embeddings && i < rows) {
      const row = embeddings.values.slice(i * embeddings.dim, (i + 1) * embeddings.dim);
      e = inW
        ? Array.from({ length: d }, (_, c) => Math.fround(row.reduce((s, x, f) => s + x * inW[f * d + c], 0)))
        : row.map(Math.fround);
    } else {
      const random = stream(`${i < tokens.length ? tokens[i] : ''}\u0000${i}`);
      e = Array.from({ length: d }, () => Math.fround(random()));
    }
    for (let m = 0; m < 3; m++) {
      for (let h = 0; h < heads; h++) {
        for (let c = 0; c < d; c++) out[m][(h * n + i) * d + c] = Math.fround(e.reduce((s, x, f) => s + x * weights[m][(h * d + f) * d + c], 0));
      }
    }
  }
  return { heads, n, d, q: out[0], k: out[1], v: out[2] };
}

function assertSame(actual: ReturnType<typeof syntheticQkv>, wanted: ReturnType<typeof expected>): void {
  assert.deepEqual([actual.heads, actual.n, actual.d], [wanted.heads, wanted.n, wanted.d], 'shape');
  for (const name of ['q', 'k', 'v'] as const) {
    assert.ok(actual[name] instanceof Float32Array, `${name} is float32`);
    assert.deepEqual(Array.from(actual[name]), wanted[name], name);
  }
}

const config = (n: number, heads: number): PatternConfig => ({ ...defaultConfig('fixed'), n, heads }) as PatternConfig;

describe('synthetic Q/K/V (small cases)', () => {
  it('the oracle: FNV-1a 32 on its test vectors, xorshift32 on Marsaglia\'s first output', () => {
    assert.equal(fnv1a(''), 0x811c9dc5);
    assert.equal(fnv1a('a'), 0xe40c292c);
    assert.equal(fnv1a('foobar'), 0xbf9cf968);
    assert.equal(xorshift32(2463534242)(), 723471715);
  });

  it('tokens hashed with their position; positions past the tokens hash the empty text', () => {
    assertSame(syntheticQkv(2, 3, ['a', 'bc'], 4), expected(2, 3, ['a', 'bc'], 4));
    assertSame(syntheticQkv(1, 2, ['x', 'x'], 3), expected(1, 2, ['x', 'x'], 3));
  });

  it('defaults: no tokens, d = SYNTHETIC_D = 64', () => {
    assert.equal(SYNTHETIC_D, 64);
    assertSame(syntheticQkv(1, 2), expected(1, 2, [], 64));
  });

  it('pasted embeddings of width d are used as they are, then the hash takes over', () => {
    const embeddings = { dim: 3, values: [0.5, -1, 2, 3, 0.25, -0.75] };
    assertSame(syntheticQkv(2, 4, ['p', 'q', 'r'], 3, embeddings), expected(2, 4, ['p', 'q', 'r'], 3, embeddings));
  });

  it('pasted embeddings of another width go through the seeded W_in', () => {
    const embeddings = { dim: 5, values: [1, -2, 0.5, 3, -1, 0.25, 0.75, -0.5, 2, 1.5] };
    const made = syntheticQkv(1, 3, [], 3, embeddings);
    assertSame(made, expected(1, 3, [], 3, embeddings));
    // A different W_in seed or scale would change every projected row; row 2 is hashed.
    assert.notDeepEqual(Array.from(made.q.subarray(0, 3)), Array.from(syntheticQkv(1, 3, [], 3).q.subarray(0, 3)));
    assert.deepEqual(Array.from(made.q.subarray(6, 9)), Array.from(syntheticQkv(1, 3, [], 3).q.subarray(6, 9)));
  });

  it('the attention input: pasted Q/K/V fitted to the config, else the first n tokens left to the worker', () => {
    assert.deepEqual(attentionInputFor(config(3, 2)), { synthetic: { tokens: [], embeddings: undefined } });
    const embeddings = { dim: 2, values: [1, 2] };
    assert.deepEqual(attentionInputFor(config(3, 2), { tokens: ['a', 'b', 'c', 'd', 'e'], embeddings }), { synthetic: { tokens: ['a', 'b', 'c'], embeddings } });
    const pasted = { heads: 1, d: 2, q: [1, 2, 3, 4, 5, 6], k: [7, 8, 9, 10, 11, 12], v: [13, 14, 15, 16, 17, 18] };
    const fitted = attentionInputFor(config(2, 2), { tokens: ['a'], qkv: pasted });
    assert.ok(!('synthetic' in fitted));
    assert.deepEqual({ ...fitted, q: Array.from(fitted.q), k: Array.from(fitted.k), v: Array.from(fitted.v) }, {
      heads: 2,
      n: 2,
      d: 2,
      q: [1, 2, 3, 4, 1, 2, 3, 4],
      k: [7, 8, 9, 10, 7, 8, 9, 10],
      v: [13, 14, 15, 16, 13, 14, 15, 16],
    });
    assert.throws(() => attentionInputFor(config(4, 2), { tokens: [], qkv: pasted }), QkvError);
  });

  it('resolving: synthetic inputs are made at d = 64 from the tokens and embeddings; Q/K/V pass through', () => {
    const embeddings = { dim: 2, values: [1, -1] };
    assertSame(resolveInput(config(2, 1), { synthetic: { tokens: ['t'], embeddings } }), expected(1, 2, ['t'], 64, embeddings));
    const given = syntheticQkv(1, 2, [], 4);
    assert.equal(resolveInput(config(2, 1), given), given);
  });
});
