import { strict as assert } from 'assert';
import { buildPattern, defaultConfig, FactorizedConfig, parseQkv, qkvForConfig, referenceAttention } from '../../src/core';
import { isInspectorState } from '../../src/protocol';
import { sequenceFromText } from '../../src/sequence';

const Q = [[0, 0], [0, 0], [0, 0], [1, 2]];
const K = [[1, 0], [0, 1], [1, 1], [2, 0]];
const V = [[1, 0], [0, 1], [2, 2], [3, 1]];

describe('pasted Q, K and V', () => {
  it('reads [n, d] as one set shared by every head, and [heads, n, d] per head', () => {
    const shared = parseQkv(JSON.stringify({ q: Q, k: K, v: V }));
    assert.deepEqual([shared.heads, shared.n, shared.d], [1, 4, 2]);
    assert.deepEqual(Array.from(shared.k), K.flat());
    const perHead = parseQkv(JSON.stringify({ q: [Q, K], k: [K, K], v: [V, V] }));
    assert.deepEqual([perHead.heads, perHead.n, perHead.d], [2, 4, 2]);
  });

  it('says what is wrong and what to paste instead', () => {
    assert.throws(() => parseQkv('[[1]]'), /expected a JSON object with q, k and v/);
    assert.throws(() => parseQkv('{"q": [[1]], "k": [[1]]}'), /missing v/);
    assert.throws(() => parseQkv('{"q": [[1, 2]], "k": [[1]], "v": [[1, 2]]}'), /k has shape \[1,1\] but q has \[1,2\]/);
    assert.throws(() => parseQkv('{"q": [[1, 2], [3]], "k": [[1, 2], [3]], "v": [[1, 2], [3]]}'), /q\[1\] should hold 2 entries like the first one; it is 1 long/);
    assert.throws(() => parseQkv('{"q": [[1, "x"]], "k": [[1, 2]], "v": [[1, 2]]}'), /q\[0\]\[1\] is "x", not a finite number/);
    // Finite in float64, Infinity in float32 (what attention computes in).
    assert.throws(() => parseQkv('{"q": [[1, 2]], "k": [[1e39, 2]], "v": [[1, 2]]}'), /k\[0\]\[0\] is 1e\+39, beyond float32/);
    assert.throws(() => parseQkv('{"q": [1, 2], "k": [1, 2], "v": [1, 2]}'), /q must be \[n, d\] or \[heads, n, d\]; it has 1 dimensions/);
    assert.throws(() => parseQkv('{"q": '), /the pasted JSON does not parse/);
  });

  it('fit a config: shared sets repeat per head, per-head sets must match heads, n may be shorter', () => {
    const shared = parseQkv(JSON.stringify({ q: Q, k: K, v: V }));
    const qkv = qkvForConfig(shared, 3, 3);
    assert.deepEqual([qkv.heads, qkv.n, qkv.d], [3, 3, 2]);
    assert.deepEqual(Array.from(qkv.q.subarray(12, 18)), Q.slice(0, 3).flat(), 'head 2 has the shared rows');
    const perHead = parseQkv(JSON.stringify({ q: [Q, K], k: [K, K], v: [V, V] }));
    assert.throws(() => qkvForConfig(perHead, 4, 4), /have 2 heads but the config has 4: set heads to 2/);
    assert.throws(() => qkvForConfig(shared, 1, 8), /have 4 rows but n is 8: set n to 4 or less/);
    assert.deepEqual(Array.from(qkvForConfig(perHead, 2, 4).q.subarray(8, 16)), K.flat(), 'head 1 has its own rows');
  });

  it('drive attention exactly: row 3 of the fixed pattern (l = 2) is the softmax over keys 1, 2, 3', () => {
    const config = { ...(defaultConfig('fixed') as FactorizedConfig), n: 4, heads: 1, stride: 2, c: 1, subblocks: 1 };
    const qkv = qkvForConfig(parseQkv(JSON.stringify({ q: Q, k: K, v: V })), 1, 4);
    const probs = referenceAttention(buildPattern(config), qkv).probs![0];
    const scores = [2, 3, 2].map((s) => Math.exp(s / Math.SQRT2));
    const sum = scores.reduce((a, b) => a + b);
    assert.deepEqual(Array.from(probs.cols.subarray(probs.rowPtr[3], probs.rowPtr[4])), [1, 2, 3]);
    Array.from(probs.values.subarray(probs.rowPtr[3], probs.rowPtr[4])).forEach((p, t) => assert.ok(Math.abs(p - scores[t] / sum) < 1e-12));
  });

  it('become a sequence the protocol accepts, labelled by position', () => {
    const sequence = sequenceFromText(JSON.stringify({ q: [Q, K], k: [K, K], v: [V, V] }), 'qkv', 'pasted text');
    assert.deepEqual(sequence.tokens, ['#0', '#1', '#2', '#3']);
    assert.equal(sequence.source, 'pasted text (Q/K/V [2, 4, 2])');
    assert.ok(isInspectorState({ config: defaultConfig('fixed'), sequence }));
    assert.ok(!isInspectorState({ config: defaultConfig('fixed'), sequence: { ...sequence, qkv: { ...sequence.qkv!, q: [1] } } }), 'a short q is refused');
  });
});
