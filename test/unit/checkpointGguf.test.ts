/**
 * The GGUF reader (src/model/gguf.ts) on files written per the spec by
 * test/fixtures/checkpoints/make_gguf.py: names, shapes, dtypes, float32 values (Q8_0 dequantized)
 * and metadata as the script wrote them; refusals of truncated, lying and Q4_0 files; and
 * `checkpoint list` through the shipped CLI.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { CheckpointError, DEFAULT_LIMITS, memorySource, openCheckpointSource, sniffFormat } from '../../src/model';
import { CHECKPOINTS, ExpectedTensor, float32Hash } from '../support/checkpoints';
import { productionCli } from '../support/productionCli';

const EXPECTED: Record<string, { format: string; tensors: ExpectedTensor[]; metadata: Record<string, string> }> = JSON.parse(readFileSync(join(CHECKPOINTS, 'expected-gguf.json'), 'utf8'));
const TINY = new Uint8Array(readFileSync(join(CHECKPOINTS, 'tiny-llama.gguf')));

function open(bytes: Uint8Array, limits = DEFAULT_LIMITS) {
  return openCheckpointSource(memorySource(bytes, 'm.gguf'), limits);
}

/** The fixture with a little-endian u64 replaced at `offset`. */
function withU64(offset: number, value: bigint): Uint8Array {
  const copy = TINY.slice();
  new DataView(copy.buffer).setBigUint64(offset, value, true);
  return copy;
}

/** Where the bytes right after a (length-prefixed) string in the header begin. */
function after(text: string): number {
  const needle = new TextEncoder().encode(text);
  for (let at = 0; at + needle.length <= TINY.length; at++) {
    if (needle.every((b, k) => TINY[at + k] === b)) return at + needle.length;
  }
  throw new Error(`${text} is not in the fixture`);
}

