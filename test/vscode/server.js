'use strict';
// Starts code-server's bundled VS Code server and a headless Debian chromium (playwright-core).
// Used by run-integration.js (tests) and start.js (npm start).
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');

const ROOT = path.resolve(__dirname, '../..');
const VSCODE_TEST = path.join(ROOT, '.vscode-test');
const SERVER_MAIN = path.join(VSCODE_TEST, 'code-server/node_modules/code-server/lib/vscode/out/server-main.js');
const CHROMIUM = process.env.SAI_CHROMIUM || '/usr/bin/chromium';
// Machine settings (<user-data-dir>/Machine/settings.json, which the web workbench honours):
// no Welcome walkthrough or git prompt covering screenshots, no gallery/update lookups.
const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'git.openRepositoryInParentFolders': 'never',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'update.mode': 'none',
};

/** Per-process scratch folder: own HOME/TMPDIR/XDG dirs, server data, browser profile. */
function runDir() {
  const dir = path.join(VSCODE_TEST, `run-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Removes run-<pid> folders left by runs that were killed (their pid is gone). */
function cleanStaleRunDirs() {
  if (!fs.existsSync(VSCODE_TEST)) return;
  for (const name of fs.readdirSync(VSCODE_TEST)) {
    const m = /^run-(\d+)$/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try { process.kill(Number(m[1]), 0); continue; } catch { /* dead: remove */ }
    fs.rmSync(path.join(VSCODE_TEST, name), { recursive: true, force: true });
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function probe(port) {
  return new Promise(resolve => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: 2000 }, res => { res.resume(); resolve(true); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

const vscodeRemote = p => 'vscode-remote://remote' + path.resolve(p);

/** Workbench URL; payload entries are [key, value] pairs (extensionDevelopmentPath, extensionTestsPath). */
function workbenchUrl(base, workspace, payload = []) {
  let url = `${base}/?folder=${encodeURIComponent(path.resolve(workspace))}`;
  if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/**
 * Starts the VS Code server. Returns {url, base, port, dir, logFile, stop()}.
 * `url` opens `workspace`, with extensionDevelopmentPath in the payload when given.
 * `env` adds variables (they reach the extension host, which the server spawns).
 * `settings` are merged over DEFAULT_SETTINGS as machine settings.
 */
async function startServer({ workspace, extensionDevelopmentPath, extensionsDir, port, host = '127.0.0.1', env = {}, settings = {}, quiet = true } = {}) {
  if (!fs.existsSync(SERVER_MAIN)) throw new Error(`VS Code server missing: run test/vscode/install-vscode.sh (${SERVER_MAIN})`);
  cleanStaleRunDirs();
  const dir = runDir();
  const d = name => { const p = path.join(dir, name); fs.mkdirSync(p, { recursive: true }); return p; };
  port = port || await freePort();
  const runtime = d('xdg-runtime');
  fs.chmodSync(runtime, 0o700);
  const childEnv = {
    ...process.env, ...env,
    HOME: d('home'), TMPDIR: d('tmp'),
    XDG_CONFIG_HOME: d('xdg-config'), XDG_DATA_HOME: d('xdg-data'), XDG_CACHE_HOME: d('xdg-cache'), XDG_RUNTIME_DIR: runtime,
  };
  // Do not leak the caller's VS Code IPC/terminal hooks into the server.
  for (const k of Object.keys(childEnv)) if (/^VSCODE_/.test(k)) delete childEnv[k];
  const userData = d('user-data');
  fs.mkdirSync(path.join(userData, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'Machine/settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));
  const args = [SERVER_MAIN, '--host', host, '--port', String(port),
    '--without-connection-token', '--accept-server-license-terms', '--enable-smoke-test-driver',
    '--telemetry-level', 'off', '--disable-workspace-trust',
    '--server-data-dir', d('server-data'), '--user-data-dir', userData,
    '--extensions-dir', extensionsDir || d('extensions')];
  const logFile = path.join(dir, 'server.log');
  const log = fs.openSync(logFile, 'a');
  // detached: own process group, so stop() also ends extension hosts, pty host and watchers.
  const child = spawn(process.execPath, args, { env: childEnv, detached: true, stdio: ['ignore', quiet ? log : 'inherit', quiet ? log : 'inherit'] });
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  const killGroup = sig => { try { process.kill(-child.pid, sig); } catch { /* already gone */ } };
  const onExit = () => killGroup('SIGKILL');   // last resort if the caller dies without stop()
  process.on('exit', onExit);

  let stopped = false;
  async function stop({ keepDir = false } = {}) {
    if (stopped) return; stopped = true;
    killGroup('SIGTERM');
    for (let i = 0; i < 30 && exited === null; i++) await new Promise(r => setTimeout(r, 100));
    killGroup('SIGKILL');
    process.removeListener('exit', onExit);
    fs.closeSync(log);
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
  }

  const deadline = Date.now() + 60000;
  while (!(await probe(port))) {
    if (exited || Date.now() > deadline) {
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '';
      await stop({ keepDir: true });
      throw new Error(`VS Code server ${exited ? `exited (${JSON.stringify(exited)})` : 'did not answer in 60 s'}; log ${logFile}:\n${tail}`);
    }
    await new Promise(r => setTimeout(r, 200));
  }
  const base = `http://${host}:${port}`;
  const payload = extensionDevelopmentPath ? [['extensionDevelopmentPath', vscodeRemote(extensionDevelopmentPath)]] : [];
  return { url: workbenchUrl(base, workspace || ROOT, payload), base, port, dir, logFile, stop };
}

/** Headless chromium with a fresh profile. Returns {context, page, close()}. */
async function launchBrowser({ userDataDir } = {}) {
  const { chromium } = require('playwright-core');
  userDataDir = userDataDir || path.join(runDir(), `chromium-${Date.now()}`);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60000,
    // The caller owns signals and cleanup; playwright still kills chromium on process exit.
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    viewport: { width: 1600, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage', '--enable-unsafe-webgpu'],
  });
  const page = context.pages()[0] || await context.newPage();
  let closed = false;
  async function close() {
    if (closed) return; closed = true;
    // close() can hang if chromium is wedged; playwright kills its child on process exit anyway.
    await Promise.race([context.close().catch(() => {}), new Promise(r => setTimeout(r, 5000))]);
  }
  return { context, page, close };
}

module.exports = { ROOT, SERVER_MAIN, startServer, launchBrowser, workbenchUrl, vscodeRemote, runDir };
