'use strict';
// `npm start`: build, then open examples/ in VS Code with this extension in development mode.
// Desktop `code` when present; otherwise the bundled VS Code server, opened from any browser.
// The server listens on 127.0.0.1:8765 unless `npm start -- --port N` (or SAI_PORT=N) says
// otherwise; a port in use is refused with the way out, not silently changed.
const { spawnSync, spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT, SERVER_MAIN, startServer } = require('./server');

const EXAMPLES = path.join(ROOT, 'examples');
const run = (cmd, args) => {
  console.log(`[start] ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
};
const onPath = cmd => (process.env.PATH || '').split(path.delimiter).some(d => fs.existsSync(path.join(d, cmd)));

/** --port N, else SAI_PORT, else 8765; anything that is not a port is refused. */
function chosenPort() {
  const at = process.argv.indexOf('--port');
  const raw = at >= 0 ? process.argv[at + 1] : process.env.SAI_PORT;
  if (raw === undefined) return 8765;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`[start] --port must be a port number 1-65535 (got "${raw}")`);
    process.exit(2);
  }
  return port;
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = require('net').createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function main() {
  if (fs.existsSync(path.join(ROOT, 'esbuild.js'))) run(process.execPath, ['esbuild.js']);
  if (onPath('code') && !process.env.SAI_NO_DESKTOP) {
    spawn('code', [`--extensionDevelopmentPath=${ROOT}`, EXAMPLES], { stdio: 'inherit', detached: true }).unref();
    return;
  }
  // Only what starting needs: the test tools (chromium, numpy, torch) are `npm test`'s business.
  if (!fs.existsSync(SERVER_MAIN)) run('bash', [path.join(__dirname, 'install-vscode.sh'), '--for', 'start']);
  const port = chosenPort();
  if (!(await portIsFree(port))) {
    console.error(`[start] port ${port} is in use: stop what runs there, or choose another with \`npm start -- --port N\` (or SAI_PORT=N)`);
    process.exit(2);
  }
  const server = await startServer({ workspace: EXAMPLES, extensionDevelopmentPath: ROOT, port, quiet: true });
  console.log(`[start] VS Code server log: ${server.logFile}`);
  console.log(`Open ${server.url}`);
  console.log('Ctrl-C to stop.');
  const stop = async () => { await server.stop(); process.exit(0); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(err => { console.error(`[start] ${err.stack || err}`); process.exit(1); });
