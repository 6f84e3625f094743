/**
 * `sparse-attn checkpoint attend` as users run it (the minified production CLI): a real model's
 * layer from its checkpoint file, on every format the readers know, against the attention and
 * coverage PyTorch computed for the same text (test/fixtures/models/make.py).
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
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

  for (const model of ['gpt2', 'llama', 'bert', 'gpt-neox', 'qwen2']) {
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

  it('an architecture the forward pass does not run (DistilBERT names, make_unknown.py): named --q/--k/--v and torch\'s layer input give BERT\'s attention', async () => {
    const expected = readNpz(join(MODELS, 'expected', 'bert.npz'));
    const folder = join(MODELS, 'distilbert');
    const input = join(MODELS, 'expected', 'distilbert-layer1-input.npy');
    const at = 'distilbert.transformer.layer.1.attention.';
    // Without names the refusal says what to give.
    const bare = await attend([folder, '--text', TEXT, '--layer', '1']);
    assert.equal(bare.code, 2);
    assert.match(bare.err, /--q NAME --k NAME --v NAME|--qkv NAME/);
    const dense = join(out, 'distilbert-1.npy');
    const r = await attend([folder, '--text', TEXT, '--layer', '1', '--q', `${at}q_lin.weight`, '--k', `${at}k_lin.weight`, '--v', `${at}v_lin.weight`, '--heads', '4', '--input', input, '--bidirectional', ...PATTERN, '--dense-probs', dense, '--json']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    assert.deepEqual(report.tokens, integers(expected, 'tokens'));
    const means = floats(expected, 'coverage_mean1');
    report.coverage.heads.forEach((h: { mean: number }, k: number) => assert.ok(Math.abs(h.mean - means[k]) < 1e-5, `head ${k}: ${h.mean} vs ${means[k]}`));
    assert.ok(maxDiff(npyToFloat32(decodeNpy(readFileSync(dense))), floats(expected, 'probs1')) < 1e-4);
  });

  it('GGUF with a SentencePiece vocabulary (tokenizer.ggml.model "llama", make_sentencepiece.py): --text gives sentencepiece\'s ids, BOS first', async () => {
    const expected = JSON.parse(readFileSync(join(MODELS, 'sentencepiece', 'expected.json'), 'utf8'));
    const { text, ids } = expected.cases[0];
    const r = await attend([join(ROOT, 'test/fixtures/checkpoints/llama-spm.gguf'), '--text', text, '--layer', '1', '--json']);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    assert.deepEqual(report.tokens, [expected.bos, ...ids]);
    assert.equal(report.tokenizer, 'GGUF metadata');
  });

  it("a BERT folder with a WordPiece tokenizer.json (make_wordpiece.py): --text gives BERT's own ids in the shipped CLI", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'wordpiece-'));
    for (const file of ['config.json', 'weights.npz']) copyFileSync(join(MODELS, 'bert', file), join(folder, file));
    copyFileSync(join(MODELS, 'wordpiece', 'tokenizer-uncased.json'), join(folder, 'tokenizer.json'));
    const { text, ids } = JSON.parse(readFileSync(join(MODELS, 'wordpiece', 'expected.json'), 'utf8')).uncased[1];
    const r = await attend([folder, '--text', text, '--layer', '0', '--bidirectional', '--json']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out).tokens, ids);
  });

  /** Every layer's dense probabilities and per-head coverage of `path` against `expected` (a make.py / make_stored.py npz); the worst differences. */
  async function compareLayers(path: string, expected: ReturnType<typeof readNpz>, extra: string[] = []): Promise<{ probs: number; coverage: number; reports: Array<Record<string, unknown>> }> {
    let probs = 0;
    let cover = 0;
    const reports = [];
    for (let layer = 0; layer < 3; layer++) {
      const dense = join(out, `dense-${layer}.npy`);
      const r = await attend([path, ...extra, '--layer', String(layer), ...PATTERN, '--dense-probs', dense, '--json']);
      assert.equal(r.code, 0, r.err);
      const report = JSON.parse(r.out);
      reports.push(report);
      assert.deepEqual(report.tokens, integers(expected, 'tokens'));
      const means = floats(expected, `coverage_mean${layer}`);
      report.coverage.heads.forEach((h: { mean: number }, k: number) => (cover = Math.max(cover, Math.abs(h.mean - means[k]))));
      probs = Math.max(probs, maxDiff(npyToFloat32(decodeNpy(readFileSync(dense))), floats(expected, `probs${layer}`)));
    }
    return { probs, coverage: cover, reports };
  }

  const CHECKPOINTS = join(ROOT, 'test/fixtures/checkpoints');

  it('GGUF gpt2 (GPT2Model\'s conversion, make_gguf.py): equals PyTorch\'s attention on every layer', async () => {
    const { probs, coverage, reports } = await compareLayers(join(CHECKPOINTS, 'gpt2-f32.gguf'), readNpz(join(MODELS, 'expected', 'gpt2.npz')), ['--text', TEXT]);
    assert.ok(probs < 1e-4 && coverage < 1e-5, `probs ${probs}, coverage ${coverage}`);
    assert.equal(reports[0].tokenizer, 'GGUF metadata');
    assert.equal((reports[0].model as { architecture: string }).architecture, 'gpt2');
  });

  it('GGUF (llama.cpp\'s conversion, make_gguf.py): F32 equals PyTorch\'s attention on every layer, text tokenized by the GGUF\'s own BPE', async () => {
    const { probs, coverage, reports } = await compareLayers(join(CHECKPOINTS, 'llama-f32.gguf'), readNpz(join(MODELS, 'expected', 'llama.npz')), ['--text', TEXT]);
    assert.ok(probs < 1e-4 && coverage < 1e-5, `probs ${probs}, coverage ${coverage}`);
    assert.equal(reports[0].format, 'gguf');
    assert.equal(reports[0].tokenizer, 'GGUF metadata');
    assert.deepEqual([reports[0].heads, reports[0].kvHeads, reports[0].headDim], [4, 2, 8]);
    assert.equal((reports[0].model as { source: string }).source, 'GGUF metadata');
  });

  it('GGUF F16 and Q8_0 equal PyTorch on the weights as stored; against the float32 model F16 is off by ~2e-3 and Q8_0 by ~5e-2 (8-bit weights)', async () => {
    const fp32 = readNpz(join(MODELS, 'expected', 'llama.npz'));
    for (const [file, stored, fromFp32] of [['llama-f16.gguf', 'llama-gguf-f16.npz', 5e-3], ['llama-q8_0.gguf', 'llama-gguf-q8_0.npz', 1e-1]] as const) {
      const exact = await compareLayers(join(CHECKPOINTS, file), readNpz(join(MODELS, 'expected', stored)), ['--text', TEXT]);
      assert.ok(exact.probs < 1e-4 && exact.coverage < 1e-5, `${file}: probs ${exact.probs}, coverage ${exact.coverage}`);
      // The storage's own rounding, which no reader can undo: measured 1.8e-3 (F16) and 4.6e-2 (Q8_0) at most.
      const rounded = await compareLayers(join(CHECKPOINTS, file), fp32, ['--text', TEXT]);
      assert.ok(rounded.probs > 1e-4 && rounded.probs < fromFp32, `${file} against float32: ${rounded.probs}`);
    }
  });

  it('GGUF: a model folder\'s only .gguf is its weights; without a tokenizer in the file, --text needs tokenizer.json beside it and --tokens works', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gguf-folder-'));
    copyFileSync(join(CHECKPOINTS, 'llama-f32.gguf'), join(folder, 'tiny-llama-F32.gguf'));
    writeFileSync(join(folder, 'README.md'), 'a tiny llama\n');
    const expected = readNpz(join(MODELS, 'expected', 'llama.npz'));
    assert.ok((await compareLayers(folder, expected, ['--text', TEXT])).probs < 1e-4);
    // The same file with its tokenizer.ggml.model key renamed: a GGUF that carries no tokenizer.
    const bare = Buffer.from(readFileSync(join(CHECKPOINTS, 'llama-f32.gguf')));
    const key = bare.indexOf('tokenizer.ggml.model');
    assert.ok(key > 0);
    bare.write('tokenizer.ggml.mode_', key);
    const bareFolder = mkdtempSync(join(tmpdir(), 'gguf-bare-'));
    writeFileSync(join(bareFolder, 'model.gguf'), bare);
    const refused = await attend([join(bareFolder, 'model.gguf'), '--text', TEXT, '--layer', '0']);
    assert.equal(refused.code, 2, refused.err);
    assert.equal(refused.err.trim().split('\n').length, 1, refused.err);
    assert.match(refused.err, /model\.gguf carries no tokenizer \(no tokenizer\.ggml\.model\): put the model's tokenizer\.json beside the file, or give token ids with --tokens/);
    const ids = integers(expected, 'tokens').join(',');
    const byIds = await compareLayers(join(bareFolder, 'model.gguf'), expected, ['--tokens', ids]);
    assert.ok(byIds.probs < 1e-4, `--tokens: ${byIds.probs}`);
    assert.equal(byIds.reports[0].tokenizer, 'none');
    copyFileSync(join(MODELS, 'llama', 'tokenizer.json'), join(bareFolder, 'tokenizer.json'));
    const beside = await compareLayers(join(bareFolder, 'model.gguf'), expected, ['--text', TEXT]);
    assert.ok(beside.probs < 1e-4);
    assert.equal(beside.reports[0].tokenizer, 'tokenizer.json');
  });

  it('Llama, grouped-query, bf16, sharded safetensors + index (make_stored.py): equals PyTorch on the bf16 weights; ~1e-2 from the float32 model', async () => {
    const folder = join(MODELS, 'llama-bf16');
    const exact = await compareLayers(folder, readNpz(join(MODELS, 'expected', 'llama-bf16.npz')), ['--text', TEXT]);
    assert.ok(exact.probs < 1e-4 && exact.coverage < 1e-5, `probs ${exact.probs}, coverage ${exact.coverage}`);
    assert.equal(exact.reports[0].format, 'safetensors');
    assert.deepEqual([exact.reports[0].heads, exact.reports[0].kvHeads], [4, 2]);
    // bfloat16 keeps 8 bits of mantissa: the rounding of the weights shows in the attention.
    const rounded = await compareLayers(folder, readNpz(join(MODELS, 'expected', 'llama.npz')), ['--text', TEXT]);
    assert.ok(rounded.probs > 1e-4, `bf16 against float32: ${rounded.probs}`);
  });

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
