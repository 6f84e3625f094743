import { strict as assert } from 'assert';
import { mkdirSync } from 'fs';
import { resolve } from 'path';
import { defaultConfig, FactorizedConfig } from '../../src/core';
import { openWebview, postSequence, WebviewPage } from './harness';

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
    await view.page.evaluate((c) => window.postMessage({ type: 'init', state: { config: c }, settings: { computeBackend: 'auto', mapRenderer: 'auto' } }, '*'), config);
    const summary = await lastRender(1);
    assert.deepEqual(summary.nnz, [7808, 7808, 7808, 7808]);
    assert.equal(summary.unionNnz, 18560);
    await view.page.selectOption('#map-kind', 'mask');
    assert.equal(await view.page.locator('.maps canvas').count(), 5);
    assert.match((await view.page.locator('.maps canvas').first().getAttribute('aria-label'))!, /Head 0 mask: 7808 allowed cells/);
    assert.match(await view.page.locator('.stats').innerText(), /every allowed pair connected/);
    // The summary cells of head 0 (last column of each block) are lit in the last row of the map.
    await view.mapsSettled();
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

  it('attention-weight maps keep masked cells on the background and allowed cells in the palette', async () => {
    await view.page.selectOption('#map-kind', 'weights');
    await view.page.waitForSelector('.maps[data-kind="weights"] canvas');
    // Seeded synthetic Q/K/V say so on the legend: nobody should read meaning into them.
    assert.match(await view.page.locator('.legend-source').innerText(), /synthetic Q\/K\/V \(seeded from the tokens\): a stand-in, not a trained model's attention/);
    await view.mapsSettled();
    const [masked, ...allowed] = await view.page.evaluate(() => {
      const context = (document.querySelector('.maps canvas') as HTMLCanvasElement).getContext('2d')!;
      return [[200, 100], [31, 255], [28, 255], [100, 100]].map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3)));
    });
    const pixels = { masked, allowedSummary: allowed[0], allowedTiny: allowed[1], diagonal: allowed[2] };
    assert.deepEqual(pixels.masked, [30, 30, 30], 'masked: the editor background');
    for (const [name, rgb] of Object.entries(pixels)) {
      if (name !== 'masked') assert.notDeepEqual(rgb, [30, 30, 30], `${name} is drawn in the palette`);
    }
  });

  it('hover names the cell, its weight and the set that allows it; a click opens the row view', async () => {
    const box = await view.page.evaluate(() => {
      const canvas = document.querySelector('.maps canvas') as HTMLCanvasElement;
      const rect = canvas.getBoundingClientRect();
      return { x: rect.left + canvas.clientLeft, y: rect.top + canvas.clientTop, scale: canvas.clientWidth / canvas.width };
    });
    // The paper's sets for head 0 (l=32, c=4, sub-block 0): what the hover must say for (i, j).
    const expected = (i: number, j: number) =>
      j > i ? 'masked' : Math.floor(i / 32) === Math.floor(j / 32) ? (j % 32 >= 28 ? 'allowed by A1\\+A2' : 'allowed by A1') : j % 32 >= 28 ? 'allowed by A2' : 'masked';
    // Page coordinates are whole CSS pixels, so the cell under the mouse is read back, then checked.
    for (const [i, j] of [[200, 31], [200, 220], [200, 100], [200, 195]]) {
      await view.page.mouse.move(box.x + (j + 0.5) * box.scale, box.y + (i + 0.5) * box.scale);
      const text = await view.page.locator('.hover-info').innerText();
      const [, hi, hj] = /^query i=(\d+) → key j=(\d+): head 0: /.exec(text)!.map(Number);
      assert.ok(Math.abs(hi - i) <= 1 && Math.abs(hj - j) <= 1, text);
      assert.match(text, new RegExp(`head 0: ${expected(hi, hj)}(, weight [\\d.e-]+)?$`));
      // The readout sits beside the pointer, not below the maps.
      const readout = await view.page.evaluate(() => {
        const r = document.querySelector('.hover-info')!.getBoundingClientRect();
        return { left: r.left, top: r.top, opacity: getComputedStyle(document.querySelector('.hover-info')!).opacity };
      });
      const pointer = { x: box.x + (j + 0.5) * box.scale, y: box.y + (i + 0.5) * box.scale };
      assert.equal(readout.opacity, '1');
      assert.ok(Math.abs(readout.top - pointer.y - 16) <= 2, `readout top ${readout.top} vs pointer ${pointer.y}`);
      assert.ok(readout.left >= pointer.x + 14 || readout.left + 20 <= pointer.x, `readout beside the pointer: ${readout.left} vs ${pointer.x}`);
    }
    await view.page.mouse.down();
    await view.page.mouse.up();
    assert.match(await view.page.locator('.row-view h2').innerText(), /^Row (199|200|201), head 0$/);
    assert.equal(await view.page.locator('.top-keys li').count(), 10);
    assert.match(await view.page.locator('.top-keys li').first().innerText(), /j=\d+: [\d.e-]+ \((A1|A2|A1\+A2)\)/);
  });

  it('arrow keys move the hover cursor cell by cell on a focused map', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.evaluate(() => window.postMessage({ type: 'setConfig', config: { pattern: 'fixed', n: 256, heads: 4, stride: 32, c: 4, subblocks: 4, mode: 'merged', layer: 0, bidirectional: false } }, '*'));
    await lastRender(before + 1);
    await view.mapsSettled();
    await view.page.focus('.maps canvas');
    for (const key of ['ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowRight', 'ArrowRight', 'ArrowRight']) await view.page.keyboard.press(key);
    assert.match(await view.page.locator('.hover-info').innerText(), /^query i=4 → key j=3: head 0: allowed by A1/);
    await view.page.keyboard.press('ArrowRight');
    await view.page.keyboard.press('ArrowRight');
    assert.match(await view.page.locator('.hover-info').innerText(), /^query i=4 → key j=5: head 0: masked$/);
  });

  it('shows per-head progress while the worker computes, then the result', async () => {
    const computedBefore = (await view.posted('computed')).filter((m) => m.compute.n === 4096).length;
    await view.page.evaluate(() => {
      (window as any).__statusSeen = [];
      new MutationObserver(() => (window as any).__statusSeen.push(document.querySelector('.compute-status')!.textContent)).observe(
        document.querySelector('.compute-status')!,
        { subtree: true, childList: true, characterData: true },
      );
      window.postMessage({ type: 'setConfig', config: { pattern: 'fixed', n: 4096, heads: 8, stride: 128, c: 8, subblocks: 4, mode: 'merged', layer: 0, bidirectional: false } }, '*');
    });
    // Wait for this compute's result: an earlier test's compute (n = 256) may still be finishing.
    await view.page.waitForFunction((b) => (window as any).__posted.filter((m: any) => m.type === 'computed' && m.compute.n === 4096).length > b, computedBefore, { timeout: 60000 });
    const seen: string[] = await view.page.evaluate(() => (window as any).__statusSeen);
    assert.ok(seen.some((t) => /: [1-7] of 8 heads…/.test(t)), seen.join(' | '));
    const before = (await view.posted('rendered')).length;
    await view.page.evaluate((c) => window.postMessage({ type: 'setConfig', config: c }, '*'), config);
    await lastRender(before + 1);
  });

  it('a forced backend setting recomputes on that backend', async () => {
    const before = (await view.posted('computed')).length;
    await view.page.evaluate(() => window.postMessage({ type: 'settings', settings: { computeBackend: 'webgl2', mapRenderer: 'auto' } }, '*'));
    // Wait for this setting's compute (one the previous test started may still arrive first).
    const forced = (c: number, reason: string) =>
      view.page.waitForFunction(([c, reason]) => (window as any).__posted.filter((m: any) => m.type === 'computed').slice(c as number).some((m: any) => m.compute.reason.startsWith(reason as string)), [c, reason] as const, { timeout: 60000 });
    await forced(before, 'set by sparseAttention.computeBackend');
    const computed = (await view.posted('computed')).slice(before).filter((m) => m.compute.reason.startsWith('set by'));
    assert.equal(computed[computed.length - 1].compute.kernel, 'WebGL2Kernel');
    assert.equal(computed[computed.length - 1].compute.fallback, undefined, 'WebGL2 ran: no fallback');
    // Back to auto, and wait for its compute so that no late render leaks into the next test.
    const again = (await view.posted('computed')).length;
    await view.page.evaluate(() => window.postMessage({ type: 'settings', settings: { computeBackend: 'auto', mapRenderer: 'auto' } }, '*'));
    await forced(again, 'software renderer');
  });

  it('changing a field redraws without a reload and reports the new state', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.fill('#field-n', '128');
    await lastRender(before + 1);
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'rendered' && m.summary.config.n === 128));
    const summary = (await view.posted('rendered')).map((m) => m.summary).find((s) => s.config.n === 128);
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
    await view.mapsSettled();
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

  it('pasted text goes to the host for tokenizing, and the tokens it sends back label the sequence', async () => {
    await view.page.click('.paste summary');
    await view.page.fill('#paste-text', 'Hello world, sparse attention!');
    await view.page.selectOption('#paste-tokenizer', 'gpt2');
    await view.page.getByRole('button', { name: 'Use as sequence' }).click();
    const [request] = (await view.posted('tokenize')).slice(-1);
    assert.deepEqual(request, { type: 'tokenize', text: 'Hello world, sparse attention!', tokenizer: 'gpt2' });
    const before = (await view.posted('rendered')).length;
    const tokens = ['Hello', ' world', ',', ' sparse', ' attention', '!'];
    await view.page.evaluate((t) => window.postMessage({ type: 'setSequence', sequence: { tokens: t, source: 'pasted text (gpt2 tokens)' } }, '*'), tokens);
    await lastRender(before + 1);
    assert.equal(await view.page.inputValue('#field-n'), '6');
    assert.match(await view.page.locator('.sequence').innerText(), /Sequence: 6 tokens from pasted text \(gpt2 tokens\)/);
    assert.equal(await view.page.locator('.token').count(), 6);
  });

  it('at n = 16384 a one-cell summary column stays visible in every block (max-pooling)', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.selectOption('#map-kind', 'mask');
    await view.page.selectOption('#map-pooling', 'any');
    await view.page.evaluate(() =>
      window.postMessage({ type: 'setConfig', config: { pattern: 'fixed', n: 16384, heads: 1, stride: 128, c: 1, subblocks: 1, mode: 'merged', layer: 0, bidirectional: false } }, '*'),
    );
    await lastRender(before + 1);
    await view.mapsSettled();
    await view.mapsSettled();
    const litColumns = await view.page.evaluate(() => {
      const canvas = document.querySelector('.maps canvas') as HTMLCanvasElement;
      const row = canvas.getContext('2d')!.getImageData(0, canvas.height - 1, canvas.width, 1).data;
      const lit: number[] = [];
      for (let x = 0; x < canvas.width; x++) if (row[4 * x + 2] > 150) lit.push(x);
      return { lit, width: canvas.width };
    });
    assert.equal(litColumns.width, 256);
    // Column 128b + 127 falls in pixel 2b + 1: all 128 summary columns are lit in the last row.
    for (let b = 0; b < 127; b++) assert.ok(litColumns.lit.includes(2 * b + 1), `block ${b} summary pixel`);
    assert.match(await view.page.locator('.legend').innerText(), /every allowed cell visible/);
    // The share view instead: a summary column is 1 of the 64 columns under its pixel, so it is faint.
    await view.page.selectOption('#map-pooling', 'share');
    await view.mapsSettled();
    assert.match(await view.page.locator('.legend').innerText(), /share of allowed cells under each pixel/);
    await view.page.selectOption('#map-pooling', 'any');
    await view.mapsSettled();
  });

  it('answers a PNG request with the maps as shown; Export… asks the host', async () => {
    await view.page.getByRole('button', { name: 'Export…' }).click();
    assert.equal((await view.posted('export')).length, 1);
    await view.page.evaluate(() => window.postMessage({ type: 'requestPng', id: 7 }, '*'));
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'png' && m.id === 7));
    const [png] = await view.posted('png');
    const size = await view.page.evaluate(async (url) => {
      const image = new Image();
      image.src = url;
      await image.decode();
      return [image.width, image.height];
    }, png.dataUrl);
    const canvases = await view.page.locator('.maps canvas').count();
    const width = await view.page.evaluate(() => (document.querySelector('.maps canvas') as HTMLCanvasElement).width);
    // Maps and captions, then the footer (as wide as its longest line): a legend row and two lines (the config, the view).
    assert.ok(size[0] >= canvases * width + (canvases - 1) * 8, `${size[0]} px wide holds the maps side by side`);
    assert.equal(size[1], width + 16 + 3 * 15 + 8);
  });

  it('zooms with + and Ctrl+wheel at the pointed cell (the wheel alone scrolls), pans with Shift+arrows, resets with 0', async () => {
    // Still at n = 16384, l = 128, c = 1 from the previous test.
    await view.page.focus('.maps canvas');
    for (let k = 0; k < 3; k++) await view.page.keyboard.press('ArrowDown');
    for (let k = 0; k < 7; k++) await view.page.keyboard.press('+');
    // The cursor cell (3, 0) stays where it was on the map, near the top-left corner.
    assert.match(await view.page.locator('.view-label').innerText(), /^rows 3–130, columns 0–127 \(zoom 128\.0×\)$/);
    // Zoomed in, every pixel is one cell again: the hover names single cells.
    await view.page.keyboard.press('ArrowRight');
    assert.match(await view.page.locator('.hover-info').innerText(), /^query i=3( “[^”]*”)? → key j=1( “[^”]*”)?: head 0: allowed by A1/);
    await view.page.keyboard.press('Shift+ArrowRight');
    assert.match(await view.page.locator('.view-label').innerText(), /^rows 3–130, columns 32–159/);
    // The zoomed map shows the summary column 127 in row 127's pixel row.
    await view.mapsSettled();
    const lit = await view.page.evaluate(() => {
      const canvas = document.querySelector('.maps canvas') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(127 - 32, 127 - 3, 1, 1).data;
      return data[2] > 150;
    });
    assert.equal(lit, true);
    const box = await view.page.locator('.maps canvas').first().boundingBox();
    await view.page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
    // The wheel alone scrolls the panel (as in VS Code's image preview); Ctrl+wheel zooms.
    const label = await view.page.locator('.view-label').innerText();
    await view.page.mouse.wheel(0, 100);
    await view.page.waitForTimeout(100);
    assert.equal(await view.page.locator('.view-label').innerText(), label, 'a plain wheel does not zoom');
    await view.page.keyboard.down('Control');
    await view.page.mouse.wheel(0, 100);
    await view.page.keyboard.up('Control');
    assert.match(await view.page.locator('.view-label').innerText(), /zoom 64\.0×/);
    await view.page.focus('.maps canvas');
    await view.page.keyboard.press('0');
    assert.equal(await view.page.locator('.view-label').innerText(), 'all 16384 × 16384 cells');
  });

  it('dragging a map pans it', async () => {
    await view.mapsSettled();
    await view.page.focus('.maps canvas');
    for (let k = 0; k < 4; k++) await view.page.keyboard.press('+');
    assert.match(await view.page.locator('.view-label').innerText(), /zoom 16\.0×/);
    await view.mapsSettled();
    const before = await view.page.locator('.view-label').innerText();
    const box = (await view.page.locator('.maps canvas').first().boundingBox())!;
    await view.page.mouse.move(box.x + 100, box.y + 100);
    await view.page.mouse.down();
    await view.page.mouse.move(box.x + 60, box.y + 100, { steps: 4 });
    await view.page.mouse.up();
    const after = await view.page.locator('.view-label').innerText();
    assert.notEqual(after, before);
    assert.match(after, /columns [1-9]\d*–/);
  });

  it('compares with another preset: cells only in ours, only in theirs, in both', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.evaluate(() =>
      window.postMessage({ type: 'setConfig', config: { pattern: 'fixed', n: 64, heads: 1, stride: 8, c: 2, subblocks: 1, mode: 'merged', layer: 0, bidirectional: false } }, '*'),
    );
    await lastRender(before + 1);
    await view.page.keyboard.press('Escape');
    await view.page.focus('.maps canvas');
    await view.page.keyboard.press('0');
    await view.page.selectOption('#map-compare', 'lra-fixed');
    await view.page.waitForSelector('.maps[data-kind="diff"] canvas');
    await view.mapsSettled();
    const [theirsOnly, both, neither] = await view.page.evaluate(() => {
      const context = (document.querySelector('.maps canvas') as HTMLCanvasElement).getContext('2d')!;
      return [[0, 16], [7, 16], [30, 16]].map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3)));
    });
    assert.deepEqual(theirsOnly, [55, 148, 255], 'lra-fixed also allows j mod l == 0');
    assert.deepEqual(both, [139, 139, 139]);
    // The background follows the theme (an earlier test switched it to light).
    assert.deepEqual(neither, [255, 255, 255]);
    assert.match(await view.page.locator('.legend').innerText(), /only lra-fixed/);
    assert.match((await view.page.locator('.maps canvas').first().getAttribute('aria-label'))!, /Head 0 against lra-fixed: \d+ pixels differ/);
    await view.page.selectOption('#map-compare', '');
  });

  it("compares with the user's own mask the host sent, and refuses one of the wrong size", async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.evaluate(() =>
      window.postMessage({ type: 'setConfig', config: { pattern: 'fixed', n: 64, heads: 1, stride: 8, c: 2, subblocks: 1, mode: 'merged', layer: 0, bidirectional: false } }, '*'),
    );
    await lastRender(before + 1);
    const drawn = (await view.posted('mapsDrawn')).length;
    // Their mask: the paper's pattern with one extra cell (3, 60) and one missing (9, 7).
    await view.page.evaluate(() => {
      const n = 64;
      const cells = new Uint8Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) if (Math.floor(i / 8) === Math.floor(j / 8) || j % 8 >= 6) cells[i * n + j] = 1;
      cells[3 * n + 60] = 1;
      cells[9 * n + 7] = 0;
      window.postMessage({ type: 'compareWithMask', name: 'my_mask', n, heads: 1, cells }, '*');
    });
    await view.page.waitForFunction((k) => (window as any).__posted.filter((m: any) => m.type === 'mapsDrawn').slice(k).some((m: any) => m.maps.compared === 'my_mask' && m.maps.kind === 'diff'), drawn);
    await view.mapsSettled();
    assert.equal(await view.page.locator('#map-compare').inputValue(), 'mask:my_mask');
    assert.match(await view.page.locator('.legend').innerText(), /only my_mask/);
    assert.match((await view.page.locator('.maps canvas').first().getAttribute('aria-label'))!, /Head 0 against my_mask: 2 pixels differ/);
    const errors = (await view.posted('error')).length;
    await view.page.evaluate(() => window.postMessage({ type: 'compareWithMask', name: 'short', n: 64, heads: 1, cells: new Uint8Array(10) }, '*'));
    await view.page.waitForFunction((k) => (window as any).__posted.filter((m: any) => m.type === 'error').length > k, errors);
    assert.match((await view.posted('error')).pop().message, /the mask short has 10 cells, not 1 × 64 × 64/);
    await view.page.selectOption('#map-compare', '');
  });

  it('says which config in the code it follows until a field is edited, and shows the coverage the host sends', async () => {
    const before = (await view.posted('rendered')).length;
    const config = { pattern: 'fixed', n: 64, heads: 1, stride: 8, c: 2, subblocks: 1, mode: 'merged', layer: 0, bidirectional: false };
    await view.page.evaluate(
      (c) => window.postMessage({ type: 'init', state: { config: c, follows: { file: 'model.py', line: 12, unresolved: ['heads'] } }, settings: { computeBackend: 'auto', mapRenderer: 'auto' } }, '*'),
      config,
    );
    await lastRender(before + 1);
    assert.equal(await view.page.locator('.follows').innerText(), 'Following model.py:12: edits there update the maps. Not in the code (set here): heads.');
    await view.page.evaluate(() => window.postMessage({ type: 'coverage', lines: ['gpt2, layer 1: layer mean: 56.7% of the attention mass is inside the pattern', 'head 0 keeps 49.5% of its attention mass under fixed l=8 c=2 K=1'] }, '*'));
    await view.page.waitForSelector('.coverage:not([hidden]) h2');
    assert.match(await view.page.locator('.coverage').innerText(), /layer mean: 56\.7%[\s\S]*head 0 keeps 49\.5%/);
    // A value the code leaves unknown is the panel's to set: still following.
    await view.page.fill('#field-heads', '2');
    await lastRender(before + 2);
    assert.match(await view.page.locator('.follows').innerText(), /^Following model\.py:12/);
    // A value the code says, changed here: the panel no longer shows the code's config.
    await view.page.fill('#field-c', '3');
    await lastRender(before + 3);
    assert.equal(await view.page.locator('.follows').isHidden(), true);
    const reported = (await view.posted('stateChanged')).pop().state;
    assert.equal(reported.follows, undefined);
    await view.page.evaluate(() => window.postMessage({ type: 'coverage', lines: [] }, '*'));
    await view.page.waitForSelector('.coverage[hidden]', { state: 'attached' });
  });

  it('compares the heads of one pattern, and dims weights under the threshold without masking them', async () => {
    const before = (await view.posted('rendered')).length;
    await view.page.evaluate(() =>
      window.postMessage({ type: 'setConfig', config: { pattern: 'fixed', n: 64, heads: 2, stride: 8, c: 2, subblocks: 2, mode: 'merged', layer: 0, bidirectional: false } }, '*'),
    );
    await lastRender(before + 1);
    await view.page.selectOption('#map-compare', 'head:0');
    await view.page.waitForSelector('.maps[data-kind="diff"] canvas');
    const second = view.page.locator('.maps canvas').nth(1);
    assert.match((await second.getAttribute('aria-label'))!, /^Head 1 against head 0: [1-9]\d* pixels differ$/);
    assert.match((await view.page.locator('.maps canvas').first().getAttribute('aria-label'))!, /^Head 0 against head 0: 0 pixels differ$/);
    await view.page.selectOption('#map-compare', '');
    await view.page.waitForFunction(() => (window as any).__posted.filter((m: any) => m.type === 'computed').some((m: any) => m.compute.n === 64 && m.compute.heads === 2), undefined, { timeout: 60000 });
    await view.page.selectOption('#map-kind', 'weights');
    await view.page.waitForSelector('.maps[data-kind="weights"] canvas');
    await view.page.fill('#map-threshold', '1');
    await view.page.dispatchEvent('#map-threshold', 'input');
    await view.mapsSettled();
    const colours = await view.page.evaluate(() => {
      const context = (document.querySelector('.maps canvas') as HTMLCanvasElement).getContext('2d')!;
      return [[6, 20], [40, 20]].map(([x, y]) => Array.from(context.getImageData(x, y, 1, 1).data.slice(0, 3)));
    });
    assert.deepEqual(colours[0], [128, 128, 128], 'an allowed cell under the threshold is grey');
    assert.deepEqual(colours[1], [255, 255, 255], 'a masked cell keeps the background');
    assert.match(await view.page.locator('.legend').innerText(), /allowed, weight below 1\.0/);
    await view.page.fill('#map-threshold', '0');
    await view.page.dispatchEvent('#map-threshold', 'input');
  });

  it('pasted numbers are sent as embeddings, and their sequence drives the compute', async () => {
    await view.page.selectOption('#paste-tokenizer', 'numbers');
    await view.page.fill('#paste-text', '0.1, 0.2\n0.3, 0.4\n0.5, 0.6');
    await view.page.getByRole('button', { name: 'Use as sequence' }).click();
    const [request] = (await view.posted('tokenize')).slice(-1);
    assert.deepEqual(request, { type: 'tokenize', text: '0.1, 0.2\n0.3, 0.4\n0.5, 0.6', tokenizer: 'numbers' });
    const computedBefore = (await view.posted('computed')).length;
    const sequence = { tokens: ['#0', '#1', '#2'], source: 'pasted text (embeddings [3, 2])', embeddings: { dim: 2, values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] } };
    await postSequence(view.page, sequence);
    // The compute for these 3 rows (an earlier config's compute may finish in between).
    await view.page.waitForFunction(
      (c) => (window as any).__posted.filter((m: any) => m.type === 'computed').slice(c).some((m: any) => m.compute.n === 3),
      computedBefore,
      { timeout: 60000 },
    );
    assert.match(await view.page.locator('.sequence').innerText(), /3 tokens from pasted text \(embeddings \[3, 2\]\)/);
    // Malformed embeddings (wrong length) are ignored like any malformed message.
    await view.page.evaluate(() => window.postMessage({ type: 'setSequence', sequence: { tokens: ['#0'], source: 'x', embeddings: { dim: 2, values: [1] } } }, '*'));
    await view.page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'log' && m.message.includes('embeddings')));
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
