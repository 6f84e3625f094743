/**
 * The checkpoint readers (src/model) on fixtures written by torch 1.13 and NumPy 1.24
 * (test/fixtures/checkpoints/make.py): every tensor's name, dtype, shape and float32 values as the
 * libraries wrote them, in every format; lazy reads by range; folders and config.json.
 */
import { strict as assert } from 'assert';
import {
  ByteSource,
  CheckpointError,
  countingSource,
  DEFAULT_LIMITS,
  openCheckpointSource,
  openFolder,
  sniffFormat,
  summarizeConfig,
  toFloat32,
} from '../../src/model';
import { CHECKPOINTS, EXPECTED, fixtureSource, float32Hash, openFixture } from '../support/checkpoints';
import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { pythonWith } from '../support/python';

describe('checkpoint readers on files written by torch and NumPy', () => {
  for (const [path, expected] of Object.entries(EXPECTED)) {
    it(`${path}: ${expected.format}, every tensor's name, dtype, shape and values`, async () => {
      const checkpoint = await openFixture(path);
      assert.equal(checkpoint.format, expected.format);
      assert.deepEqual(
        checkpoint.tensors.map((t) => t.name),
        expected.tensors.map((t) => t.name),
      );
      for (const want of expected.tensors) {
        const info = checkpoint.tensors.find((t) => t.name === want.name)!;
        assert.equal(info.dtype, want.dtype, want.name);
        assert.deepEqual(info.shape, want.shape, want.name);
        const values = await checkpoint.read(want.name);
        assert.equal(values.length, want.shape.reduce((a, b) => a * b, 1), want.name);
        assert.deepEqual(Array.from(values.subarray(0, 4)), want.first, want.name);
        assert.equal(float32Hash(values), want.sha256, `${path} ${want.name}: values differ from what the library wrote`);
      }
    });
  }

  it('expected.json is what torch.load(weights_only=True), pickle and np.load read from the committed files today', function () {
    const torchPython = pythonWith('torch', 'numpy');
    if (!torchPython) this.skip();
    assert.equal(execFileSync(torchPython!, [join(CHECKPOINTS, 'check.py')], { encoding: 'utf8' }).trim(), 'ok');
  });

  it('a zip64 checkpoint (64-bit end record and locator, sizes and offsets in zip64 extra fields) reads as the plain one', async () => {
    // bert-zip64.bin: bert/pytorch_model.bin rewritten by make_zip64.py with every field in zip64 form; torch.load reads both equal.
    const plain = await openFixture('bert/pytorch_model.bin');
    const zip64 = await openFixture('bert-zip64.bin');
    assert.equal(zip64.format, plain.format);
    assert.deepEqual(zip64.tensors, plain.tensors);
    for (const { name } of plain.tensors) assert.deepEqual(await zip64.read(name), await plain.read(name), name);
    // The classic end record says "see zip64" in every field: the values can only have come from the 64-bit records.
    const bytes = readFileSync(join(CHECKPOINTS, 'bert-zip64.bin'));
    const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    assert.deepEqual([bytes.readUInt16LE(eocd + 10), bytes.readUInt32LE(eocd + 12), bytes.readUInt32LE(eocd + 16)], [0xffff, 0xffffffff, 0xffffffff]);
  });

  it('bert-zip64.bin is what make_zip64.py checks with torch.load', function () {
    const torchPython = pythonWith('torch', 'numpy');
    if (!torchPython) this.skip();
    assert.match(execFileSync(torchPython!, [join(CHECKPOINTS, 'make_zip64.py'), '--check'], { encoding: 'utf8' }), /torch\.load reads it equal to the original/);
  });

  it('honours storage offsets, strides (transposed, sliced, expanded) and shared storages in both PyTorch formats', async () => {
    for (const path of ['views.pt', 'views-legacy.pth']) {
      const views = await openFixture(path);
      const base = await views.read('base'); // arange(24).view(4, 6) / 7
      const at = (i: number, j: number) => base[i * 6 + j];
      assert.equal(base[23], Math.fround(23 / 7));
      const transposed = await views.read('transposed');
      assert.equal(transposed[1 * 4 + 3], at(3, 1), `${path}: transposed[1][3] = base[3][1]`);
      assert.deepEqual(Array.from(await views.read('row_slice')), Array.from(base.subarray(6, 18)));
      assert.deepEqual(Array.from(await views.read('column_slice')).slice(0, 3), [at(0, 2), at(0, 3), at(0, 4)]);
      assert.deepEqual(Array.from(await views.read('every_other')), [at(0, 0), at(0, 3), at(2, 0), at(2, 3)]);
      assert.deepEqual(Array.from(await views.read('expanded')), [1, 1, 1, 1, -2, -2, -2, -2, 3, 3, 3, 3]);
      assert.deepEqual(Array.from(await views.read('empty')), []);
      assert.deepEqual(Array.from(await views.read('scalar')), [2.5]);
      // readRaw keeps the dtype: bf16 as 2-byte elements in C order.
      assert.equal((await views.readRaw('bf16_transposed')).length, 15 * 2);
    }
  });

  it('reads only the headers to list, and one tensor\'s bytes to read it', async () => {
    const source = fixtureSource('gpt2/model.safetensors');
    const headerLength = 8 + Number(new DataView((await source.read(0, 8)).buffer).getBigUint64(0, true));
    const checkpoint = await openCheckpointSource(source);
    assert.equal(checkpoint.bytesRead(), headerLength + 64, 'the length, the header and the 64 sniffed bytes');
    await checkpoint.read('h.1.mlp.c_fc.weight');
    assert.equal(checkpoint.bytesRead(), headerLength + 64 + 8 * 16 * 4);
  });

  it('lists a 2 GiB safetensors file (a virtual one) reading under 1 MB', async () => {
    const header = new TextEncoder().encode(JSON.stringify(Object.fromEntries(Array.from({ length: 512 }, (_, k) => [`layer.${k}.weight`, { dtype: 'F32', shape: [1024, 1024], data_offsets: [k * 4 * 2 ** 20, (k + 1) * 4 * 2 ** 20] }]))));
    const size = 8 + header.length + 512 * 4 * 2 ** 20;
    const file: ByteSource = {
      name: 'big.safetensors',
      size,
      async read(offset, length) {
        const out = new Uint8Array(length);
        const prefix = new Uint8Array(8 + header.length);
        new DataView(prefix.buffer).setBigUint64(0, BigInt(header.length), true);
        prefix.set(header, 8);
        out.set(prefix.subarray(Math.min(offset, prefix.length), Math.min(offset + length, prefix.length)));
        return out;
      },
    };
    const counted = countingSource(file);
    const checkpoint = await openCheckpointSource(counted);
    assert.equal(checkpoint.tensors.length, 512);
    assert.ok(counted.bytesRead() < 1 << 20, `${counted.bytesRead()} bytes read`);
    assert.equal(counted.bytesRead(), checkpoint.bytesRead());
  });

  it('reads an .npz entry by header only when listing, stored or deflated', async () => {
    for (const path of ['gpt2.npz', 'bert-compressed.npz']) {
      const size = readFileSync(join(CHECKPOINTS, path)).length;
      const checkpoint = await openFixture(path);
      // The directory tail (up to 64 KiB, here the whole small file) plus each entry's header.
      assert.ok(checkpoint.bytesRead() < 2 * size + 64 * 1024, `${path}: ${checkpoint.bytesRead()}`);
    }
  });

  it('opens a sharded folder through model.safetensors.index.json, tensors in the index\'s order', async () => {
    const folder = await openFixture('sharded');
    const whole = await openFixture('bert-fp16.safetensors');
    assert.deepEqual(folder.tensors.map((t) => t.name), whole.tensors.map((t) => t.name));
    assert.deepEqual(await folder.read('pooler.dense.weight'), await whole.read('pooler.dense.weight'));
  });

  it('opens pytorch_model.bin.index.json shards through the same sniffing as single files', async () => {
    const bin = readFileSync(join(CHECKPOINTS, 'bert/pytorch_model.bin'));
    const names = EXPECTED['bert/pytorch_model.bin'].tensors.map((t) => t.name);
    const files: Record<string, Uint8Array> = {
      'pytorch_model.bin.index.json': new TextEncoder().encode(JSON.stringify({ weight_map: Object.fromEntries(names.map((n) => [n, 'pytorch_model-00001-of-00001.bin'])) })),
      'pytorch_model-00001-of-00001.bin': bin,
      'config.json': new Uint8Array(2),
    };
    const { checkpoint, files: used } = await openFolder(
      { name: 'bert', list: async () => Object.keys(files), open: async (name) => ({ name, size: files[name].length, read: async (o, l) => files[name].subarray(o, o + l) }) },
      DEFAULT_LIMITS,
    );
    assert.equal(checkpoint.format, 'pytorch-zip');
    assert.deepEqual(used, ['pytorch_model.bin.index.json', 'pytorch_model-00001-of-00001.bin']);
    assert.deepEqual(checkpoint.tensors.map((t) => t.name), names);
    const want = EXPECTED['bert/pytorch_model.bin'].tensors.find((t) => t.name === 'encoder.layer.1.attention.self.key.weight')!;
    assert.equal(float32Hash(await checkpoint.read(want.name)), want.sha256);
  });

  it('refuses an index that names a tensor its shard lacks, or a shard outside the folder', async () => {
    const files: Record<string, Uint8Array> = {
      'model.safetensors.index.json': new TextEncoder().encode(JSON.stringify({ weight_map: { 'missing.weight': 'model-00001-of-00002.safetensors' } })),
      'model-00001-of-00002.safetensors': readFileSync(join(CHECKPOINTS, 'sharded/model-00001-of-00002.safetensors')),
    };
    const folder = (map: Record<string, Uint8Array>) => ({
      name: 'm',
      list: async () => Object.keys(map),
      open: async (name: string) => ({ name, size: map[name].length, read: async (o: number, l: number) => map[name].subarray(o, o + l) }),
    });
    await assert.rejects(openFolder(folder(files), DEFAULT_LIMITS), /places missing\.weight in model-00001-of-00002\.safetensors, which has no such tensor/);
    files['model.safetensors.index.json'] = new TextEncoder().encode(JSON.stringify({ weight_map: { a: '../../etc/passwd' } }));
    await assert.rejects(openFolder(folder(files), DEFAULT_LIMITS), /outside the folder/);
    await assert.rejects(openFolder(folder({ 'a.bin': files['model-00001-of-00002.safetensors'], 'b.bin': files['model-00001-of-00002.safetensors'] }), DEFAULT_LIMITS), /several weight files \(a\.bin, b\.bin\)/);
  });

  it('sniffs each format by its bytes (a zip by name only between .npz and torch) and names the unread ones (a bare GGUF header is refused as a truncated GGUF)', async () => {
    const head = (path: string) => new Uint8Array(readFileSync(join(CHECKPOINTS, path)).subarray(0, 64));
    assert.equal(sniffFormat(head('gpt2/gpt2.pt'), 'weights.bin')?.name, 'pytorch-zip');
    assert.equal(sniffFormat(head('gpt2-legacy.pt'), 'x')?.name, 'pytorch-legacy');
    assert.equal(sniffFormat(head('gpt2.npz'), 'x.npz')?.name, 'npz');
    assert.equal(sniffFormat(head('embeddings.npy'), 'x')?.name, 'npy');
    assert.equal(sniffFormat(head('gpt2/model.safetensors'), 'x')?.name, 'safetensors');
    assert.equal(sniffFormat(head('numpy-dict-p4.pkl'), 'x')?.name, 'pickle');
    const gguf = { name: 'm.gguf', size: 8, read: async () => new TextEncoder().encode('GGUF\x03\0\0\0') };
    await assert.rejects(openCheckpointSource(gguf), /m\.gguf is truncated inside its GGUF header/);
    await assert.rejects(openCheckpointSource({ name: 'e.pt', size: 0, read: async () => new Uint8Array(0) }), /the file is empty/);
  });

  it('converts every dtype to float32 as NumPy\'s astype does', () => {
    const bytes = (values: number[], size: number, set: (v: DataView, k: number, x: number) => void) => {
      const view = new DataView(new ArrayBuffer(values.length * size));
      values.forEach((x, k) => set(view, k * size, x));
      return new Uint8Array(view.buffer);
    };
    assert.deepEqual(Array.from(toFloat32(bytes([0x0001, 0x3c00, 0xfc00, 0x7bff], 2, (v, o, x) => v.setUint16(o, x, true)), 'F16')), [2 ** -24, 1, -Infinity, 65504]);
    assert.deepEqual(Array.from(toFloat32(bytes([0x3f80, 0xc040, 0x7f80], 2, (v, o, x) => v.setUint16(o, x, true)), 'BF16')), [1, -3, Infinity]);
    assert.deepEqual(Array.from(toFloat32(bytes([0.1], 8, (v, o, x) => v.setFloat64(o, x, true)), 'F64')), [Math.fround(0.1)]);
    assert.deepEqual(Array.from(toFloat32(bytes([-1, 2 ** 24 + 1], 8, (v, o, x) => v.setBigInt64(o, BigInt(x), true)), 'I64')), [-1, 2 ** 24]);
    assert.deepEqual(Array.from(toFloat32(new Uint8Array([0, 2, 255]), 'BOOL')), [0, 1, 1]);
    assert.deepEqual(Array.from(toFloat32(new Uint8Array([255, 128]), 'I8')), [-1, -128]);
    assert.deepEqual(Array.from(toFloat32(new Uint8Array([255, 255]), 'U16')), [65535]);
  });

  it('summarizes config.json: GPT-2, BERT and grouped-query Llama keys', () => {
    assert.deepEqual(summarizeConfig(readFileSync(join(CHECKPOINTS, 'gpt2/config.json'), 'utf8')), {
      architecture: 'GPT2LMHeadModel', modelType: 'gpt2', layers: 2, heads: 2, kvHeads: undefined, hidden: 8, headDim: 4,
    });
    const llama = summarizeConfig(JSON.stringify({ model_type: 'llama', hidden_size: 4096, num_attention_heads: 32, num_key_value_heads: 8, num_hidden_layers: 32 }));
    assert.equal(llama.kvHeads, 8);
    assert.equal(llama.headDim, 128);
    assert.deepEqual(summarizeConfig('not json'), {});
  });

  it('names the missing tensor', async () => {
    const checkpoint = await openFixture('views.pt');
    await assert.rejects(checkpoint.read('nope'), (e: Error) => e instanceof CheckpointError && /no tensor named "nope"/.test(e.message));
  });
});
