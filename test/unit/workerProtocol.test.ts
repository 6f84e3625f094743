/** Page <-> worker messages: checked on arrival by the worker protocol's schemas. */
import { strict as assert } from 'assert';
import { defaultConfig } from '../../src/core';
import { parseWorkerReply, parseWorkerRequest } from '../../webview/compute/workerProtocol';

describe('worker protocol schemas', () => {
  const config = defaultConfig('fixed');
  const f = (n: number) => new Float32Array(n);

  it('accepts the requests the page sends, with tensors as typed arrays', () => {
    const requests = [
      { type: 'compute', config, input: { heads: 1, n: 2, d: 2, q: f(4), k: f(4), v: f(4) }, withProbs: true, serve: false },
      { type: 'compute', config, input: { synthetic: { tokens: ['a'], embeddings: { dim: 2, values: f(2) } } }, withProbs: false, serve: true },
      { type: 'serve', config, input: { synthetic: { tokens: [] } }, lse: f(4) },
      { type: 'pool', id: 1, channel: 'export', view: { row: 0, col: 0, span: 8 }, size: 4 },
      { type: 'row', id: 2, head: 0, i: 3 },
      { type: 'analyze', id: 3, config, reachLimit: 4096 },
      { type: 'poolMask', id: 4, view: { row: 0, col: 0, span: 8 }, size: 4, pooling: 'share' },
    ];
    for (const r of requests) assert.ok(parseWorkerRequest(r), r.type);
  });

  it('refuses malformed requests and replies', () => {
    for (const r of [
      { type: 'compute', config, input: { heads: 1, n: 2, d: 2, q: [0, 0, 0, 0], k: f(4), v: f(4) }, withProbs: true, serve: false },
      { type: 'pool', id: 1, channel: 'elsewhere', view: { row: 0, col: 0, span: 8 }, size: 4 },
      { type: 'analyze', id: 3, config: { pattern: 'fixed' }, reachLimit: 4096 },
      { type: 'launch' },
    ]) {
      assert.equal(parseWorkerRequest(r), undefined, JSON.stringify(r));
    }
    assert.ok(parseWorkerReply({ type: 'row', id: 1, cols: new Int32Array(2), values: f(2) }));
    assert.equal(parseWorkerReply({ type: 'row', id: 1, cols: [1, 2], values: f(2) }), undefined);
    assert.ok(parseWorkerReply({ type: 'result', kernel: 'js', out: f(4), lse: new Float64Array(2), probs: [{ rowPtr: new Int32Array(3), cols: new Int32Array(0), values: f(0) }], ms: 1, serving: false }));
    assert.equal(parseWorkerReply({ type: 'result', kernel: 'js', out: f(4), lse: f(2), probs: [{ rowPtr: [0] }], ms: 1, serving: false }), undefined);
  });
});
