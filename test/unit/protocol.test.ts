/** The host <-> webview protocol: one schema per message, each side's check on arrival. */
import { strict as assert } from 'assert';
import { defaultConfig } from '../../src/core';
import { parseHostMessage, parseWebviewMessage } from '../../src/protocol';

describe('protocol schemas', () => {
  const config = defaultConfig('fixed');
  const t = (...x: number[]) => Float32Array.from(x);
  const sequence = { tokens: ['a', 'b'], source: 'pasted text', qkv: { heads: 1, d: 2, q: t(1, 2, 3, 4), k: t(1, 2, 3, 4), v: t(1, 2, 3, 4) } };
  const settings = { computeBackend: 'auto', mapRenderer: 'canvas2d' };

  it('accepts every well-formed host message and returns it', () => {
    const messages = [
      { type: 'init', state: { config, sequence }, settings },
      { type: 'settings', settings },
      { type: 'setConfig', config: defaultConfig('deepspeed-variable') },
      { type: 'setSequence', sequence: { ...sequence, bulkId: 'abc-1' } },
      { type: 'pasteError', message: 'no' },
      { type: 'requestPng', id: 3 },
      { type: 'requestPng', id: 4, resolution: 1024 },
      { type: 'requestSvg', id: 5 },
    ];
    for (const m of messages) assert.deepEqual(parseHostMessage(m), m, m.type);
  });

  it('refuses malformed host messages', () => {
    const bad = [
      { type: 'init', state: { config }, settings: { computeBackend: 'quantum', mapRenderer: 'auto' } },
      { type: 'setConfig', config: { ...config, stride: 'wide' } },
      { type: 'setConfig', config: { ...defaultConfig('deepspeed-variable'), localWindowBlocks: 4 } },
      { type: 'setSequence', sequence: { ...sequence, qkv: { ...sequence.qkv, q: t(1, 2, 3) } } },
      { type: 'setSequence', sequence: { ...sequence, qkv: { ...sequence.qkv, k: t(1, 2, NaN, 4) } } },
      // Tensors travel as Float32Array, never as JSON number lists.
      { type: 'setSequence', sequence: { ...sequence, qkv: { ...sequence.qkv, v: [1, 2, 3, 4] } } },
      { type: 'setSequence', sequence: { tokens: ['a'], source: 's', embeddings: { dim: 2, values: [1, 2] } } },
      { type: 'setSequence', sequence: { ...sequence, bulkId: '../../etc' } },
      { type: 'requestPng', id: 1, resolution: 8193 },
      { type: 'requestPng', id: 1, resolution: 100.5 },
      { type: 'nonsense' },
      'init',
      null,
    ];
    for (const m of bad) assert.equal(parseHostMessage(m), undefined, JSON.stringify(m));
  });

  it('accepts well-formed webview messages, drops unknown fields, refuses the malformed', () => {
    const summary = { config, heads: 4, nnz: [1, 2, 3, 4], unionNnz: 9, errors: [{ field: 'c', message: 'x' }], warnings: [], ms: 3 };
    assert.deepEqual(parseWebviewMessage({ type: 'rendered', summary }), { type: 'rendered', summary });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    const compute = { backend: 'cpu', kernel: 'js', reason: 'r', n: 4, heads: 1, ms: 1, stages: { compute: 1 }, check: { rows: 8, maxError: NaN } };
    assert.ok(parseWebviewMessage({ type: 'computed', compute }), 'a NaN error in the check is still a report');
    assert.ok(parseWebviewMessage({ type: 'tokenize', text: 'x', tokenizer: 'qkv' }));
    for (const m of [
      { type: 'tokenize', text: 'x', tokenizer: 'klingon' },
      { type: 'png', id: 1, dataUrl: 'data:text/html,<script>' },
      { type: 'svg', id: 1, text: '<script>' },
      { type: 'rendered', summary: { ...summary, nnz: 'many' } },
      { type: 'stateChanged', state: { config: { pattern: 'fixed' } } },
      { type: 'mapsDrawn', maps: { n: 4, kind: 'pie', renderer: 'webgl2', pooledOn: 'gpu', span: 4 } },
    ]) {
      assert.equal(parseWebviewMessage(m), undefined, JSON.stringify(m));
    }
  });
});
