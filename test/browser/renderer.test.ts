import { strict as assert } from 'assert';
import { defaultConfig, FactorizedConfig } from '../../src/core';
import { openWebview, WebviewPage } from './harness';

/**
 * The WebGL2 painter (weights max-pooled and every map coloured in shaders) against the canvas
 * painter (CPU), pixel by pixel, on the same views: both must show the same picture.
 */
describe('map rendering on the GPU (WebGL2, here on SwiftShader) equals the CPU painter', function () {
  this.timeout(90000);
  let view: WebviewPage;
  // n = 600 over 256 pixels: pixels cover 2 or 3 cells, so pooling boundaries are exercised.
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 600, stride: 40, c: 3, heads: 3, subblocks: 3 };

  async function setRenderer(renderer: 'webgl2' | 'canvas2d'): Promise<void> {
    await view.page.evaluate((r) => window.postMessage({ type: 'settings', settings: { computeBackend: 'auto', mapRenderer: r } }, '*'), renderer);
    await view.page.waitForSelector(`.maps[data-renderer="${renderer}"] canvas`);
  }

  /** Keeps every map's pixels in the page, to compare with the next call's. */
  async function snapshot(): Promise<number> {
    await view.mapsSettled();
    return view.page.evaluate(() => {
      const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>('.maps canvas'));
      (window as any).__snapshot = canvases.map((c) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
      return canvases.length;
    });
  }

  /** Largest channel difference to the snapshot, and pixels that differ by more than `tolerance`. */
  async function compare(tolerance: number): Promise<{ maps: number; maxDiff: number; over: number; size: number }> {
    await view.mapsSettled();
    return view.page.evaluate((tol) => {
      const before: Uint8ClampedArray[] = (window as any).__snapshot;
      const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>('.maps canvas'));
      let maxDiff = 0;
      let over = 0;
      canvases.forEach((c, k) => {
        const now = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        if (now.length !== before[k].length) over += 1e9;
        for (let p = 0; p < now.length; p += 4) {
          const d = Math.max(Math.abs(now[p] - before[k][p]), Math.abs(now[p + 1] - before[k][p + 1]), Math.abs(now[p + 2] - before[k][p + 2]));
          maxDiff = Math.max(maxDiff, d);
          if (d > tol) over++;
        }
      });
      return { maps: canvases.length, maxDiff, over, size: canvases[0].width };
    }, tolerance);
  }

  /** Paints the current view on the GPU, then on the CPU, and compares; back to the GPU after. */
  async function gpuEqualsCpu(kind: string, tolerance: number): Promise<void> {
    const gpuMaps = await snapshot();
    await setRenderer('canvas2d');
    const result = await compare(tolerance);
    assert.equal(result.maps, gpuMaps);
    assert.equal(result.over, 0, `${kind}: ${result.over} pixels differ by more than ${tolerance} (largest ${result.maxDiff})`);
    await setRenderer('webgl2');
  }

  before(async () => {
    view = await openWebview();
    await view.page.evaluate((c) => window.postMessage({ type: 'init', state: { config: c }, settings: { computeBackend: 'auto', mapRenderer: 'auto' } }, '*'), config);
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'computed'), undefined, { timeout: 60000 });
    await view.page.waitForSelector('.maps[data-kind="weights"] canvas');
  });

  it('auto keeps the maps on the CPU on a software renderer, and says why', async () => {
    assert.equal(await view.page.locator('.maps').getAttribute('data-renderer'), 'canvas2d');
    assert.match(await view.page.locator('.renderer-label').innerText(), /^canvas: .* \(software renderer \(.*SwiftShader.*\): the canvas painter is faster\)$/i);
    await setRenderer('webgl2');
  });
  after(async () => view?.close());

  it('pools the weights on the GPU and says so', async () => {
    const maps = view.page.locator('.maps');
    assert.equal(await maps.getAttribute('data-renderer'), 'webgl2');
    assert.match(await view.page.locator('.renderer-label').innerText(), /^WebGL2: (pooled on the GPU in \d+ ms|pooling reused), painted in \d+ ms \(set by sparseAttention.mapRenderer\)$/);
    // A repaint with the same view reuses the pooled layers: only the colours change.
    await view.page.selectOption('#map-scale', 'linear');
    assert.equal(await maps.getAttribute('data-pooled-on'), 'cached');
    await view.page.selectOption('#map-scale', 'log');
  });

  it('weights on a log scale', async () => {
    await gpuEqualsCpu('log weights', 4);
  });

  it('weights on a linear scale with a threshold', async () => {
    await view.page.selectOption('#map-scale', 'linear');
    await view.page.fill('#map-threshold', '0.3');
    await view.page.dispatchEvent('#map-threshold', 'input');
    await gpuEqualsCpu('thresholded linear weights', 4);
    await view.page.fill('#map-threshold', '0');
    await view.page.dispatchEvent('#map-threshold', 'input');
    await view.page.selectOption('#map-scale', 'log');
  });

  it('weights zoomed into a corner, one cell per pixel and more', async () => {
    const map = view.page.locator('.maps canvas').first();
    await map.focus();
    for (let k = 0; k < 6; k++) await view.page.keyboard.press('ArrowDown');
    await view.page.keyboard.press('+');
    await view.page.keyboard.press('+');
    assert.match(await view.page.locator('.view-label').innerText(), /rows \d+–\d+, columns 0–149/);
    assert.equal(await view.page.locator('.maps').getAttribute('data-pooled-on'), 'gpu');
    await gpuEqualsCpu('zoomed weights', 4);
    await view.page.locator('.maps canvas').first().focus();
    await view.page.keyboard.press('0');
  });

  it('masks and their union', async () => {
    await view.page.selectOption('#map-kind', 'mask');
    await view.page.waitForSelector('.maps[data-kind="mask"] canvas');
    await gpuEqualsCpu('masks', 1);
  });

  it('the difference against another preset', async () => {
    await view.page.selectOption('#map-compare', 'lra-fixed');
    await view.page.waitForSelector('.maps[data-kind="diff"] canvas');
    await gpuEqualsCpu('difference', 0);
    await view.page.selectOption('#map-compare', '');
  });
});
