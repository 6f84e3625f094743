import { strict as assert } from 'assert';
import { defaultConfig, FactorizedConfig } from '../../src/core';
import { sequenceFromText } from '../../src/sequence';
import { paletteIndex, VIRIDIS } from '../../webview/render/painter';
import { openWebview, postSequence, WebviewPage } from './harness';

/** Pasted Q/K/V replace the synthetic projections: the row view shows the user's own softmax. */
describe('pasted Q, K and V drive the maps', function () {
  this.timeout(60000);
  let view: WebviewPage;
  const text = JSON.stringify({ q: [[0, 0], [0, 0], [0, 0], [1, 2]], k: [[1, 0], [0, 1], [1, 1], [2, 0]], v: [[1, 0], [0, 1], [2, 2], [3, 1]] });
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 16, heads: 2, stride: 2, c: 1, subblocks: 1 };

  before(async () => {
    view = await openWebview();
    await view.page.evaluate((c) => window.postMessage({ type: 'init', state: { config: c }, settings: { computeBackend: 'auto', mapRenderer: 'auto' } }, '*'), config);
    await view.page.waitForSelector('.maps canvas');
  });
  after(async () => view?.close());

  it('are sent to the host as Q/K/V, and the sequence it returns sets n and computes with them', async () => {
    await view.page.click('.paste summary');
    await view.page.selectOption('#paste-tokenizer', 'qkv');
    await view.page.fill('#paste-text', text);
    await view.page.getByRole('button', { name: 'Use as sequence' }).click();
    const [request] = (await view.posted('tokenize')).slice(-1);
    assert.deepEqual(request, { type: 'tokenize', text, tokenizer: 'qkv' });
    // What the host answers (src/sequence.ts, the same function the extension runs).
    const sequence = sequenceFromText(text, 'qkv', 'pasted text');
    await postSequence(view.page, sequence);
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'computed' && m.compute.n === 4), undefined, { timeout: 30000 });
    assert.equal(await view.page.inputValue('#field-n'), '4');
    assert.match(await view.page.locator('.sequence').innerText(), /Sequence: 4 tokens from pasted text \(Q\/K\/V \[4, 2\], shared by every head\)/);
    await view.page.waitForSelector('.maps[data-kind="weights"] canvas');
    assert.match(await view.page.locator('.legend-source').innerText(), /^Weights from your pasted Q, K, V\.$/);
    await view.page.locator('.maps canvas').first().focus();
    for (let k = 0; k < 3; k++) await view.page.keyboard.press('ArrowDown');
    await view.page.keyboard.press('Enter');
    const rows = await view.page.locator('.top-keys li').allInnerTexts();
    // Row 3 allows keys 1, 2, 3; scores q3·k / √2 = 2, 3, 2 over √2.
    const e = [2, 3, 2].map((s) => Math.exp(s / Math.SQRT2));
    const sum = e[0] + e[1] + e[2];
    assert.deepEqual(
      rows.map((t) => /j=(\d+) “#\d”: ([\d.]+)/.exec(t)!.slice(1).map(Number)),
      [[2, Number((e[1] / sum).toPrecision(3))], [1, Number((e[0] / sum).toPrecision(3))], [3, Number((e[2] / sum).toPrecision(3))]],
    );
  });

  it('export as SVG: every head and the max, cell by cell, in the palette, masked cells left empty', async () => {
    await view.page.evaluate(() => window.postMessage({ type: 'requestSvg', id: 3 }, '*'));
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => (m.type === 'svg' || m.type === 'svgFailed') && m.id === 3));
    const [reply] = (await view.posted('svg')).filter((m) => m.id === 3);
    assert.ok(reply, 'an SVG came back');
    const svg: string = reply.text;
    assert.match(svg, /<title>fixed n=4, 2 heads: attention weights, log scale<\/title>/);
    assert.deepEqual([...svg.matchAll(/>(head \d|max over heads)<\/text>/g)].map((m) => m[1]), ['head 0', 'head 1', 'max over heads']);
    // Head 0, row 3 (4 px cells): keys 1, 2, 3 in the palette, key 0 masked (no rect).
    const head0 = svg.split('<g transform=')[1];
    const row3 = [...head0.matchAll(/<rect x="(\d+)" y="12" width="(\d+)" height="4" fill="(#[0-9a-f]{6})"\/>/g)].map((m) => [Number(m[1]) / 4, Number(m[2]) / 4, m[3]]);
    const e = [2, 3, 2].map((score) => Math.exp(score / Math.SQRT2));
    const sum = e[0] + e[1] + e[2];
    const hex = (w: number) => {
      const v = paletteIndex(w, true) * 3;
      return `#${[VIRIDIS[v], VIRIDIS[v + 1], VIRIDIS[v + 2]].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
    };
    assert.deepEqual(row3, [[1, 1, hex(e[0] / sum)], [2, 1, hex(e[1] / sum)], [3, 1, hex(e[2] / sum)]]);
  });

  it('a config they do not fit says what to change instead of computing', async () => {
    const before = (await view.posted('computeFailed')).length;
    await view.page.fill('#field-n', '8');
    await view.page.waitForFunction((b) => (window as any).__posted.filter((m: any) => m.type === 'computeFailed').length > b, before);
    assert.match(await view.page.locator('.compute-status').innerText(), /Attention not computed: the pasted Q\/K\/V have 4 rows but n is 8: set n to 4 or less/);
  });

  it('a large paste travels once: each edit saves and reports the state without the numbers', async () => {
    // 4096 x 64 shared Q/K/V (786,432 numbers), held by the host under a reference as it does.
    const n = 4096;
    const d = 64;
    const values = (seed: number) => Array.from({ length: n * d }, (_, x) => Math.sin(x * 0.37 + seed));
    const sequence = { tokens: Array.from({ length: n }, (_, i) => `#${i}`), source: `pasted text (Q/K/V [${n}, ${d}], shared by every head)`, qkv: { heads: 1, d, q: values(1), k: values(2), v: values(3) }, bulkId: 'paste-1' };
    await postSequence(view.page, sequence);
    await view.page.waitForFunction((n) => (window as any).__posted.some((m: any) => m.type === 'computed' && m.compute.n === n), n, { timeout: 60000 });
    const before = (await view.posted('stateChanged')).length;
    const computedBefore = (await view.posted('computed')).filter((m) => m.compute.n === n).length;
    await view.page.fill('#field-c', '2');
    await view.page.waitForFunction((b) => (window as any).__posted.filter((m: any) => m.type === 'stateChanged').length > b, before);
    const [reported] = (await view.posted('stateChanged')).slice(-1);
    assert.equal(reported.state.config.c, 2);
    assert.deepEqual(reported.state.sequence, { tokens: sequence.tokens, source: sequence.source, bulkId: 'paste-1' }, 'no numbers, the reference');
    assert.ok(JSON.stringify(reported).length < 64 * 1024, `${JSON.stringify(reported).length} bytes per edit`);
    const saved = await view.page.evaluate(() => JSON.stringify((window as any).__state));
    assert.ok(saved.length < 64 * 1024 && saved.includes('"bulkId":"paste-1"') && !saved.includes('"qkv"'), 'setState saves the reference only');
    // The page itself still computes with the pasted numbers.
    await view.page.waitForFunction((b) => (window as any).__posted.filter((m: any) => m.type === 'computed' && m.compute.n === 4096).length > b, computedBefore, { timeout: 60000 });
    assert.match(await view.page.locator('.legend-source').innerText(), /^Weights from your pasted Q, K, V\.$/);
  });
});
