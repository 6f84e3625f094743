'use strict';
// Runs dist/test/vscode-suite/index.js (mocha) inside a real VS Code extension host:
// VS Code server + headless chromium. Exit code 0 only if the suite reported and nothing failed.
//
//   node test/vscode/run-integration.js [--screenshot-hook] [--name=exit] [--timeout=240] [--verbose]
// env: SAI_EXT_DIR (extension under test, default repo root), SAI_VSCODE_TIMEOUT (seconds),
//      SAI_VSCODE_GREP (mocha grep), SAI_MOCHA_TIMEOUT (ms), SAI_WORKSPACE (default examples/).
const fs = require('fs');
const path = require('path');
const util = require('util');
const { ROOT, startServer, launchBrowser, workbenchUrl, vscodeRemote } = require('./server');

const argv = process.argv.slice(2);
const opt = (name, def) => { const a = argv.find(x => x.startsWith(`--${name}=`)); return a ? a.slice(name.length + 3) : def; };
const SCREENSHOT_HOOK = argv.includes('--screenshot-hook');
const VERBOSE = argv.includes('--verbose') || process.env.SAI_VSCODE_VERBOSE === '1';
const EXIT_SHOT = opt('name', 'exit');
const TIMEOUT_S = Number(opt('timeout', process.env.SAI_VSCODE_TIMEOUT || 240));
const EXT_DIR = path.resolve(process.env.SAI_EXT_DIR || ROOT);
const WORKSPACE = path.resolve(process.env.SAI_WORKSPACE || path.join(ROOT, 'examples'));
const TESTS = path.join(ROOT, 'dist/test/vscode-suite/index.js');
const SHOT_DIR = path.join(ROOT, 'test-results/screenshots');

const safeName = n => n.replace(/[^\w.-]+/g, '_').slice(0, 100) || 'shot';

/**
 * Renders console args. Workbench log lines (the extension host's console.* among them) come as
 * ['%c INFO', css, fmt, ...args]: drop the css, then format the rest like Node's console.
 */
function formatConsole(args) {
  const m = typeof args[0] === 'string' && /^%c\s*([A-Z]+)$/.exec(args[0]);
  if (m) return `${m[1]} ${util.format(...args.slice(2))}`.trimEnd();
  return util.format(...args);   // util.format also drops '%c' and its css argument
}

// Workbench chatter that says nothing about the tests; shown with --verbose.
const NOISE = [/Failed to load resource/, /\[Violation\]/, /Download the React DevTools/, /was preloaded using link preload/,
  /An iframe which has both allow-scripts and allow-same-origin/, /Unrecognized feature:/, /Ignoring unsupported/, /Manifest fetch from/,
  /A bad HTTP response code \(404\)/, /ENOTFOUND open-vsx\.org/, /Service Worker\] registration/, /No service worker controller found/,
  /unexpected service worker controller/];

