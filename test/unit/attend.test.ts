import { strict as assert } from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { PRODUCTION_CLI, productionCli } from '../support/productionCli';
import { buildPattern, decodeNpy, defaultConfig, encodeNpy, FactorizedConfig, referenceAttention } from '../../src/core';
import { pythonWith } from '../support/python';
import { randomQkv } from '../support/attentionCases';

const ROOT = resolve(__dirname, '../..');
// The CLI as `npm run package` ships it (minified): the dev build once hid broken GPU kernels.
const CLI = PRODUCTION_CLI;
const dir = mkdtempSync(join(tmpdir(), 'sparse-attn-attend-'));
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

function attend(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, 'attend', ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, ...env }, timeout: 120000 });
}

function writeInputs(name: string, heads: number, n: number, d: number, seed: number) {
  const input = randomQkv(heads, n, d, seed);
  const paths = { q: join(dir, `${name}-q.npy`), k: join(dir, `${name}-k.npy`), v: join(dir, `${name}-v.npy`) };
  for (const key of ['q', 'k', 'v'] as const) writeFileSync(paths[key], encodeNpy('<f4', [heads, n, d], input[key]));
  return { input, paths, args: ['--q', paths.q, '--k', paths.k, '--v', paths.v] };
}

function readF32(path: string): Float32Array {
  const npy = decodeNpy(readFileSync(path));
  const copy = new Uint8Array(npy.data.byteLength); // Buffer.slice would share the whole pool
  copy.set(npy.data);
  return new Float32Array(copy.buffer);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let x = 0; x < a.length; x++) m = Math.max(m, Math.abs(a[x] - b[x]));
  return m;
}