describe('GGUF checkpoints (written per the spec by make_gguf.py)', () => {
  it('tiny-llama.gguf: every tensor\'s name, dtype, shape (dims reversed to row-major) and float32 values, Q8_0 dequantized', async () => {
    const want = EXPECTED['tiny-llama.gguf'];
    const checkpoint = await open(TINY);
    assert.equal(checkpoint.format, 'gguf');
    assert.deepEqual(checkpoint.tensors.map(({ name, dtype, shape }) => ({ name, dtype, shape })), want.tensors.map(({ name, dtype, shape }) => ({ name, dtype, shape })));
    for (const tensor of want.tensors) {
      const values = await checkpoint.read(tensor.name);
      assert.equal(values.length, tensor.shape.reduce((a, b) => a * b, 1), tensor.name);
      assert.deepEqual(Array.from(values.subarray(0, 4)), tensor.first, tensor.name);
      assert.equal(float32Hash(values), tensor.sha256, `${tensor.name}: values differ from what make_gguf.py wrote`);
    }
    // readRaw: a plain type's own bytes (F16: 2 per element); Q8_0 as the float32 it dequantizes to.
    assert.equal((await checkpoint.readRaw('blk.0.attn_q.weight')).length, 32 * 32 * 2);
    const raw = await checkpoint.readRaw('blk.0.attn_v.weight');
    assert.deepEqual(new Float32Array(raw.slice().buffer), await checkpoint.read('blk.0.attn_v.weight'));
  });

  it('exposes scalar and string metadata stringified (arrays left out), and every key typed in ggufMetadata, arrays included', async () => {
    const { metadata, ggufMetadata } = await open(TINY);
    assert.deepEqual(ggufMetadata!.get('tokenizer.ggml.tokens'), Array.from({ length: 16 }, (_, k) => `tok${k}`));
    assert.deepEqual(ggufMetadata!.get('tokenizer.ggml.scores'), Array.from({ length: 16 }, (_, k) => k));
    assert.equal(ggufMetadata!.get('llama.some_i64'), -5000000000n);
    assert.equal(ggufMetadata!.get('llama.attention.head_count_kv'), 1);
    // An array of arrays is walked (the keys after it are read) but not kept.
    assert.equal(ggufMetadata!.has('tokenizer.nested'), false);
    for (const [key, value] of Object.entries(EXPECTED['tiny-llama.gguf'].metadata)) assert.equal(metadata![key], value, key);
    assert.equal(metadata!['general.alignment'], '64');
    assert.equal(metadata!['tokenizer.ggml.tokens'], undefined);
    assert.equal(metadata!['llama.some_u8'], '200');
    assert.equal(metadata!['llama.some_i16'], '-300');
  });

  it('sniffs GGUF by its magic whatever the file is called', () => {
    assert.equal(sniffFormat(TINY.subarray(0, 64), 'weights.bin')?.name, 'gguf');
    assert.notEqual(sniffFormat(new TextEncoder().encode('GGUG\x03\0\0\0'), 'x.gguf')?.name, 'gguf');
  });

  it('lists a tensor of another quantization (stored as Q4_0) and refuses only reading it, by name; refuses versions other than 2 and 3', async () => {
    const q4 = await open(new Uint8Array(readFileSync(join(CHECKPOINTS, 'q4_0.gguf'))));
    assert.deepEqual(
      q4.tensors.map(({ name, dtype, shape, storedAs }) => ({ name, dtype, shape, storedAs })),
      [
        { name: 'blk.0.attn_q.weight', dtype: 'F32', shape: [4, 32], storedAs: 'Q4_0' },
        { name: 'blk.0.attn_norm.weight', dtype: 'F32', shape: [32], storedAs: undefined },
      ],
    );
    assert.match(q4.tensors[0].refused!, /quantized as Q4_0/);
    assert.equal((await q4.read('blk.0.attn_norm.weight')).length, 32);
    await assert.rejects(q4.read('blk.0.attn_q.weight'), /m\.gguf: tensor blk\.0\.attn_q\.weight is quantized as Q4_0, which the inspector does not dequantize .*--outtype f16 or q8_0/);
    await assert.rejects(q4.readRaw('blk.0.attn_q.weight'), /quantized as Q4_0/);
    // A Q4_0 tensor whose rows are not whole blocks is a broken file, refused at opening.
    const ragged = new Uint8Array(readFileSync(join(CHECKPOINTS, 'q4_0.gguf')));
    // The first dimension (ne[0], the row length) follows the name and its n_dims.
    const dims = (() => {
      const name = new TextEncoder().encode('blk.0.attn_q.weight');
      for (let k = 0; k + name.length <= ragged.length; k++) if (name.every((b, j) => ragged[k + j] === b)) return k + name.length + 4;
      throw new Error('no tensor info');
    })();
    new DataView(ragged.buffer).setBigUint64(dims, 30n, true);
    await assert.rejects(open(ragged), /Q4_0 tensor blk\.0\.attn_q\.weight has rows of 30, not a multiple of its block of 32/);
    const v1 = TINY.slice();
    v1[4] = 1;
    await assert.rejects(open(v1), /GGUF version 1; the inspector reads versions 2 and 3/);
    const unknownType = TINY.slice();
    new DataView(unknownType.buffer).setUint32(after('blk.0.stacked') + 4 + 3 * 8, 99, true);
    await assert.rejects(open(unknownType), /tensor blk\.0\.stacked has ggml type 99, which the inspector does not know/);
  });

  it('refuses truncated files, lying counts and lengths, and offsets outside the file with CheckpointError', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [TINY.subarray(0, 12), /m\.gguf is truncated inside its GGUF header: the tensor count needs bytes 8\.\.16/],
      [TINY.subarray(0, 700), /the length of tokenizer\.ggml\.tokens is 16, more than its items could fill the bytes left in the file/],
      [TINY.subarray(0, 1300), /the offset of blk\.0\.attn_norm\.weight is 2048, more than the file size \(1300\)/],
      [TINY.subarray(0, TINY.length - 100), /truncated or lies about its layout: tensor blk\.0\.stacked \(\[2, 3, 5\]\) needs bytes/],
      [withU64(8, 2n ** 40n), /the tensor count is 1099511627776, more than the tensor limit or what the file could hold/],
      [withU64(16, 2n ** 63n), /the metadata count is 9223372036854775808, more than the key\/values the file could hold/],
      [withU64(24, 2n ** 40n), /the length of metadata key 0 is 1099511627776, more than the bytes left in the file/],
      [withU64(after('tokenizer.ggml.scores') + 8, 2n ** 50n), /the length of tokenizer\.ggml\.scores is \d+, more than its items could fill the bytes left in the file/],
      [withU64(after('blk.0.stacked') + 4 + 3 * 8 + 4, 2n ** 20n), /the offset of blk\.0\.stacked is 1048576, more than the file size/],
      [withU64(after('blk.0.stacked') + 4 + 3 * 8 + 4, 8448n + 64n), /truncated or lies about its layout: tensor blk\.0\.stacked/],
      [withU64(after('blk.0.stacked') + 4 + 3 * 8 + 4, 8n), /blk\.0\.stacked starts at data offset 8, not a multiple of the alignment 64/],
    ];
    for (const [bytes, pattern] of cases) {
      const error = await open(bytes).then(() => undefined, (e: Error) => e);
      assert.ok(error instanceof CheckpointError, `${pattern}: ${error}`);
      assert.match(error.message, pattern);
    }
  });

  it('keeps the header within maxHeaderBytes and one tensor within maxTensorBytes', async () => {
    await assert.rejects(open(TINY, { ...DEFAULT_LIMITS, maxHeaderBytes: 256 }), /the GGUF header runs past 256 bytes/);
    const small = await open(TINY, { ...DEFAULT_LIMITS, maxTensorBytes: 4096 });
    await small.read('blk.0.attn_q.weight');
    await assert.rejects(small.read('blk.0.ffn_up.weight'), /tensor blk\.0\.ffn_up\.weight has 8192 bytes, past the limit of 4096/);
  });
});

