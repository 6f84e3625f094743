'use strict';
// `npm start`: build, then open examples/ in VS Code with this extension in development mode.
// Desktop `code` when present; otherwise the bundled VS Code server, opened from any browser.
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

async function main() {
  if (fs.existsSync(path.join(ROOT, 'esbuild.js'))) run(process.execPath, ['esbuild.js']);
  if (onPath('code') && !process.env.SAI_NO_DESKTOP) {
    spawn('code', [`--extensionDevelopmentPath=${ROOT}`, EXAMPLES], { stdio: 'inherit', detached: true }).unref();
    return;
  }
  if (!fs.existsSync(SERVER_MAIN)) run('bash', [path.join(__dirname, 'install-vscode.sh')]);
  const port = Number(process.env.PORT) || 8765;
  const server = await startServer({ workspace: EXAMPLES, extensionDevelopmentPath: ROOT, port, quiet: true });
  console.log(`[start] VS Code server log: ${server.logFile}`);
  console.log(`Open ${server.url}`);
  console.log(`(plain http://127.0.0.1:${port}/?folder=${EXAMPLES} opens it without the development extension)`);
  console.log('Ctrl-C to stop.');
  const stop = async () => { await server.stop(); process.exit(0); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(err => { console.error(`[start] ${err.stack || err}`); process.exit(1); });