async function main() {
  if (!fs.existsSync(TESTS)) throw new Error(`${TESTS} missing: run node test/vscode/build-suite.js`);
  if (!fs.existsSync(path.join(EXT_DIR, 'package.json'))) throw new Error(`no extension at ${EXT_DIR}`);
  fs.mkdirSync(SHOT_DIR, { recursive: true });
  const t0 = Date.now();
  const elapsed = () => ((Date.now() - t0) / 1000).toFixed(1) + 's';

  let server, browser, summary = null, timedOut = false;
  const pendingShots = new Set();
  let page;
  /**
   * `SCREENSHOT name hover=fx,fy`: first moves the real mouse over the inspector's first map (at
   * those fractions of its width and height), so the shot shows the readout at the pointer.
   */
  const hoverMap = async (fx, fy) => {
    const frame = page.frames().find((f) => f.url().includes('fake.html') && f.url().includes('sparse'))
      ?? page.frames().find((f) => f.url().includes('fake.html'));
    const canvas = frame && frame.locator('.maps canvas').first();
    const box = canvas && (await canvas.boundingBox().catch(() => null));
    if (!box) return console.log('[runner] hover: no map to hover');
    await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height);
    await page.waitForTimeout(300);
  };
  const screenshot = (name, hover) => {
    if (!page) return Promise.resolve();
    const file = path.join(SHOT_DIR, `${safeName(name)}.png`);
    const before = hover ? hoverMap(...hover.split(',').map(Number)).catch((e) => console.log(`[runner] hover failed: ${e.message}`)) : Promise.resolve();
    const p = before.then(() => page.screenshot({ path: file, timeout: 15000 }))
      .then(() => console.log(`[runner] screenshot ${path.relative(ROOT, file)}`))
      .catch(e => console.log(`[runner] screenshot ${name} failed: ${e.message.split('\n')[0]}`))
      .finally(() => pendingShots.delete(p));
    pendingShots.add(p);
    return p;
  };

  let finish;
  const finished = new Promise(r => { finish = r; });
  const timer = setTimeout(() => { timedOut = true; finish(null); }, TIMEOUT_S * 1000);
  // Backstop if cleanup itself wedges: exit anyway ('exit' handlers kill server and chromium).
  setTimeout(() => { console.log('[runner] hard timeout'); console.log('0 passed, 1 failed'); process.exit(1); }, (TIMEOUT_S + 45) * 1000).unref();
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => { console.log(`[runner] ${sig}`); finish(130); });

  let exitCode = 1;
  try {
    // process.env (SAI_* included) reaches the extension host through the server.
    server = await startServer({ workspace: WORKSPACE });
    console.log(`[runner] VS Code server on ${server.base} (${elapsed()}), extension ${EXT_DIR}`);
    browser = await launchBrowser();
    page = browser.page;

    // Console lines arrive async (args are fetched); a queue keeps their order.
    let queue = Promise.resolve();
    page.on('console', msg => {
      queue = queue.then(async () => {
        let text;
        try { text = formatConsole(await Promise.all(msg.args().map(a => a.jsonValue().catch(() => String(a))))); } catch { text = msg.text(); }
        if (!text) text = msg.text();
        const m = /VSCODE-SUITE (\d+) passed, (\d+) failed/.exec(text);
        if (m) summary = { passed: Number(m[1]), failed: Number(m[2]) };
        const shot = SCREENSHOT_HOOK && /(?:^|\s)SCREENSHOT (\S+)(?: hover=(\S+))?/.exec(text);
        if (shot) screenshot(shot[1], shot[2]);
        if (VERBOSE || !NOISE.some(re => re.test(text))) console.log(`[vscode:${msg.type()}] ${text}`);
      });
    });
    page.on('pageerror', err => console.log(`[vscode:pageerror] ${err.message}`));
    page.on('crash', () => { console.log('[runner] page crashed'); finish(1); });
    // The workbench calls this when the extension host's tests end (smoke-test driver).
    await page.exposeFunction('codeAutomationExit', async code => {
      await queue;                      // last console lines (summary, SCREENSHOT) first
      await Promise.all([...pendingShots]);
      await screenshot(EXIT_SHOT);
      finish(Number(code) || 0);
    });

    const url = workbenchUrl(server.base, WORKSPACE, [
      ['extensionDevelopmentPath', vscodeRemote(EXT_DIR)],
      ['extensionTestsPath', vscodeRemote(TESTS)],
    ]);
    if (VERBOSE) console.log(`[runner] open ${url}`);
    await Promise.race([page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 }), finished]);
    const code = await finished;
    if (timedOut) {
      console.log(`[runner] TIMEOUT after ${TIMEOUT_S} s: the tests did not finish`);
      await Promise.race([screenshot('timeout'), new Promise(r => setTimeout(r, 10000))]);
    }
    await Promise.race([queue, new Promise(r => setTimeout(r, 2000))]);
    exitCode = timedOut ? 1 : code;
  } catch (err) {
    console.log(`[runner] ERROR ${err.stack || err}`);
    exitCode = 1;
  } finally {
    clearTimeout(timer);
    await Promise.race([Promise.all([...pendingShots]), new Promise(r => setTimeout(r, 5000))]);
    if (browser) await browser.close();
    if (server) {
      if (exitCode !== 0) console.log(`[runner] server log kept: ${server.logFile}`);
      await server.stop({ keepDir: exitCode !== 0 });
    }
  }
  if (!summary) console.log('[runner] no VSCODE-SUITE summary line (timeout, crash or the suite did not load)');
  const passed = summary ? summary.passed : 0;
  const failed = summary ? summary.failed : 0;
  if (exitCode === 0 && (!summary || failed > 0)) exitCode = 1;
  // Any failure without counted failing tests still shows as one failure in the CI line.
  console.log(`[runner] done in ${elapsed()}, exit ${exitCode}`);
  console.log(`${passed} passed, ${exitCode !== 0 && failed === 0 ? 1 : failed} failed`);
  return exitCode;
}

main().then(code => process.exit(code), err => { console.error(err); console.log('0 passed, 1 failed'); process.exit(1); });