describe('sparse-attn checkpoint list on GGUF (built CLI)', function () {
  this.timeout(120000);
  let cliPath: string;
  before(async () => {
    cliPath = await productionCli();
  });
  const cli = (...args: string[]) => spawnSync(process.execPath, [cliPath, 'checkpoint', 'list', ...args], { encoding: 'utf8', timeout: 60000 });

  it('lists every tensor and the metadata of a GGUF file, Q8_0 and Q4_0 tensors with their ggml type', () => {
    const listed = cli(join(CHECKPOINTS, 'tiny-llama.gguf'), '--json');
    assert.equal(listed.status, 0, listed.stderr);
    const json = JSON.parse(listed.stdout);
    assert.equal(json.format, 'gguf');
    const q8 = new Set(['blk.0.attn_v.weight', 'blk.0.ffn_up.weight']);
    assert.deepEqual(json.tensors, EXPECTED['tiny-llama.gguf'].tensors.map(({ name, dtype, shape }) => ({ name, dtype, shape, ...(q8.has(name) ? { storedAs: 'Q8_0' } : {}) })));
    assert.equal(json.metadata['general.architecture'], 'llama');
    const text = cli(join(CHECKPOINTS, 'tiny-llama.gguf'));
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /tiny-llama\.gguf: gguf \(tiny-llama\.gguf\)$/m);
    assert.match(text.stdout, /^metadata: general\.architecture=llama, /m);
    assert.match(text.stdout, /^blk\.0\.attn_k\.weight\s+BF16\s+\[16, 32\]$/m);
    assert.match(text.stdout, /^blk\.0\.attn_v\.weight\s+Q8_0→F32\s+\[16, 32\]$/m);
    // Another quantization is listed with its ggml type, and said not to be read.
    const q4 = cli(join(CHECKPOINTS, 'q4_0.gguf'));
    assert.equal(q4.status, 0, q4.stderr);
    assert.match(q4.stdout, /^blk\.0\.attn_q\.weight\s+Q4_0\s+\[4, 32\]  \(not read: a quantization the inspector does not dequantize\)$/m);
    assert.match(q4.stdout, /^blk\.0\.attn_norm\.weight\s+F32\s+\[32\]$/m);
    const q4Json = JSON.parse(cli(join(CHECKPOINTS, 'q4_0.gguf'), '--json').stdout);
    assert.equal(q4Json.tensors[0].storedAs, 'Q4_0');
    assert.match(q4Json.tensors[0].refused, /quantized as Q4_0/);
  });
});
