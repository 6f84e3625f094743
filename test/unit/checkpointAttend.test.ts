/**
 * `sparse-attn checkpoint attend` as users run it (the minified production CLI): a real model's
 * layer from its checkpoint file, on every format the readers know, against the attention and
 * coverage PyTorch computed for the same text (test/fixtures/models/make.py).
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { decodeNpy, npyToFloat32 } from '../../src/core';
import { floats, integers, readNpz } from '../support/npz';
import { productionCli } from '../support/productionCli';
import { pythonWith } from '../support/python';

const ROOT = resolve(__dirname, '../..');
const MODELS = join(ROOT, 'test/fixtures/models');
const TEXT = readFileSync(join(MODELS, 'text.txt'), 'utf8');
// The pattern make.py measured coverage under: fixed l=4, c=1, 2 sub-blocks, merged.
const PATTERN = ['--stride', '4', '--c', '1', '--subblocks', '2'];

async function attend(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const r = spawnSync(process.execPath, [await productionCli(), 'checkpoint', 'attend', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  return worst;
}

describe('sparse-attn checkpoint attend', function () {
  this.timeout(180000);
  const out = mkdtempSync(join(tmpdir(), 'checkpoint-attend-'));

  for (const model of ['gpt2', 'llama', 'bert', 'gpt-neox']) {
    it(`${model}: every layer's attention and coverage equal PyTorch's, tokens from its tokenizer.json`, async () => {
      const expected = readNpz(join(MODELS, 'expected', `${model}.npz`));
      for (let layer = 0; layer < 3; layer++) {
        const dense = join(out, `${model}-${layer}.npy`);
        const direction = model === 'bert' ? ['--bidirectional'] : [];
        const r = await attend([join(MODELS, model), '--text', TEXT, '--layer', String(layer), ...PATTERN, ...direction, '--dense-probs', dense, '--json']);
        assert.equal(r.code, 0, r.err);
        const report = JSON.parse(r.out);
        assert.deepEqual(report.tokens, integers(expected, 'tokens'));
        const means = floats(expected, `coverage_mean${layer}`);
        report.coverage.heads.forEach((h: { mean: number; worst: Array<{ row: number; share: number }> }, k: number) => {
          assert.ok(Math.abs(h.mean - means[k]) < 1e-5, `${model} layer ${layer} head ${k}: ${h.mean} vs ${means[k]}`);
          assert.equal(h.worst[0].row, integers(expected, `coverage_worst_row${layer}`)[k]);
        });
        assert.ok(maxDiff(npyToFloat32(decodeNpy(readFileSync(dense))), floats(expected, `probs${layer}`)) < 1e-4);
      }
    });
  }

  it('reads the same model from torch.save (zip and legacy) and safetensors (fp32) files', async function () {
    const torch = pythonWith('torch', 'numpy');
    if (!torch) this.skip();
    const expected = readNpz(join(MODELS, 'expected', 'gpt2.npz'));
    // The fixture's state dict, re-saved by the real libraries (safetensors written per its spec: no package here).
    const script = `
import json, struct, sys, numpy as np, torch
src, out = sys.argv[1], sys.argv[2]
state = {k: torch.from_numpy(v) for k, v in np.load(src).items()}
torch.save(state, out + '/zip/pytorch_model.bin')
torch.save(state, out + '/legacy/model.pt', _use_new_zipfile_serialization=False)
header, blobs, at = {}, [], 0
for name, t in state.items():
    b = t.numpy().astype('<f4').tobytes()
    header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [at, at + len(b)]}
    blobs.append(b); at += len(b)
h = json.dumps(header).encode(); h += b' ' * (-len(h) % 8)
open(out + '/safetensors/model.safetensors', 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
`;
    for (const format of ['zip', 'legacy', 'safetensors']) {
      mkdirSync(join(out, format), { recursive: true });
      for (const file of ['config.json', 'tokenizer.json']) copyFileSync(join(MODELS, 'gpt2', file), join(out, format, file));
    }
    const made = spawnSync(torch!, ['-c', script, join(MODELS, 'gpt2', 'weights.npz'), out], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    for (const format of ['zip', 'legacy', 'safetensors']) {
      const r = await attend([join(out, format), '--text', TEXT, '--layer', '2', ...PATTERN, '--json']);
      assert.equal(r.code, 0, `${format}: ${r.err}`);
      const report = JSON.parse(r.out);
      assert.equal(report.format, { zip: 'pytorch-zip', legacy: 'pytorch-legacy', safetensors: 'safetensors' }[format]);
      const means = floats(expected, 'coverage_mean2');
      report.coverage.heads.forEach((h: { mean: number }, k: number) => assert.ok(Math.abs(h.mean - means[k]) < 1e-5, `${format} head ${k}`));
    }
  });

  it('prints per-head coverage in words, writes the pattern-restricted probabilities and output', async () => {
    const probs = join(out, 'probs.npy');
    const output = join(out, 'out.npy');
    const r = await attend([join(MODELS, 'gpt2'), '--text', TEXT, '--layer', '1', ...PATTERN, '--coverage', '--probs', probs, '--out', output]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0], /^.*gpt2: GPT2LMHeadModel, layer 1 of 3, 21 tokens \(tokenizer\.json\), 4 heads, head dim 8, causal$/);
    assert.equal(lines[1], 'pattern: fixed l=4 c=1 K=2');
    assert.match(lines[2], /^head 0 keeps \d+\.\d% of its attention mass under fixed l=4 c=1 K=2 \(least: row \d+, \d+\.\d%\)$/);
    assert.match(lines[6], /^layer mean: \d+\.\d% of the attention mass is inside the pattern$/);
    const p = decodeNpy(readFileSync(probs));
    assert.deepEqual(p.shape, [4, 21, 21]);
    const values = npyToFloat32(p);
    // Each row sums to 1 over the pattern's cells, and a cell outside it (row 20, column 1: not in
    // block 5, not a summary column of head 0's set) is 0.
    for (let row = 0; row < 21; row++) {
      const sum = values.subarray(row * 21, row * 21 + 21).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${row} sums to ${sum}`);
    }
    assert.equal(values[20 * 21 + 1], 0);
    assert.deepEqual(decodeNpy(readFileSync(output)).shape, [4, 21, 8]);
  });

  it('refuses in one line, exit 2: a missing layer, a layer past the model, --n against the tokens, both inputs, a hostile file', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[join(MODELS, 'gpt2'), '--text', 'hi'], /needs --layer K/],
      [[join(MODELS, 'gpt2'), '--text', 'hi', '--layer', '3'], /layer 3 does not exist: the model has 3 layers, 0 to 2/],
      [[join(MODELS, 'gpt2'), '--text', 'hi there', '--layer', '0', '--n', '64'], /--n 64 differs from the \d+ tokens/],
      [[join(MODELS, 'gpt2'), '--text', 'hi', '--tokens', '1,2', '--layer', '0'], /--text "…" or --tokens 1,2,3 \(one of them\)/],
      [[join(MODELS, 'gpt2'), '--tokens', '1,99999', '--layer', '0'], /token 99999 \(at position 1\) is not in the model's vocabulary/],
      [[join(ROOT, 'test/fixtures/checkpoints/hostile/os-system.pt'), '--tokens', '1', '--layer', '0'], /system/],
      [[join(MODELS, 'gpt2'), '--tokens', '1,2', '--layer', '0', '--q', 'x'], /--q NAME --k NAME --v NAME, or one fused --qkv NAME/],
    ];
    for (const [args, message] of cases) {
      const r = await attend(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.match(r.err, message);
    }
  });
});
