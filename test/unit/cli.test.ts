import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { buildPattern, decodeNpy, defaultConfig, encodeNpy, FactorizedConfig, toDense } from '../../src/core';
import { run } from '../../src/cli/main';
import { pythonWith } from '../support/python';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'sparse-attn-cli-'));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const numpyPython = pythonWith('numpy');

describe('sparse-attn CLI', () => {
  before(() => {
    if (!existsSync(CLI)) execFileSync(process.execPath, [join(ROOT, 'esbuild.js')], { cwd: ROOT });
  });

  it('mask writes a [H, n, n] u1 .npy equal to the engine', async () => {
    const out = join(dir, 'mask.npy');
    const r = await cli('mask', '--pattern', 'fixed', '--n', '64', '--stride', '16', '--c', '2', '--heads', '4', '--subblocks', '4', '--out', out);
    assert.equal(r.code, 0, r.err);
    const npy = decodeNpy(readFileSync(out));
    assert.deepEqual(npy.shape, [4, 64, 64]);
    const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 64, stride: 16, c: 2, heads: 4, subblocks: 4 };
    assert.deepEqual(Buffer.from(npy.data), Buffer.from(toDense(buildPattern(config))));
  });

  it('the built dist/cli.js writes masks and layouts that NumPy loads', function () {
    if (!numpyPython) this.skip();
    const mask = join(dir, 'np-mask.npy');
    const layout = join(dir, 'np-layout.npy');
    execFileSync(process.execPath, [CLI, 'mask', '--pattern', 'fixed', '--n', '16', '--stride', '4', '--c', '1', '--heads', '2', '--out', mask]);
    execFileSync(process.execPath, [CLI, 'mask', '--pattern', 'deepspeed-fixed', '--n', '128', '--heads', '2', '--block', '16', '--layout', '--out', layout]);
    const script = `
import numpy as np
m = np.load(${JSON.stringify(mask)}); l = np.load(${JSON.stringify(layout)})
i = np.arange(16)[:, None]; j = np.arange(16)[None, :]
paper = ((i // 4 == j // 4) | (j % 4 >= 3)) & (j <= i)
assert m.shape == (2, 16, 16) and m.dtype == np.uint8, (m.shape, m.dtype)
assert (m[0] == paper).all() and (m[1] == paper).all()
expected = np.array([[1,1,1,1,0,0,0,1]] * 4 + [[0,0,0,1,1,1,1,1]] * 4)
assert l.shape == (2, 8, 8) and (l[0] == expected).all() and (l[1] == expected).all()
print("ok")`;
    assert.equal(execFileSync(numpyPython!, ['-c', script]).toString().trim(), 'ok');
  });

  it('mask --format json holds row ranges and png is a real PNG', async () => {
    const json = join(dir, 'm.json');
    assert.equal((await cli('mask', '--n', '8', '--stride', '4', '--c', '1', '--heads', '1', '--format', 'json', '--out', json)).code, 0);
    const parsed = JSON.parse(readFileSync(json, 'utf8'));
    assert.deepEqual(parsed.heads[0].rows[5], [3, 6]);
    const png = join(dir, 'm.png');
    assert.equal((await cli('mask', '--n', '256', '--heads', '4', '--subblocks', '4', '--format', 'png', '--out', png)).code, 0);
    const bytes = readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    assert.equal(bytes.readUInt32BE(16), 4 * 256 + 3 * 4, 'width: 4 heads and gaps');
    // The file's ending in any case picks the format; one that contradicts --format is refused, nothing written.
    const upper = join(dir, 'M.PNG');
    assert.equal((await cli('mask', '--n', '64', '--out', upper)).code, 0);
    assert.equal(readFileSync(upper).subarray(1, 4).toString(), 'PNG');
    const mismatch = await cli('mask', '--n', '64', '--format', 'png', '--out', join(dir, 'wrong.npy'));
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.err, /--format png but --out .*wrong\.npy ends in \.npy \(npy\): drop --format, or end the name in \.png/);
    assert.equal(existsSync(join(dir, 'wrong.npy')), false);
    assert.equal((await cli('mask', '--n', '64', '--format', 'png', '--out', join(dir, 'mask.bin'))).code, 0, 'an ending that means nothing takes --format');
  });

  it('stats prints per-head and union rows, reachability, and --json is machine readable', async () => {
    const r = await cli('stats', '--n', '256', '--stride', '32', '--c', '4', '--heads', '4', '--subblocks', '4');
    assert.equal(r.code, 0);
    assert.match(r.out, /^union\s+18560\s/m);
    assert.match(r.out, /every allowed pair connected/);
    const j = JSON.parse((await cli('stats', '--pattern', 'local', '--n', '64', '--stride', '8', '--json', '--d', '32')).out);
    assert.equal(j.stats.d, 32);
    assert.equal(j.reach.ok, false);
  });

  it('diff exits 0 when identical, 1 with counts, coordinates and the port it matches', async () => {
    const theirs = join(dir, 'theirs.npy');
    const config: FactorizedConfig = { ...(defaultConfig('lra-fixed') as FactorizedConfig), n: 32, stride: 8, c: 2, heads: 1 };
    writeFileSync(theirs, encodeNpy('|b1', [32, 32], toDense(buildPattern(config))));
    const same = await cli('diff', '--mask', theirs, '--pattern', 'lra-fixed', '--stride', '8', '--c', '2');
    assert.equal(same.code, 0, same.err);
    const differs = await cli('diff', '--mask', theirs, '--stride', '8', '--c', '2');
    assert.equal(differs.code, 1);
    assert.match(differs.out, /head 0: 0 missing, 48 extra; first: \(8,0\) extra, \(9,0\) extra/);
    assert.match(differs.out, /matches lra-fixed: .*c\+1 cells/);
  });

  const badCases: Array<[string, string[], RegExp]> = [
    ['unknown command', ['frobnicate'], /unknown command "frobnicate"; use one of mask, stats, diff/],
    ['unknown flag', ['stats', '--strid', '4'], /unknown flag --strid; known flags: /],
    ['non-integer', ['stats', '--n', 'many'], /--n must be an integer \(got "many"\)/],
    ['impossible config', ['stats', '--c', '12', '--stride', '8'], /c \(12\) must be <= l \(8\)/],
    ['flag for another preset', ['stats', '--num-verts', '2'], /--num-verts does not apply to --pattern fixed/],
    ['layout of a token pattern', ['mask', '--layout', '--out', 'x.npy'], /--layout does not apply to --pattern fixed/],
    ['no --out', ['mask'], /mask needs --out FILE \(e.g. --out mask.npy\), or --format torch/],
    ['too large', ['mask', '--n', '65536', '--heads', '8', '--out', join(dir, 'big.npy')], /would need 32.0 GiB/],
    ['absurd heads (used to abort V8)', ['stats', '--heads', '4294967296'], /heads \(4294967296\) exceeds the supported maximum of 1024/],
    ['deepspeed message', ['stats', '--pattern', 'deepspeed-fixed', '--n', '100'], /Sequence Length, 100, needs to be dividable by Block size 16!/],
    ['missing file', ['diff', '--mask', join(dir, 'nope.npy')], /cannot read .*nope.npy: ENOENT/],
  ];
  for (const [name, args, pattern] of badCases) {
    it(`bad input exits 2 with one line: ${name}`, async () => {
      const r = await cli(...args);
      assert.equal(r.code, 2);
      assert.equal(r.err.split('\n').length, 1);
      assert.match(r.err, pattern);
    });
  }

  it('diff names the file, the shape found and the shape expected', async () => {
    const wrong = join(dir, 'wrong.npy');
    writeFileSync(wrong, encodeNpy('|u1', [2, 3, 4], new Uint8Array(24)));
    assert.match((await cli('diff', '--mask', wrong)).err, /wrong.npy has shape \[2,3,4\]; expected \[H, n, n\] or \[n, n\]/);
  });
});
