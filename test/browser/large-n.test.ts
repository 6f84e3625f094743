import { strict as assert } from 'assert';
import { buildPattern, defaultConfig, FactorizedConfig, patternStats } from '../../src/core';
import { openWebview, WebviewPage } from './harness';

/**
 * n = 2^20 in the panel: the mask, its statistics and each view's pooled maps come from a worker
 * (the page never builds them), attention is skipped with the memory it would need, and configs
 * past what the inspector can afford are refused in their field before any work starts.
 */
describe('n up to 2^20: the pattern worker, and what the inspector refuses', function () {
  this.timeout(180000);
  let view: WebviewPage;
  const big: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 1 << 20, stride: 128, c: 4, heads: 8, subblocks: 4 };

  before(async () => {
    view = await openWebview();
  });
  after(async () => view?.close());

  const rendered = (n: number) =>
    view.page.waitForFunction((n) => (window as any).__posted.some((m: any) => m.type === 'rendered' && m.summary.config.n === n), n, { timeout: 150000 });

  it('builds n = 1,048,576 in a worker: statistics equal the engine, masks pooled per view, attention skipped with its memory', async () => {
    await view.page.evaluate((c) => window.postMessage({ type: 'init', state: { config: c }, settings: { computeBackend: 'auto', mapRenderer: 'auto' } }, '*'), big);
    await view.page.waitForSelector('#app[data-status="analysing"] .analysis-progress progress');
    await rendered(big.n);
    const [summary] = (await view.posted('rendered')).filter((m) => m.summary.config.n === big.n);
    const expected = patternStats(buildPattern(big), 64);
    assert.deepEqual(summary.summary.nnz, expected.heads.map((h) => h.nnz));
    assert.equal(summary.summary.unionNnz, expected.union.nnz);
    await view.page.waitForSelector('.maps[data-kind="mask"][data-pooled-on="worker"] canvas');
    assert.equal(await view.page.locator('.maps canvas').count(), 9, '8 heads and the union');
    // Zoomed out this far "any allowed cell" fills every pixel: auto shows the share, and says so.
    await view.mapsSettled();
    assert.match(await view.page.locator('.legend').innerText(), /share of allowed cells under each pixel/);
    await view.page.screenshot({ path: 'test-results/screenshots/webview-n1048576.png' });
    assert.match(await view.page.locator('.stats').innerText(), /1,048,576|union/);
    await view.page.waitForFunction(() => /Attention not computed: Q, K, V and the output of 8 heads × 1,048,576 positions × d = 64 need 8\.0 GiB \(limit 1\.0 GiB\): the maps show the masks/.test(document.querySelector('.compute-status')!.textContent ?? ''));
    // Zooming asks the worker for the new view's masks.
    await view.page.locator('.maps canvas').first().focus();
    for (let k = 0; k < 4; k++) await view.page.keyboard.press('+');
    await view.page.waitForFunction(() => (window as any).__posted.filter((m: any) => m.type === 'mapsDrawn' && m.maps.n === 1 << 20 && m.maps.span < 1 << 20).length > 0, undefined, { timeout: 60000 });
  });

  it('a newer config cancels the analysis of the previous one: only the newest is drawn', async () => {
    const first = { ...big, n: 786432 };
    const second = { ...big, n: 524288, stride: 64 };
    const before = (await view.posted('rendered')).length;
    await view.page.evaluate((c) => window.postMessage({ type: 'setConfig', config: c }, '*'), first);
    await view.page.waitForSelector('#app[data-status="analysing"]');
    await view.page.evaluate((c) => window.postMessage({ type: 'setConfig', config: c }, '*'), second);
    await rendered(second.n);
    const after = (await view.posted('rendered')).slice(before);
    assert.deepEqual(after.map((m) => m.summary.config.n), [second.n], 'the cancelled config never reports a render');
  });

  it('refuses n past 2^20 in the n field, with the limit and what to use instead', async () => {
    await view.page.fill('#field-n', String((1 << 20) + 1));
    await view.page.waitForFunction(() => (document.querySelector('#field-n-error')?.textContent ?? '').length > 0);
    assert.match(await view.page.locator('#field-n-error').innerText(), /n = 1,048,577 is past the inspector's limit of 1,048,576 \(2\^20\) positions; `sparse-attn stats` takes up to 2\^24/);
    assert.equal(await view.page.locator('.maps').getAttribute('data-stale'), 'true', 'the old maps are greyed, not shown as current');
  });

  it('refuses a pattern that would store too many tiles in the field to change, with the estimate', async () => {
    // Its block layout (128 MiB) is allowed; the tiles it would store are not.
    const deepspeed = { ...defaultConfig('deepspeed-fixed'), n: 1 << 16, heads: 8, block: 16 };
    await view.page.evaluate((c) => window.postMessage({ type: 'setConfig', config: c }, '*'), deepspeed);
    await view.page.waitForFunction(() => (document.querySelector('#field-block-error')?.textContent ?? '').length > 0);
    assert.match(await view.page.locator('#field-block-error').innerText(), /^about [\d,]+ tiles \([\d.]+ [GM]iB\) at n = 65,536: past the inspector's 2,000,000; use a larger block or a smaller n$/);
  });
});
