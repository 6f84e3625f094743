import { strict as assert } from 'assert';
import { defaultConfig, FactorizedConfig } from '../../src/core';
import { openWebview, WebviewPage } from './harness';

/** The config form as a user meets it: switching presets, a window as long as n, a paste that fails. */
describe('the config form', function () {
  this.timeout(60000);
  let view: WebviewPage;
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 512, heads: 8, stride: 64, c: 8, subblocks: 4 };
  const rendered = async (before: number) => {
    await view.page.waitForFunction((b) => (window as any).__posted.filter((m: any) => m.type === 'rendered').length > b, before);
    const all = await view.posted('rendered');
    return all[all.length - 1].summary;
  };

  before(async () => {
    view = await openWebview();
    await view.page.evaluate((c) => window.postMessage({ type: 'init', state: { config: c }, settings: { computeBackend: 'auto', mapRenderer: 'auto' } }, '*'), config);
    await rendered(0);
  });
  after(async () => view?.close());

  it('switching presets keeps n, heads, l and c; what the new preset rejects falls back to its default', async () => {
    let before = (await view.posted('rendered')).length;
    await view.page.selectOption('#field-pattern', 'lra-fixed');
    const lra = await rendered(before);
    assert.deepEqual([lra.config.n, lra.config.heads, lra.config.stride, lra.config.c, lra.config.subblocks], [512, 8, 64, 8, 1]);
    assert.deepEqual(lra.errors, []);
    assert.equal(await view.page.inputValue('#field-stride'), '64');
    before = (await view.posted('rendered')).length;
    await view.page.selectOption('#field-pattern', 'fixed');
    const back = await rendered(before);
    assert.deepEqual([back.config.n, back.config.heads, back.config.stride, back.config.c], [512, 8, 64, 8]);
  });

  it('warns when one window spans the whole sequence (n ≤ l): every head is the same dense triangle', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.fill('#field-stride', '512');
    const summary = await rendered(before);
    assert.match(summary.warnings.join(), /n \(512\) ≤ l \(512\): the whole sequence is one window, so every head is the same dense causal triangle/);
    assert.match(await view.page.locator('.messages').innerText(), /one window/);
    await view.page.fill('#field-stride', '64');
  });

  it('says when rows attend to nothing (split mode), in the messages and the statistics', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.selectOption('#field-mode', 'split');
    const summary = await rendered(before);
    assert.match(summary.warnings.join(), /rows attend to nothing \(head 1: \d+, head 3: \d+/);
    assert.match(await view.page.locator('.messages').innerText(), /rows attend to nothing/);
    assert.match(await view.page.locator('.stats').innerText(), /rows attending to nothing/);
    await view.page.selectOption('#field-mode', 'merged');
  });

  it('a paste that cannot be read says why next to the text box, and keeps the text', async () => {
    await view.page.locator('.paste summary').click();
    await view.page.fill('#paste-text', '{"q": [[1, 2]], "k": [[1]]}');
    await view.page.selectOption('#paste-tokenizer', 'qkv');
    await view.page.getByRole('button', { name: 'Use as sequence' }).click();
    const [request] = await view.posted('tokenize');
    assert.equal(request.tokenizer, 'qkv');
    // The host answers as it does in VS Code (the real host's message is tested in the VS Code suite).
    await view.page.evaluate(() => window.postMessage({ type: 'pasteError', message: 'pasted Q/K/V: "v" is missing; give {"q", "k", "v"}, each [n, d] or [heads, n, d]' }, '*'));
    await view.page.waitForFunction(() => (document.getElementById('paste-error')?.textContent ?? '').length > 0);
    assert.match(await view.page.locator('#paste-error').innerText(), /"v" is missing/);
    assert.equal(await view.page.getAttribute('#paste-text', 'aria-invalid'), 'true');
    assert.equal(await view.page.inputValue('#paste-text'), '{"q": [[1, 2]], "k": [[1]]}', 'the text stays for fixing');
    assert.equal(await view.page.getAttribute('#paste-error', 'role'), 'alert');
  });
});

describe('map edges when zoomed in', function () {
  this.timeout(60000);
  let view: WebviewPage;
  after(async () => view?.close());

  it('label query and key positions, with their tokens once cells are wide enough', async () => {
    view = await openWebview();
    const tokens = Array.from({ length: 64 }, (_, k) => `tok${k}`);
    const config = { ...(defaultConfig('fixed') as FactorizedConfig), n: 64, heads: 2, stride: 16, c: 2, subblocks: 2 };
    await view.page.evaluate((c) => window.postMessage({ type: 'init', state: { config: c }, settings: { computeBackend: 'auto', mapRenderer: 'auto' } }, '*'), config);
    await view.mapsSettled();
    await view.page.evaluate((t) => window.postMessage({ type: 'setSequence', sequence: { tokens: t, source: 'a test' } }, '*'), tokens);
    await view.mapsSettled();
    // 64 cells on 256 CSS pixels: 4 px a cell, positions only, about 12 along an edge.
    const plain = await view.page.locator('.maps figure').first().locator('.axis-top .axis-label').allInnerTexts();
    assert.deepEqual(plain.slice(0, 3), ['0', '6', '12']);
    await view.page.locator('.maps canvas').first().focus();
    for (let k = 0; k < 2; k++) await view.page.keyboard.press('+');
    await view.mapsSettled();
    // 16 cells: 16 px each, every position with its token.
    const top = await view.page.locator('.maps figure').first().locator('.axis-top .axis-label').allInnerTexts();
    const left = await view.page.locator('.maps figure').first().locator('.axis-left .axis-label').allInnerTexts();
    const label = await view.page.locator('.view-label').innerText();
    const [, row, col] = /^rows (\d+)–\d+, columns (\d+)–/.exec(label)!.map(Number);
    assert.equal(top.length, 16);
    assert.equal(top[0], `${col} tok${col}`);
    assert.equal(left[3], `${row + 3} tok${row + 3}`);
    await view.page.screenshot({ path: 'test-results/screenshots/webview-axes.png' });
  });
});