describe('sparse-attn attend', function () {
  this.timeout(180000);
  before(() => productionCli());

  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 128, stride: 16, c: 2, heads: 4, subblocks: 4 };
  const patternArgs = ['--pattern', 'fixed', '--stride', '16', '--c', '2', '--subblocks', '4'];

  it('loads gpu.js only for a gpu.js backend: --backend cpu runs without it', () => {
    const { args } = writeInputs('lazy', 2, 64, 16, 4);
    const run = (backend: string) =>
      spawnSync(process.execPath, ['-r', join(ROOT, 'test/support/reportGpuJsLoad.js'), CLI, 'attend', ...args, ...patternArgs, '--backend', backend, '--out', join(dir, `lazy-${backend}.npy`)], { encoding: 'utf8', cwd: ROOT, timeout: 120000 });
    const cpu = run('cpu');
    assert.equal(cpu.status, 0, cpu.stderr);
    assert.doesNotMatch(cpu.stderr, /gpu\.js loaded/);
    const webasm = run('webasm');
    assert.equal(webasm.status, 0, webasm.stderr);
    assert.match(webasm.stderr, /gpu\.js loaded/);
  });

  const backends: Array<[string, RegExp, NodeJS.ProcessEnv]> = [
    ['cpu', /backend: cpu \(wasm-simd kernel( with relaxed-SIMD FMA)?, 2 threads\)/, {}],
    ['webasm', /kernel WebAssemblyKernel; .*check/, {}],
    ['webgpu', /webgpu on google swiftshader.*kernel WebGPUKernel; .*check/, { VK_ICD_FILENAMES: SWIFTSHADER_ICD }],
  ];
  for (const [backend, banner, env] of backends) {
    it(`--backend ${backend} writes out, lse and probs equal to the float64 reference`, function () {
      if (backend === 'webgpu' && !existsSync(SWIFTSHADER_ICD)) this.skip();
      const { input, args } = writeInputs(backend, 4, 128, 32, 9);
      const out = join(dir, `${backend}-out.npy`);
      const lse = join(dir, `${backend}-lse.npy`);
      const probs = join(dir, `${backend}-probs.npy`);
      const r = attend([...args, ...patternArgs, '--backend', backend, '--threads', '2', '--out', out, '--lse', lse, '--probs', probs], env);
      assert.equal(r.status, 0, r.stderr + r.stdout);
      assert.match(r.stdout, banner);
      assert.doesNotMatch(r.stdout + r.stderr, /failed|used the CPU path/, 'the backend asked for ran, no fallback');
      const ref = referenceAttention(buildPattern(config), input);
      const outError = maxDiff(readF32(out), ref.out);
      assert.ok(outError <= 1e-5, `max abs error ${outError}`);
      const lseError = maxDiff(readF32(lse), ref.lse);
      assert.ok(lseError <= 1e-4, `lse error ${lseError}`);
      const dense = readF32(probs);
      assert.deepEqual(decodeNpy(readFileSync(probs)).shape, [4, 128, 128]);
      let outside = 0;
      for (let h = 0; h < 4; h++) {
        for (let i = 0; i < 128; i++) {
          const allowed = new Set<number>();
          const p = ref.probs![h];
          for (let t = p.rowPtr[i]; t < p.rowPtr[i + 1]; t++) allowed.add(p.cols[t]);
          for (let j = 0; j < 128; j++) if (!allowed.has(j) && dense[h * 128 * 128 + i * 128 + j] !== 0) outside++;
        }
      }
      assert.equal(outside, 0, 'masked cells are exactly 0');
    });
  }

  it('says how many rows attend to nothing (split mode: A2 heads before the first summary cell)', () => {
    const { args } = writeInputs('split', 2, 64, 8, 2);
    const r = attend([...args, '--stride', '16', '--c', '4', '--mode', 'split', '--backend', 'cpu', '--out', join(dir, 'split-out.npy')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^note: 12 rows attend to nothing \(head 1: 12\): their output is 0 and their lse -inf$/m);
  });

  it('auto picks the CPU path on a machine whose only GPU is a software renderer, and says why', () => {
    const { args } = writeInputs('auto', 2, 64, 16, 3);
    const r = attend([...args, '--out', join(dir, 'auto-out.npy')], { VK_ICD_FILENAMES: SWIFTSHADER_ICD });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /backend: cpu \(.*\) \(auto: /);
  });

  it('equals PyTorch dense masked attention on the same .npy inputs', function () {
    const torchPython = pythonWith('torch', 'numpy');
    if (!torchPython) this.skip();
    const { paths, args } = writeInputs('torch', 4, 128, 32, 5);
    const out = join(dir, 'torch-out.npy');
    const mask = join(dir, 'torch-mask.npy');
    assert.equal(attend([...args, ...patternArgs, '--out', out]).status, 0);
    execFileSync(process.execPath, [CLI, 'mask', ...patternArgs, '--n', '128', '--heads', '4', '--out', mask]);
    const script = `
import numpy as np, torch
q, k, v = (torch.from_numpy(np.load(p)).double() for p in (${JSON.stringify(paths.q)}, ${JSON.stringify(paths.k)}, ${JSON.stringify(paths.v)}))
mask = torch.from_numpy(np.load(${JSON.stringify(mask)})).bool()
# the paper's definition, written independently in torch, must equal our mask
i = torch.arange(128)[:, None]; j = torch.arange(128)[None, :]
for h in range(4):
    kk = h % 4
    paper = ((i // 16 == j // 16) | ((j % 16 >= 16 - (kk + 1) * 2) & (j % 16 <= 16 - kk * 2 - 1))) & (j <= i)
    assert torch.equal(mask[h], paper), h
s = (q @ k.transpose(-1, -2)) / (32 ** 0.5)
s = s.masked_fill(~mask, float('-inf'))
o = torch.softmax(s, dim=-1) @ v
ours = torch.from_numpy(np.load(${JSON.stringify(out)})).double()
print(float((o - ours).abs().max()))`;
    const err = Number(execFileSync(torchPython!, ['-c', script]).toString().trim());
    assert.ok(err <= 1e-5, `max abs error vs PyTorch ${err}`);
  });

  const errors: Array<[string, () => string[], RegExp]> = [
    ['missing --q', () => ['--k', 'x', '--v', 'y', '--out', 'o.npy'], /attend needs --q FILE.npy/],
    ['integer input', () => {
      const { args, paths } = writeInputs('i8', 1, 8, 4, 1);
      writeFileSync(paths.q, encodeNpy('<i8', [1, 8, 4], new BigInt64Array(32)));
      return [...args, '--out', join(dir, 'x.npy')];
    }, /i8-q.npy has dtype <i8; expected floats/],
    ['float64 beyond float32', () => {
      // Read as float32 (as x.astype(np.float32) would): 1e39 becomes Inf, which is refused.
      const { args, paths } = writeInputs('f64', 1, 8, 4, 1);
      writeFileSync(paths.q, encodeNpy('<f8', [1, 8, 4], new Float64Array(32).fill(1e39)));
      return [...args, '--out', join(dir, 'x.npy')];
    }, /f64-q.npy holds 32 non-finite values/],
    ['shape mismatch', () => {
      const { args, paths } = writeInputs('shape', 1, 8, 4, 1);
      writeFileSync(paths.v, encodeNpy('<f4', [1, 8, 8], new Float32Array(64)));
      return [...args, '--out', join(dir, 'x.npy')];
    }, /shape-v.npy has shape \[1, 8, 8\]; expected \[1, 8, 4\] like .*shape-q.npy/],
    ['wrong rank', () => {
      const { args, paths } = writeInputs('rank', 1, 8, 4, 1);
      writeFileSync(paths.q, encodeNpy('<f4', [32], new Float32Array(32)));
      return [...args, '--out', join(dir, 'x.npy')];
    }, /rank-q.npy has shape \[32\]; expected \[H, n, d\] \(or \[n, d\] for one head\)/],
    ['n flag disagrees', () => [...writeInputs('nflag', 1, 8, 4, 1).args, '--n', '16', '--out', join(dir, 'x.npy')], /holds n=8 positions but --n is 16/],
    ['probs too large', () => [...writeInputs('big', 2, 8200, 4, 1).args, '--stride', '128', '--c', '8', '--probs', join(dir, 'p.npy'), '--out', join(dir, 'x.npy')], /--probs writes a dense \[2, 8200, 8200\] float32 array \(513.0 MiB, limit 512.0 MiB\): n <= 8192 with 2 heads, or drop --probs/],
    ['webgl2 in Node', () => [...writeInputs('gl', 1, 8, 4, 1).args, '--backend', 'webgl2', '--out', join(dir, 'x.npy')], /webgl2 runs in the inspector webview/],
    ['NaN and Inf in Q', () => {
      const { args, paths, input } = writeInputs('nan', 2, 8, 4, 1);
      input.q[1 * 8 * 4 + 5 * 4 + 2] = NaN;
      input.q[3] = -Infinity;
      writeFileSync(paths.q, encodeNpy('<f4', [2, 8, 4], input.q));
      return [...args, '--out', join(dir, 'x.npy')];
    }, /nan-q\.npy holds 2 non-finite values \(NaN or Inf; the first, -Infinity, at \[0, 0, 3\]\): attention over them is NaN/],
  ];
  for (const [name, makeArgs, message] of errors) {
    it(`exits 2 with one line naming the problem: ${name}`, () => {
      const r = attend(makeArgs());
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, message);
    });
  }
});
