/**
 * Nothing lost: the CLI checks every output path before any work, and writes each file under a
 * temporary name and renames it, so a write cut short leaves the user's old file as it was.
 */
import { strict as assert } from 'assert';
import { spawn, spawnSync } from 'child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { decodeNpy, encodeNpy, npyToFloat32 } from '../../src/core';
import { randomQkv } from '../support/attentionCases';
import { productionCli } from '../support/productionCli';

describe('CLI outputs: checked first, written atomically', function () {
  this.timeout(120000);
  let cli: string;
  const dir = mkdtempSync(join(tmpdir(), 'sparse-attn-out-'));
  const run = (args: string[], prefix: string[] = []) => spawnSync(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), cli, ...args], { encoding: 'utf8', cwd: dir, timeout: 60000 });
  const inputs = () => {
    const input = randomQkv(2, 64, 8, 3);
    for (const k of ['q', 'k', 'v'] as const) writeFileSync(join(dir, `${k}.npy`), encodeNpy('<f4', [2, 64, 8], input[k]));
    return ['--q', 'q.npy', '--k', 'k.npy', '--v', 'v.npy', '--stride', '16', '--c', '2'];
  };
  const oneLine = (r: ReturnType<typeof run>, status: number, message: RegExp) => {
    assert.equal(r.status, status, r.stdout + r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line, no stack trace: ${r.stderr}`);
    assert.match(r.stderr, message);
  };

  before(async () => {
    cli = await productionCli();
  });

  it('refuses an output in a folder that does not exist, before any work', () => {
    oneLine(run(['mask', '--n', '64', '--out', 'missing/m.npy']), 2, /--out missing\/m\.npy: the folder .*missing does not exist/);
  });

  it('refuses a folder as the output file', () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    oneLine(run(['mask', '--n', '64', '--out', 'sub']), 2, /--out sub is a folder: name a file in it/);
  });

  it('attend checks --probs and --lse before it writes --out, and refuses one file named twice', () => {
    const args = inputs();
    oneLine(run(['attend', ...args, '--out', 'o.npy', '--probs', 'nowhere/p.npy']), 2, /--probs nowhere\/p\.npy: the folder .* does not exist/);
    assert.equal(existsSync(join(dir, 'o.npy')), false, '--out was not written');
    oneLine(run(['attend', ...args, '--out', 'same.npy', '--lse', './same.npy']), 2, /--out and --lse name the same file \(\.\/same\.npy\): give each its own/);
    // An ending that promises another format: an image or text where a .npy array would land.
    oneLine(run(['attend', ...args, '--out', 'o.npy', '--probs', 'attn.PNG']), 2, /--probs attn\.PNG: this writes a \.npy array, not \.png; end the name in \.npy/);
    assert.equal(existsSync(join(dir, 'o.npy')), false, '--out was not written');
  });

  it('a write cut short (file size limit) leaves the old file as it was, no partial file, exit 1 in one line', function () {
    const prlimit = ['/usr/bin/prlimit', '--fsize=4096'];
    if (!existsSync(prlimit[0])) this.skip();
    writeFileSync(join(dir, 'keep.npy'), 'the user\'s good file');
    oneLine(run(['mask', '--n', '256', '--heads', '4', '--stride', '32', '--c', '4', '--out', 'keep.npy'], prlimit), 1, /could not write keep\.npy: EFBIG .*; keep\.npy was left as it was/);
    assert.equal(readFileSync(join(dir, 'keep.npy'), 'utf8'), 'the user\'s good file');
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.partial')), [], 'no temporary file left behind');
    // Without the limit the same command replaces it with the mask.
    const ok = run(['mask', '--n', '256', '--heads', '4', '--stride', '32', '--c', '4', '--out', 'keep.npy']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(readFileSync(join(dir, 'keep.npy')).subarray(1, 6).toString(), 'NUMPY');
  });

  it('writes through a symbolic link: the file it names is replaced with its permissions, the link stays (a dangling one creates its file)', () => {
    mkdirSync(join(dir, 'real'), { recursive: true });
    writeFileSync(join(dir, 'real', 'mask.npy'), 'old', { mode: 0o600 });
    symlinkSync(join('real', 'mask.npy'), join(dir, 'linked.npy'));
    symlinkSync(join(dir, 'real', 'new.npy'), join(dir, 'dangling.npy'));
    for (const name of ['linked.npy', 'dangling.npy']) {
      const r = run(['mask', '--n', '64', '--out', name]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(lstatSync(join(dir, name)).isSymbolicLink(), `${name} is still a link`);
    }
    assert.deepEqual(decodeNpy(readFileSync(join(dir, 'real', 'mask.npy'))).shape, [4, 64, 64]);
    assert.deepEqual(decodeNpy(readFileSync(join(dir, 'real', 'new.npy'))).shape, [4, 64, 64]);
    assert.equal(readlinkSync(join(dir, 'linked.npy')), join('real', 'mask.npy'));
    assert.equal(statSync(join(dir, 'real', 'mask.npy')).mode & 0o777, 0o600, 'the replaced file keeps its permissions');
    assert.deepEqual(readdirSync(join(dir, 'real')).filter((f) => f.includes('.partial')), []);
    // A link and its file are one output: attend refuses them as --out and --lse.
    oneLine(run(['attend', ...inputs(), '--out', 'real/mask.npy', '--lse', 'linked.npy']), 2, /--out and --lse name the same file \(linked\.npy\): give each its own/);
  });

  it('a device is written in place, never replaced: /dev/null takes any output, /dev/full fails in one line (ENOSPC)', () => {
    const devices = ['/dev/null', '/dev/full'];
    for (const device of devices) assert.ok(statSync(device).isCharacterDevice(), `${device} is a device before`);
    const ok = run(['attend', ...inputs(), '--out', '/dev/null', '--lse', '/dev/null']);
    assert.equal(ok.status, 0, ok.stderr);
    oneLine(run(['mask', '--n', '64', '--out', '/dev/full']), 1, /could not write \/dev\/full: ENOSPC \(no space left on device\)$/m);
    // Renaming a temporary file over it would have made the device a regular file (as root).
    for (const device of devices) assert.ok(statSync(device).isCharacterDevice(), `${device} is still a device`);
    assert.deepEqual(readdirSync('/dev').filter((f) => f.includes('.partial')), [], 'no temporary file in /dev');
  });

  it('standard streams as files: with --out /dev/stdout the pipe carries only the file (the CLI\'s lines go to stderr); --q or --mask /dev/stdin read a pipe', () => {
    const json = run(['mask', '--n', '16', '--heads', '1', '--format', 'json', '--out', '/dev/stdout']);
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout).shape, [1, 16, 16]);
    assert.match(json.stderr, /^wrote \/dev\/stdout \(json, token mask \[1, 16, 16\]/);
    const npy = spawnSync(process.execPath, [cli, 'attend', ...inputs(), '--out', '/dev/stdout'], { cwd: dir, timeout: 60000 });
    assert.equal(npy.status, 0, npy.stderr.toString());
    assert.deepEqual(decodeNpy(new Uint8Array(npy.stdout)).shape, [2, 64, 8]);
    assert.match(npy.stderr.toString(), /backend: cpu/);
    // Q from standard input (no size, no offsets), and a mask to diff: the same as from the files.
    const args = inputs().map((a) => (a === 'q.npy' ? '/dev/stdin' : a));
    const piped = spawnSync(process.execPath, [cli, 'attend', ...args, '--out', '/dev/stdout'], { cwd: dir, timeout: 60000, input: readFileSync(join(dir, 'q.npy')) });
    assert.equal(piped.status, 0, piped.stderr.toString());
    assert.deepEqual(piped.stdout, npy.stdout);
    assert.equal(run(['mask', '--n', '64', '--out', 'm.npy']).status, 0);
    const diff = spawnSync(process.execPath, [cli, 'diff', '--mask', '/dev/stdin', '--n', '64'], { cwd: dir, timeout: 60000, input: readFileSync(join(dir, 'm.npy')), encoding: 'utf8' });
    assert.equal(diff.status, 0, diff.stderr);
    assert.match(diff.stdout, /identical/);
  });

  it('under an address-space limit (ulimit -v) attend falls back to the JS loops and says why, output still right', function () {
    // V8 reserves ~10 GiB of address space per WebAssembly memory; 4 GB forbids it but lets Node run.
    const prlimit = ['/usr/bin/prlimit', '--as=4000000000'];
    if (!existsSync(prlimit[0])) this.skip();
    const args = [...inputs(), '--backend', 'cpu'];
    const limited = run(['attend', ...args, '--out', 'limited.npy'], prlimit);
    assert.equal(limited.status, 0, limited.stderr);
    assert.match(limited.stdout, /backend: cpu \(js kernel, .*WebAssembly memory of [\d.]+ MiB could not be reserved .*address-space limit.*: the JS loops ran\)/);
    const free = run(['attend', ...args, '--out', 'free.npy']);
    assert.match(free.stdout, /backend: cpu \(wasm-simd kernel/);
    const a = decodeNpy(readFileSync(join(dir, 'limited.npy')));
    const b = decodeNpy(readFileSync(join(dir, 'free.npy')));
    const x = npyToFloat32(a);
    const y = npyToFloat32(b);
    assert.ok(x.every((v, i) => Math.abs(v - y[i]) < 1e-5), 'same output as the SIMD kernel');
  });

  it('a JSON mask past its size budget is refused in one line with the estimate, nothing written', () => {
    oneLine(run(['mask', '--format', 'json', '--n', '65536', '--heads', '16', '--stride', '128', '--c', '8', '--out', 'huge.json']), 2, /JSON row ranges of a \[16, 65536, 65536\] mask .* would need 2\.\d GiB \(limit 256\.0 MiB\)/);
    assert.equal(existsSync(join(dir, 'huge.json')), false);
    oneLine(run(['stats', '--pattern', 'deepspeed-fixed', '--n', '1048576', '--block', '16', '--heads', '2']), 2, /block layout \[2, 65536, 65536\] would need 8,192 MiB/);
  });

  it('SIGINT stops a long mask export promptly, nothing written', async () => {
    // A PNG of 16 heads at n = 2^20: many seconds of pooling on the main thread.
    const child = spawn(process.execPath, [cli, 'mask', '--n', '1048576', '--heads', '16', '--stride', '32', '--c', '4', '--subblocks', '8', '--out', 'stopped.png'], { cwd: dir });
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    child.kill('SIGINT');
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
    assert.ok(code === 130 || signal === 'SIGINT', `stopped by the signal (code ${code}, signal ${signal})`);
    assert.ok(Date.now() - killedAt < 2000, 'promptly');
    assert.equal(existsSync(join(dir, 'stopped.png')), false);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('stopped')), []);
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} stops attend promptly even on one thread, exit ${code}, nothing written`, async () => {
      // Four heads on one thread, dense n = 8192: seconds of work in a worker thread.
      const input = randomQkv(4, 8192, 64, 9);
      for (const k of ['q', 'k', 'v'] as const) writeFileSync(join(dir, `big-${k}.npy`), encodeNpy('<f4', [4, 8192, 64], input[k]));
      const child = spawn(process.execPath, [cli, 'attend', '--q', 'big-q.npy', '--k', 'big-k.npy', '--v', 'big-v.npy', '--pattern', 'dense', '--threads', '1', '--backend', 'cpu', '--verbose', '--out', `stopped-${signal}.npy`], { cwd: dir });
      let stderr = '';
      // Signal once the compute has started (its own line), not after a guessed delay: start-up is slow on a busy machine.
      await new Promise<void>((started) =>
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
          if (/computing 4 heads at n=8192/.test(stderr)) started();
        }),
      );
      child.kill(signal);
      // Ignoring the signal (the old bug) shows as exit 0 with the output written, seconds later.
      const status = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      assert.equal(status, code, stderr);
      assert.match(stderr, new RegExp(`stopped by ${signal}; nothing was written`));
      assert.equal(existsSync(join(dir, `stopped-${signal}.npy`)), false);
    });
  }
});
