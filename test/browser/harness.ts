/**
 * Serves the built webview bundle on localhost inside a page whose only stand-in is the
 * webview host channel (acquireVsCodeApi): it records what the webview posts and lets the test
 * post host messages. The DOM, canvas and events are real Chromium.
 */
import { readFileSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { BrowserContext, chromium, Page } from 'playwright-core';

const ROOT = resolve(__dirname, '../..');

const COMPUTE_PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<script src="/dist/test/browser-compute.js"></script></body></html>`;

const PAGE = `<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/media/inspector.css"><style>
body { --vscode-editor-background: #1e1e1e; --vscode-foreground: #cccccc; --vscode-charts-blue: #3794ff;
  --vscode-errorForeground: #f48771; --vscode-input-background: #3c3c3c; --vscode-input-foreground: #cccccc; }
</style></head><body><main id="app" data-worker-url="/dist/attention-worker.js"></main><script>
window.__posted = []; window.__state = undefined;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
  getState: () => window.__state,
  setState: (s) => { window.__state = s; },
});
</script><script src="/dist/webview.js"></script></body></html>`;

export interface WebviewPage {
  page: Page;
  close(): Promise<void>;
  posted(type: string): Promise<any[]>;
  /**
   * Waits until the maps show the current config and view: the pattern analysed, their masks
   * pooled (by the worker) and every canvas painted. Call it after the action that redraws.
   */
  mapsSettled(): Promise<void>;
}

export function chromiumArgs(): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--enable-unsafe-webgpu',
    '--enable-precise-memory-info',
  ];
}

/** `path`: '/' for the inspector webview page, '/compute.html' for the compute test bundle. */
export async function openWebview(path = '/'): Promise<WebviewPage> {
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/' || url === '/index.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (url === '/compute.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end(COMPUTE_PAGE);
    const file = join(ROOT, url.split('?')[0]);
    if (!file.startsWith(join(ROOT, 'dist')) && !file.startsWith(join(ROOT, 'media'))) return void res.writeHead(404).end();
    try {
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const context: BrowserContext = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'sai-chromium-')), {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs(),
    viewport: { width: 1200, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}${path}`);
  return {
    page,
    posted: (type) => page.evaluate((t) => (window as any).__posted.filter((m: any) => m.type === t), type),
    mapsSettled: async () => {
      await page.waitForFunction(() => {
        const grid = document.querySelector<HTMLElement>('.maps');
        const status = document.getElementById('app')?.dataset.status;
        return !!grid && !grid.dataset.painting && !grid.dataset.pending && !grid.dataset.stale && status !== 'analysing' && grid.querySelector('canvas') !== null;
      }, undefined, { timeout: 60000 });
    },
    close: async () => {
      await context.close();
      server.close();
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    },
  };
}

/**
 * Posts `setSequence` as the host does: tensors (pasted Q/K/V, embeddings) as Float32Arrays,
 * made in the page from plain arrays.
 */
export async function postSequence(page: Page, sequence: { qkv?: { q: ArrayLike<number>; k: ArrayLike<number>; v: ArrayLike<number> }; embeddings?: { values: ArrayLike<number> } }): Promise<void> {
  const plain = JSON.parse(JSON.stringify(sequence, (_, value) => (value instanceof Float32Array ? Array.from(value) : value)));
  // No named helpers inside: the test bundler would wrap them in a function the page lacks.
  await page.evaluate((s) => {
    const qkv = s.qkv && { ...s.qkv, q: Float32Array.from(s.qkv.q), k: Float32Array.from(s.qkv.k), v: Float32Array.from(s.qkv.v) };
    const embeddings = s.embeddings && { ...s.embeddings, values: Float32Array.from(s.embeddings.values) };
    window.postMessage({ type: 'setSequence', sequence: { ...s, ...(qkv ? { qkv } : {}), ...(embeddings ? { embeddings } : {}) } }, '*');
  }, plain);
}
