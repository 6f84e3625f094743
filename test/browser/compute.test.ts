import { strict as assert } from 'assert';
import { build } from 'esbuild';
import { resolve } from 'path';
import { ATTENTION_CASES } from '../support/attentionCases';
import { openWebview, WebviewPage } from './harness';

const ROOT = resolve(__dirname, '../..');

function runCase(view: WebviewPage, backend: string, config: object, d: number) {
  return view.page.evaluate(({ backend, config, d }) => (window as any).sai.runCase(backend, config, d), { backend, config, d });
}

describe('attention in headless Chromium (webview compute)', function () {
  this.timeout(240000);
  let view: WebviewPage;

  before(async () => {
    // Minified exactly as the shipped webview bundle is: gpu.js once broke only there.
    const { optionsFor } = require('../../esbuild.js');
    const options = optionsFor({ entryPoints: [resolve(__dirname, 'compute-page.ts')], outfile: resolve(ROOT, 'dist/test/browser-compute.js'), platform: 'browser' }, { production: true });
    await build({ ...options, absWorkingDir: ROOT });
    view = await openWebview('/compute.html');
    await view.page.evaluate(() => (window as any).sai.setWorkerUrl('/dist/attention-worker.js'));
  });
  after(async () => view?.close());

  it('detects SwiftShader as a software renderer and auto-selects the CPU path', async () => {
    const { device, choice } = await view.page.evaluate(async () => {
      const sai = (window as any).sai;
      const device = await sai.detectDevice();
      return { device, choice: sai.chooseBackend('auto', device) };
    });
    assert.ok(device.webgl2, 'WebGL2 is present');
    assert.ok(device.webgpu, 'WebGPU is present (--enable-unsafe-webgpu)');
    assert.equal(device.webgl2.software, true, device.webgl2.description);
    assert.equal(choice.backend, 'cpu');
    assert.match(choice.reason, /software renderer/);
  });

  const kernels: Array<[string, RegExp]> = [
    ['webgl2', /^WebGL2Kernel$/],
    ['webgpu', /^WebGPUKernel$/],
    ['webasm', /^WebAssemblyKernel$/],
    ['cpu', /^wasm-simd \(worker\)$/],
  ];
  for (const [backend, kernel] of kernels) {
    for (const [name, config] of ATTENTION_CASES) {
      it(`${backend} equals the float64 reference: ${name}`, async () => {
        const r = await runCase(view, backend, config, 16);
        assert.match(r.kernel, kernel, 'the backend asked for is the one that ran');
        assert.ok(r.outErr <= 1e-5, `max abs error ${r.outErr}`);
        assert.ok(r.sumErr <= 1e-6, `row sums off by ${r.sumErr}`);
        assert.equal(r.outside, 0);
      });
    }
  }

  it('tiles outputs past the 8192 texture side on WebGL2 (n = 9000)', async () => {
    const r = await runCase(view, 'webgl2', { ...ATTENTION_CASES[0][1], n: 9000, stride: 64, c: 4, heads: 1, subblocks: 1 }, 4);
    assert.equal(r.kernel, 'WebGL2Kernel');
    assert.ok(r.outErr <= 1e-5, `max abs error ${r.outErr}`);
  });

  for (const backend of ['cpu', 'webgl2']) {
    it(`past the transfer limit a worker serves viewport weights and rows equal to the reference (${backend} compute)`, async () => {
      const config = ATTENTION_CASES[0][1];
      const r = await view.page.evaluate(({ backend, config }) => (window as any).sai.serveProbe(backend, config, 16), { backend, config });
      assert.equal(r.error, undefined, r.error);
      assert.ok(r.worst <= 1e-5, `worst difference ${r.worst}`);
    });
  }

  const fallbacks: Array<[string, string, string, RegExp]> = [
    ['webgpu', 'redeclared', 'WebGPU failed (shader compile) and WebGL2 failed (shader compile), used the CPU path', /redeclaration/],
    ['webgl2', 'redeclared', 'WebGL2 failed (shader compile), used the CPU path', /redefinition/],
    ['webasm', 'wrong', 'gpu.js WebAssembly failed (wrong results), used the CPU path', /differ from float64/],
  ];
  for (const [backend, broken, sentence, detail] of fallbacks) {
    it(`${backend} with ${broken} kernels falls back: "${sentence}"`, async () => {
      const config = ATTENTION_CASES[0][1];
      const r = await view.page.evaluate(({ backend, broken, config }) => (window as any).sai.fallbackProbe(backend, broken, config), { backend, broken, config });
      assert.equal(r.fallback, sentence);
      assert.equal(r.backend, 'cpu');
      assert.match(r.details, detail, 'the compiler text is kept for the output channel');
      assert.ok(r.outErr <= 1e-5, `the CPU path's output is right: ${r.outErr}`);
    });
  }

  it('cancelling the CPU worker rejects the job and leaves the page responsive', async () => {
    const message: string = await view.page.evaluate(() => (window as any).sai.cancelProbe());
    assert.match(message, /cancelled; ticks (\d+)/);
    assert.ok(Number(/ticks (\d+)/.exec(message)![1]) >= 5, `the UI thread kept running while the worker computed: ${message}`);
  });
});
