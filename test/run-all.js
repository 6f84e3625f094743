// `npm test`: type check, build, unit tests, then the browser and real-VS-Code suites.
// Every stage reports passed/failed (and skipped) counts; the run ends with one line
// "N passed, N failed, N skipped". Under CI=true (.ci/run installs every tool) a skip is a failure.
const { spawnSync } = require('child_process');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const totals = { passed: 0, failed: 0, skipped: 0 };
const STRICT = process.env.CI === 'true';

function stage(name, fn) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  let result;
  try {
    result = fn();
  } catch (e) {
    console.error(e);
    result = { passed: 0, failed: 1 };
  }
  const skipped = result.skipped || 0;
  totals.passed += result.passed;
  totals.failed += result.failed + (STRICT ? skipped : 0);
  totals.skipped += skipped;
  const strictNote = STRICT && skipped ? ' (CI=true: skips count as failures)' : '';
  console.log(`--- ${name}: ${result.passed} passed, ${result.failed} failed, ${skipped} skipped${strictNote} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Runs a command; a zero exit is one pass, anything else one failure. */
function command(cmd, args, timeoutMs = 10 * 60 * 1000) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', timeout: timeoutMs });
  if (r.error) console.error(r.error.message);
  return r.status === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 };
}

/** Runs a suite that prints its own "N passed, N failed" line; no such line counts as a failure. */
function suite(script, timeoutMs, args = []) {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(r.stdout || '');
  process.stderr.write(r.stderr || '');
  const lines = (r.stdout || '').match(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/gm);
  if (!lines) return { passed: 0, failed: 1 };
  const [, passed, failed, skipped] = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/.exec(lines[lines.length - 1]);
  return { passed: Number(passed), failed: Number(failed) + (r.status === 0 ? 0 : Number(failed) ? 0 : 1), skipped: Number(skipped || 0) };
}

const tsc = require.resolve('typescript/bin/tsc');
// Debian chromium (browser tests) and a real VS Code (code-server's bundled server); idempotent.
stage('install test tools (apt + VS Code server)', () => command('bash', ['test/vscode/install-vscode.sh'], 15 * 60 * 1000));
stage('type check (tsc --noEmit)', () => command(process.execPath, [tsc, '-p', '.', '--noEmit']));
stage('type check webview (DOM)', () => command(process.execPath, [tsc, '-p', 'webview', '--noEmit']));
stage('type check browser tests (DOM)', () => command(process.execPath, [tsc, '-p', 'test/browser', '--noEmit']));
// The production build, minified as `npm run package` ships it: every suite below runs what users install.
stage('build (esbuild --production)', () => command(process.execPath, ['esbuild.js', '--production']));
stage('unit tests (mocha, Node)', () => suite('test/unit/run.js', 10 * 60 * 1000));
stage('webview tests (headless Chromium)', () => suite('test/browser/run.js', 5 * 60 * 1000));
stage('build the real-VS-Code suite', () => command(process.execPath, ['test/vscode/build-suite.js']));
stage('extension tests in a real VS Code', () => suite('test/vscode/run-integration.js', 6 * 60 * 1000, ['--screenshot-hook']));
stage('packaged .vsix in a real VS Code', () => suite('test/vscode/run-packaged.js', 5 * 60 * 1000));

console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed === 0 ? 0 : 1;
