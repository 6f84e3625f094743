/** The hover readout's words, in Node: a cell's verdict and weight per head, and a pooled pixel. */
import { strict as assert } from 'assert';
import { attendHeads, buildPattern, defaultConfig, FactorizedConfig, syntheticQkv } from '../../src/core';
import { cellText, pixelText } from '../../webview/readoutText';
import { StoredWeights } from '../../webview/weightSource';

describe('hover readout text', () => {
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 16, heads: 2, stride: 4, c: 1, mode: 'split' };
  const mask = buildPattern(config);
  const sequence = { tokens: Array.from({ length: 16 }, (_, i) => `t${i}`), source: 'test' };

  it('names the set that allows the cell for every head, with the tokens; weights once computed', () => {
    const bare = { config, mask, sequence };
    // Head 0 takes A1 (the block), head 1 A2 (the last cell of each block).
    assert.equal(cellText(bare, undefined, -1, 5, 3), 'query i=5 “t5” → key j=3 “t3”: head 0: masked; head 1: allowed by A2');
    assert.equal(cellText(bare, undefined, 0, 5, 4), 'query i=5 “t5” → key j=4 “t4”: head 0: allowed by A1');
    const { probs } = attendHeads(mask, syntheticQkv(2, 16, [], 8), 0, 2, { out: new Float32Array(2 * 16 * 8), lse: new Float32Array(32) }, { withProbs: true });
    const weights = new StoredWeights(probs);
    const text = cellText({ ...bare, weights }, undefined, 1, 5, 3);
    assert.equal(text, `query i=5 “t5” → key j=3 “t3”: head 1: allowed by A2, weight ${weights.weightAt(1, 5, 3)!.toPrecision(3)}`);
  });

  it('a pooled pixel: its rows and columns, the largest weight under it, or that all are masked', () => {
    const { probs } = attendHeads(mask, syntheticQkv(2, 16, [], 8), 0, 2, { out: new Float32Array(2 * 16 * 8), lse: new Float32Array(32) }, { withProbs: true });
    const source = { config, mask, weights: new StoredWeights(probs) };
    assert.match(pixelText(source, undefined, 'k', 0, { i0: 4, i1: 8, j0: 4, j1: 8 }, 0, 4), /^rows 4–7, columns 4–7 share this pixel \(max-pooled\); largest weight under it 1\.00; zoom in for single cells$/);
    assert.match(pixelText(source, undefined, 'k', 0, { i0: 0, i1: 4, j0: 8, j1: 12 }, 0, 4), /every cell under it is masked/);
    // Pooled by a worker: the layer on screen answers, when it is the one for this view.
    const layers = { key: 'v', view: { row: 0, col: 0, span: 16 }, size: 4, layers: [Float32Array.from({ length: 16 }, (_, p) => p / 100), new Float32Array(16)] };
    assert.match(pixelText({ config, mask }, layers, 'v', 0, { i0: 0, i1: 4, j0: 4, j1: 8 }, 1, 4), /largest weight under it 0\.0100/);
    assert.doesNotMatch(pixelText({ config, mask }, layers, 'other view', 0, { i0: 0, i1: 4, j0: 4, j1: 8 }, 1, 4), /largest/);
  });
});
