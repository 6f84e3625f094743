/**
 * `npm run bench` (inspector part): the built webview in headless Chromium (SwiftShader, as on
 * this machine): time from the host's init message to the first drawn map at n = 4096, hover
 * latency (handler time per mousemove), and n = 65536 drawn with the webview's JS heap reported.
 */
import { openWebview } from '../browser/harness';

const fixedAt = (n: number) => ({ pattern: 'fixed', n, heads: 8, stride: 128, c: 8, subblocks: 4, mode: 'merged', layer: 0, bidirectional: false });

async function main(): Promise<void> {
  const view = await openWebview('/');
  const page = view.page;
  const firstMap = async (n: number, message: 'init' | 'setConfig') => {
    const before = (await view.posted('rendered')).length;
    const t0 = Date.now();
    await page.evaluate(
      ({ config, message }) =>
        window.postMessage(message === 'init' ? { type: 'init', state: { config }, settings: { computeBackend: 'auto', mapRenderer: 'auto' } } : { type: 'setConfig', config }, '*'),
      { config: fixedAt(n), message },
    );
    await page.waitForFunction((c) => (window as any).__posted.filter((m: any) => m.type === 'rendered').length > c, before, { timeout: 120000 });
    const wall = Date.now() - t0;
    const rendered = await view.posted('rendered');
    return { wall, inPage: rendered[rendered.length - 1].summary.ms as number };
  };
  const n4096 = await firstMap(4096, 'init');
  await page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'computed'), undefined, { timeout: 120000 });
  const computed = (await view.posted('computed'))[0].compute;

  // Hover: time the mousemove handler itself, over many positions of the first map.
  const hover = await page.evaluate(() => {
    const canvas = document.querySelector('.maps canvas') as HTMLCanvasElement;
    const rect = canvas.getBoundingClientRect();
    const times: number[] = [];
    for (let k = 0; k < 200; k++) {
      const x = rect.left + 2 + ((k * 37) % (rect.width - 4));
      const y = rect.top + 2 + ((k * 53) % (rect.height - 4));
      const t0 = performance.now();
      canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, bubbles: true }));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { median: times[100], p95: times[190] };
  });

  const heap = () => page.evaluate(() => ((performance as any).memory?.usedJSHeapSize ?? NaN) / 2 ** 20);
  const heapBefore = await heap();
  const n65536 = await firstMap(65536, 'setConfig');
  const heapAfter = await heap();
  await view.close();

  console.log('\ninspector webview in headless Chromium (SwiftShader), fixed l=128, c=8, K=4, 8 heads');
  console.log(`first map at n=4096: ${n4096.wall} ms from the host message (render ${n4096.inPage.toFixed(0)} ms in the page); target <= 1500 ms`);
  console.log(`attention at n=4096 then: ${computed.backend} (${computed.kernel}) ${computed.ms.toFixed(0)} ms, off the UI thread`);
  console.log(`hover handler: median ${hover.median.toFixed(2)} ms, p95 ${hover.p95.toFixed(2)} ms per mousemove; target < 16 ms`);
  console.log(`n=65536: first map in ${n65536.wall} ms; JS heap ${heapBefore.toFixed(0)} MB -> ${heapAfter.toFixed(0)} MB (a dense u1 mask would be ${(8 * 65536 * 65536) / 2 ** 30} GiB)`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
