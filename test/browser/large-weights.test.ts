import { strict as assert } from 'assert';
import { openWebview, WebviewPage } from './harness';

/**
 * Past the transfer limit (8M probabilities over all heads) the attention worker keeps Q/K/V and
 * each row's log-sum-exp, and pools the weights of whatever view the maps show, on demand.
 */
describe('attention weights at n = 32768 (25M allowed cells), pooled per view by the worker', function () {
  this.timeout(120000);
  let view: WebviewPage;
  const config = { pattern: 'fixed', n: 32768, heads: 4, stride: 128, c: 1, subblocks: 1, mode: 'merged', layer: 0, bidirectional: false };

  before(async () => {
    view = await openWebview();
    await view.page.evaluate((c) => window.postMessage({ type: 'init', state: { config: c }, settings: { computeBackend: 'auto', mapRenderer: 'auto' } }, '*'), config);
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'computed'), undefined, { timeout: 100000 });
  });
  after(async () => view?.close());

  it('draws weight maps of the whole matrix without sending the probabilities to the page', async () => {
    await view.page.waitForSelector('.maps[data-kind="weights"][data-pooled-on="worker"] canvas', { timeout: 100000 });
    assert.match(await view.page.locator('.renderer-label').innerText(), /weights pooled in the attention worker/);
    await view.mapsSettled();
    const pixels = await view.page.evaluate(() => {
      const canvas = document.querySelector('.maps canvas') as HTMLCanvasElement;
      const context = canvas.getContext('2d')!;
      const last = context.getImageData(0, canvas.height - 1, canvas.width, 1).data;
      let lit = 0;
      for (let x = 0; x < canvas.width; x++) if (last[4 * x] !== 30 || last[4 * x + 1] !== 30 || last[4 * x + 2] !== 30) lit++;
      return { masked: Array.from(context.getImageData(canvas.width - 1, 0, 1, 1).data.slice(0, 3)), lit, width: canvas.width };
    });
    assert.deepEqual(pixels.masked, [30, 30, 30], 'above the diagonal: the background');
    // 256 blocks of 128 over 256 pixels: every pixel of the last row holds a summary column.
    assert.equal(pixels.lit, pixels.width, 'the last row is allowed in every pixel (summary columns and the diagonal block)');
    // Hovering a pixel of 128 x 128 cells tells the largest weight under it, from the worker's pooling.
    const box = (await view.page.locator('.maps canvas').first().boundingBox())!;
    await view.page.mouse.move(box.x + 1 + 10.5, box.y + 1 + 255.5);
    assert.match(await view.page.locator('.hover-info').innerText(), /^rows 32640–32767, columns 1280–1407 share this pixel \(max-pooled\); largest weight under it [\d.e-]+; zoom in for single cells$/);
    await view.page.mouse.move(box.x + 1 + 250.5, box.y + 1 + 3.5);
    assert.match(await view.page.locator('.hover-info').innerText(), /share this pixel \(max-pooled\); every cell under it is masked;/);
  });

  it('zoomed to single cells, hover reads each weight and the row view asks the worker for the row', async () => {
    await view.page.locator('.maps canvas').first().focus();
    for (let k = 0; k < 5; k++) await view.page.keyboard.press('ArrowDown');
    for (let k = 0; k < 12; k++) await view.page.keyboard.press('+');
    assert.match(await view.page.locator('.view-label').innerText(), /^rows 5–20, columns 0–15/);
    // Masks stand in while the worker computes this view's weights: wait for the weights of this
    // 16-cell view to be drawn, not for whatever the grid showed before the zoom.
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'mapsDrawn' && m.maps.kind === 'weights' && m.maps.span === 16), undefined, { timeout: 100000 });
    await view.mapsSettled();
    await view.page.keyboard.press('ArrowRight');
    assert.match(await view.page.locator('.hover-info').innerText(), /^query i=5 → key j=1: head 0: allowed by A1, weight [\d.e-]+$/);
    await view.page.keyboard.press('Enter');
    await view.page.waitForSelector('.top-keys li');
    assert.equal(await view.page.locator('.row-view h2').innerText(), 'Row 5, head 0');
    const weights = (await view.page.locator('.top-keys li').allInnerTexts()).map((t) => Number(/: ([\d.e-]+) \(/.exec(t)![1]));
    assert.equal(weights.length, 6, 'row 5 allows keys 0..5');
    assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 0.01, `the row's weights sum to 1 (${weights})`);
  });

  it('exports every head\'s whole weight map at a chosen resolution (the worker pools it)', async () => {
    await view.page.locator('.maps canvas').first().focus();
    await view.page.keyboard.press('0');
    // Export what is shown once it shows the whole matrix's weights (masks stand in while they are pooled).
    await view.page.waitForSelector('.maps[data-kind="weights"]:not([data-painting]):not([data-pending]) canvas');
    await view.page.evaluate(() => window.postMessage({ type: 'requestPng', id: 7, resolution: 512 }, '*'));
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => (m.type === 'png' || m.type === 'pngFailed') && m.id === 7), undefined, { timeout: 100000 });
    const [reply] = (await view.posted('png')).filter((m) => m.id === 7);
    assert.ok(reply, 'a PNG came back');
    const image = await view.page.evaluate(async (url) => {
      const img = new Image();
      img.src = url;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const context = canvas.getContext('2d')!;
      context.drawImage(img, 0, 0);
      // Head 0's map starts 16 px down (its caption): count the masked pixels of its last row.
      const last = context.getImageData(0, 16 + 511, 512, 1).data;
      let background = 0;
      for (let x = 0; x < 512; x++) if (last[4 * x] === 30 && last[4 * x + 1] === 30 && last[4 * x + 2] === 30) background++;
      return { width: img.width, height: img.height, topRight: Array.from(context.getImageData(511, 16, 1, 1).data.slice(0, 3)), background };
    }, reply.dataUrl);
    // 4 heads and the max over heads: a 3-column grid of 512 px maps with 16 px captions and 8 px
    // gaps, then the footer (a legend row and three lines: config, view, where the weights come from).
    assert.deepEqual([image.width, image.height], [3 * 520 - 8, 2 * 536 - 8 + 4 * 15 + 8]);
    assert.deepEqual(image.topRight, [30, 30, 30]);
    // 64 columns per pixel: summary column 128b + 127 lands in odd pixel 2b + 1; even pixels are
    // masked except 510, inside the last row's own block.
    assert.equal(image.background, 255);
  });

  it('refuses a full-map export that would not fit in memory, saying which resolution does', async () => {
    await view.page.evaluate(() => window.postMessage({ type: 'requestPng', id: 8, resolution: 8192 }, '*'));
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'pngFailed' && m.id === 8));
    const [failed] = (await view.posted('pngFailed')).filter((m) => m.id === 8);
    assert.match(failed.message, /^4 heads at 8192 px need 1\.0 GiB of pooled values: choose 4096 px or less$/);
  });
});
