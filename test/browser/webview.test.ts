import { strict as assert } from 'assert';
import { mkdirSync } from 'fs';
import { resolve } from 'path';
import { defaultConfig, FactorizedConfig } from '../../src/core';
import { openWebview, WebviewPage } from './harness';

const SHOTS = resolve(__dirname, '../../test-results/screenshots');

describe('inspector webview in headless Chromium', function () {
  this.timeout(60000);
  let view: WebviewPage;
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 256, stride: 32, c: 4, heads: 4, subblocks: 4 };

  before(async () => {
    view = await openWebview();
  });
  after(async () => view?.close());

  async function lastRender(count: number): Promise<any> {
    await view.page.waitForFunction((c) => (window as any).__posted.filter((m: any) => m.type === 'rendered').length >= c, count);
    const rendered = await view.posted('rendered');
    return rendered[rendered.length - 1].summary;
  }

  it('asks the host for state, then draws one map per head plus the union', async () => {
    assert.equal((await view.posted('ready')).length, 1);
    assert.equal((await view.posted('rendered')).length, 0, 'nothing is drawn before the host answers');
    await view.page.evaluate((c) => window.postMessage({ type: 'init', state: { config: c }, settings: { computeBackend: 'auto' } }, '*'), config);
    const summary = await lastRender(1);
    assert.deepEqual(summary.nnz, [7808, 7808, 7808, 7808]);
    assert.equal(summary.unionNnz, 18560);
    assert.equal(await view.page.locator('.maps canvas').count(), 5);
    assert.match((await view.page.locator('.maps canvas').first().getAttribute('aria-label'))!, /Head 0 mask: 7808 allowed cells/);
    assert.match(await view.page.locator('.stats').innerText(), /every allowed pair connected/);
    // The summary cells of head 0 (last column of each block) are lit in the last row of the map.
    const lit = await view.page.evaluate(() => {
      const canvas = document.querySelector('.maps canvas') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 255, 256, 1).data;
      return [31, 27, 28, 63, 100].map((x) => data[4 * x + 2] > 150);
    });
    assert.deepEqual(lit, [true, false, true, true, false]);
    mkdirSync(SHOTS, { recursive: true });
    await view.page.screenshot({ path: `${SHOTS}/webview-fixed-n256.png`, fullPage: true });
  });

  it('computes attention off the UI thread and reports the backend that ran', async () => {
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'computed'), undefined, { timeout: 60000 });
    const [computed] = await view.posted('computed');
    assert.equal(computed.compute.backend, 'cpu', 'SwiftShader is a software renderer: auto picks the CPU path');
    assert.equal(computed.compute.kernel, 'wasm-simd (worker)');
    assert.match(computed.compute.reason, /software renderer/);
    assert.match(await view.page.locator('.compute-status').innerText(), /Attention: cpu \(wasm-simd \(worker\)\) in [\d.]+ ms/);
  });

  it('a forced backend setting recomputes on that backend', async () => {
    const before = (await view.posted('computed')).length;
    await view.page.evaluate(() => window.postMessage({ type: 'settings', settings: { computeBackend: 'webgl2' } }, '*'));
    await view.page.waitForFunction((c) => (window as any).__posted.filter((m: any) => m.type === 'computed').length > c, before, { timeout: 60000 });
    const computed = await view.posted('computed');
    assert.equal(computed[computed.length - 1].compute.kernel, 'WebGL2Kernel');
    await view.page.evaluate(() => window.postMessage({ type: 'settings', settings: { computeBackend: 'auto' } }, '*'));
  });

  it('changing a field redraws without a reload and reports the new state', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.fill('#field-n', '128');
    const summary = await lastRender(before + 1);
    assert.equal(summary.config.n, 128);
    const states = await view.posted('stateChanged');
    assert.equal(states[states.length - 1].state.config.n, 128);
    assert.equal(await view.page.evaluate(() => (window as any).__state.config.n), 128, 'saved with setState for reloads');
  });

  it('shows c > l inline next to the c field and draws nothing stale', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.fill('#field-c', '40');
    const summary = await lastRender(before + 1);
    assert.deepEqual(summary.errors, [{ field: 'c', message: 'c (40) must be <= l (32)' }]);
    assert.equal(await view.page.locator('#field-c-error').innerText(), 'c (40) must be <= l (32)');
    assert.equal(await view.page.getAttribute('#field-c', 'aria-invalid'), 'true');
    await view.page.fill('#field-c', '4');
    const fixedUp = await lastRender(before + 2);
    assert.deepEqual(fixedUp.errors, []);
    assert.equal(await view.page.locator('#field-c-error').innerText(), '');
  });

  it('switching to DeepSpeed shows its block parameters and its warnings', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.selectOption('#field-pattern', 'deepspeed-fixed');
    await lastRender(before + 1);
    assert.equal(await view.page.locator('#field-numLocalBlocks').count(), 1);
    assert.equal(await view.page.locator('#field-stride').count(), 0);
    await view.page.selectOption('#field-attention', 'unidirectional');
    await view.page.fill('#field-numGlobalBlocks', '2');
    await view.page.waitForFunction(() => document.querySelector('.messages')!.textContent!.includes('into the future'));
  });

  it('redraws the maps in the new colours when the theme changes', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.evaluate(() => {
      document.body.style.setProperty('--vscode-editor-background', '#ffffff');
      document.body.className = 'vscode-light';
    });
    await lastRender(before + 1);
    const corner = await view.page.evaluate(() => {
      const canvas = document.querySelector('.maps canvas') as HTMLCanvasElement;
      return Array.from(canvas.getContext('2d')!.getImageData(canvas.width - 1, 0, 1, 1).data.slice(0, 3));
    });
    assert.deepEqual(corner, [255, 255, 255], 'a masked cell takes the light background');
  });

  it('Copy PyTorch snippet asks the host to copy (the host builds it from the shared core)', async () => {
    await view.page.getByRole('button', { name: 'Copy PyTorch snippet' }).click();
    assert.equal((await view.posted('copyTorchSnippet')).length, 1);
  });

  it('ignores malformed host messages and logs them', async () => {
    await view.page.evaluate(() => window.postMessage({ type: 'setConfig', config: { pattern: 'nope' } }, '*'));
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'log' && m.message.includes('malformed')));
  });

  it('every control is reachable with the keyboard and labelled', async () => {
    const labelled = await view.page.evaluate(() =>
      Array.from(document.querySelectorAll('input, select')).every((el) => !!document.querySelector(`label[for="${el.id}"]`)),
    );
    assert.equal(labelled, true);
    await view.page.focus('#field-pattern');
    await view.page.keyboard.press('Tab');
    assert.equal(await view.page.evaluate(() => document.activeElement?.id), 'field-n');
  });
});
