import { strict as assert } from 'assert';
import { defaultConfig, FactorizedConfig } from '../../src/core';
import { openWebview, WebviewPage } from './harness';

/** One head at the panel's width, from the Focus control or the f key, and back to the grid. */
describe('a focused head', function () {
  this.timeout(60000);
  let view: WebviewPage;
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 1024, stride: 64, c: 4, heads: 4, subblocks: 4 };
  const maps = async () => {
    await view.mapsSettled();
    return view.page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLCanvasElement>('.maps canvas')).map((c) => ({ head: c.dataset.head, css: c.clientWidth, pixels: c.width, caption: c.parentElement!.textContent })),
    );
  };

  before(async () => {
    view = await openWebview();
    await view.page.evaluate((c) => window.postMessage({ type: 'init', state: { config: c }, settings: { computeBackend: 'auto', mapRenderer: 'auto' } }, '*'), config);
    await view.page.waitForSelector('.maps canvas');
    await view.page.selectOption('#map-kind', 'mask');
    await view.mapsSettled();
  });
  after(async () => view?.close());

  it('the Focus control shows one head at the panel width, with as many pixels as that width holds', async () => {
    assert.equal((await maps()).length, 5, 'four heads and the union');
    await view.page.selectOption('#map-focus', '2');
    const [focused, ...rest] = await maps();
    assert.equal(rest.length, 0);
    assert.equal(focused.head, '2');
    assert.equal(focused.caption, 'head 2');
    assert.equal(focused.css, 768, 'the 1200 px page leaves room for the largest focused size');
    assert.equal(focused.pixels, 768, 'one canvas pixel per CSS pixel (device pixel ratio 1), never more cells than n');
    // The cursor speaks for the focused head.
    await view.page.locator('.maps canvas').focus();
    await view.page.keyboard.press('ArrowDown');
    assert.match(await view.page.locator('.hover-info').innerText(), /^query i=1 → key j=0: head 2: allowed by A1(, weight [\d.e-]+)?$/);
  });

  it('f on a map toggles between it alone and the grid of heads', async () => {
    await view.page.locator('.maps canvas').focus();
    await view.page.keyboard.press('f');
    assert.equal((await maps()).length, 5);
    assert.equal(await view.page.inputValue('#map-focus'), '');
    await view.page.locator('.maps canvas[data-head="1"]').focus();
    await view.page.keyboard.press('f');
    assert.deepEqual((await maps()).map((m) => m.head), ['1']);
    assert.equal(await view.page.evaluate(() => (document.activeElement as HTMLElement).dataset.head), '1', 'the focused map keeps the keyboard focus');
  });

  it('the union can be focused; a difference view (which has no union) then shows every head', async () => {
    await view.page.selectOption('#map-focus', '-1');
    assert.deepEqual((await maps()).map((m) => [m.head, m.caption]), [['-1', 'union']]);
    await view.page.selectOption('#map-compare', 'lra-fixed');
    assert.equal((await maps()).length, 4);
    await view.page.selectOption('#map-compare', '');
    await view.page.selectOption('#map-focus', '');
  });
});
