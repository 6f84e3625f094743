/**
 * ONNX models (src/model/onnx.ts) as torch.onnx.export wrote them (test/fixtures/checkpoints/make_onnx.py):
 * every parameter under its PyTorch name and layout with the state dict's exact values (initializers,
 * external data, Constant nodes, anonymous folded weights named back), `checkpoint attend` equal to
 * PyTorch's attention on every layer, and broken or hostile files refused with one clear line.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { decodeNpy, npyToFloat32 } from '../../src/core';
import { ByteSource, CheckpointError, DEFAULT_LIMITS, loadModel, memorySource, OpenedCheckpoint, openCheckpointSource, sniffFormat, weightsInMemory } from '../../src/model';
import { recoverParameterNames } from '../../src/model/onnxNames';
import { OpenFiles, openCheckpointPath } from '../../src/checkpointFiles';
import { floats, integers, readNpz } from '../support/npz';
import { productionCli } from '../support/productionCli';
import { constant, external, f32, f64, fixed32, initializer, int, len, model, node, tensor, varint } from '../support/protoEncode';

const ROOT = resolve(__dirname, '../..');
const ONNX = join(ROOT, 'test/fixtures/checkpoints/onnx');
const MODELS = join(ROOT, 'test/fixtures/models');
const TEXT = readFileSync(join(MODELS, 'text.txt'), 'utf8');
const PATTERN = ['--stride', '4', '--c', '1', '--subblocks', '2'];
const FLOAT = 1;

async function withOpened<T>(path: string, use: (c: OpenedCheckpoint) => Promise<T>): Promise<T> {
  const files = new OpenFiles();
  try {
    return await use((await openCheckpointPath(path, files)).checkpoint);
  } finally {
    await files.close();
  }
}

/** Every array of the state dict is in the checkpoint under its name, as float32, with the same shape and values. */
async function assertStateDict(checkpoint: OpenedCheckpoint, npz: string): Promise<void> {
  const byName = new Map(checkpoint.tensors.map((t) => [t.name, t]));
  for (const [name, array] of readNpz(npz)) {
    const info = byName.get(name);
    assert.ok(info, `no ${name}; the export lists ${[...byName.keys()].filter((n) => !n.startsWith('/')).join(', ')}`);
    assert.equal(info.dtype, 'F32', name);
    assert.deepEqual(info.shape, array.shape, name);
    assert.deepEqual(await checkpoint.read(name), npyToFloat32(array), name);
  }
}

/** Opens and reads every tensor; the CheckpointError's message, or undefined when all went well. */
async function refusal(bytes: Uint8Array, name = 'model.onnx', sibling?: (path: string) => Promise<ByteSource>): Promise<string | undefined> {
  try {
    const checkpoint = await openCheckpointSource({ ...memorySource(bytes, name), sibling }, DEFAULT_LIMITS);
    for (const t of checkpoint.tensors) await checkpoint.read(t.name);
    return undefined;
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e.message;
  }
}

async function refused(bytes: Uint8Array, pattern: RegExp, sibling?: (path: string) => Promise<ByteSource>): Promise<void> {
  const message = await refusal(bytes, 'model.onnx', sibling);
  assert.ok(message, `accepted; expected ${pattern}`);
  assert.match(message, pattern);
}

describe('ONNX checkpoints', function () {
  this.timeout(180000);

  it('GPT-2 (initializers, and external data beside the model) and BERT (folded MatMul weights): the state dict, name for name and value for value', async () => {
    for (const folder of ['gpt2', 'gpt2-external']) {
      await withOpened(join(ONNX, folder), async (c) => {
        assert.equal(c.format, 'onnx');
        assert.equal(c.metadata?.producer, 'pytorch');
        await assertStateDict(c, join(MODELS, 'gpt2', 'weights.npz'));
      });
    }
    await withOpened(join(ONNX, 'bert'), async (c) => {
      // Exported as MatMul by onnx::MatMul_N [in, out]: named after their bias, back as nn.Linear's [out, in].
      assert.deepEqual(c.tensors.find((t) => t.name === 'bert.encoder.layer.2.intermediate.dense.weight')?.shape, [64, 32]);
      assert.ok(!c.tensors.some((t) => t.name.startsWith('onnx::MatMul')), 'every MatMul weight named back');
      await assertStateDict(c, join(MODELS, 'bert', 'weights.npz'));
    });
  });

  it('bias-free Linear weights named from the nodes\' module scopes, as initializers and as Constant nodes', async () => {
    const expected = readNpz(join(ONNX, 'scoped.npz'));
    for (const file of ['scoped.onnx', 'scoped-constants.onnx']) {
      await withOpened(join(ONNX, file), async (c) => {
        assert.deepEqual(c.tensors.map((t) => t.name).filter((n) => !n.startsWith('/')).sort(), [...expected.keys()].sort(), file);
        await assertStateDict(c, join(ONNX, 'scoped.npz'));
      });
    }
  });

  it('reads only the bytes it needs: the graph at open, each tensor by its range when asked', async () => {
    const modelBytes = statSync(join(ONNX, 'gpt2-external', 'model.onnx')).size;
    await withOpened(join(ONNX, 'gpt2-external'), async (c) => {
      const atOpen = c.bytesRead();
      // The model file once: give or take the sniffed first 64 bytes and a field re-read where two windows meet.
      assert.ok(atOpen <= modelBytes + 1024, `${atOpen} bytes read at open; model.onnx has ${modelBytes}, the data file is not read`);
      await c.read('transformer.h.1.attn.c_attn.weight');
      assert.equal(c.bytesRead() - atOpen, 32 * 96 * 4);
    });
    // Inside the model file too: a 4 MiB raw_data is stepped over at open, not read.
    const big = model(initializer(tensor('big', FLOAT, [1024, 1024], len(9, new Uint8Array(4 << 20)))), initializer(tensor('small', FLOAT, [2], len(9, f32(1, 2)))));
    const c = await openCheckpointSource(memorySource(big, 'big.onnx'));
    assert.ok(c.bytesRead() < 256 << 10, `${c.bytesRead()} bytes read to open a ${big.length}-byte model`);
    assert.deepEqual(Array.from(await c.read('small')), [1, 2]);
    assert.equal((await c.read('big')).length, 1 << 20);
  });

  it('`checkpoint attend` on the ONNX exports equals PyTorch on every layer (GPT-2, GPT-2 with external data, BERT)', async () => {
    const cli = await productionCli();
    const out = mkdtempSync(join(tmpdir(), 'onnx-attend-'));
    for (const [folder, reference] of [['gpt2', 'gpt2'], ['gpt2-external', 'gpt2'], ['bert', 'bert']]) {
      const expected = readNpz(join(MODELS, 'expected', `${reference}.npz`));
      for (let layer = 0; layer < 3; layer++) {
        const dense = join(out, `${folder}-${layer}.npy`);
        const direction = reference === 'bert' ? ['--bidirectional'] : [];
        const args = ['checkpoint', 'attend', join(ONNX, folder), '--text', TEXT, '--layer', String(layer), ...PATTERN, ...direction, '--dense-probs', dense, '--json'];
        const r = spawnSync(process.execPath, [cli, ...args], { cwd: ROOT, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.equal(report.format, 'onnx');
        assert.deepEqual(report.tokens, integers(expected, 'tokens'));
        const probs = npyToFloat32(decodeNpy(readFileSync(dense)));
        const want = floats(expected, `probs${layer}`);
        assert.equal(probs.length, want.length);
        const worst = probs.reduce((m, p, k) => Math.max(m, Math.abs(p - want[k])), 0);
        assert.ok(worst < 1e-4, `${folder} layer ${layer}: attention differs from PyTorch's by ${worst}`);
        const means = floats(expected, `coverage_mean${layer}`);
        report.coverage.heads.forEach((h: { mean: number }, k: number) => assert.ok(Math.abs(h.mean - means[k]) < 1e-5, `${folder} layer ${layer} head ${k}`));
      }
    }
  });

  it('`checkpoint list` prints the format, the producer and the tensors', async () => {
    const r = spawnSync(process.execPath, [await productionCli(), 'checkpoint', 'list', join(ONNX, 'scoped.onnx')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /scoped\.onnx: onnx \(scoped\.onnx\)/);
    assert.match(r.stdout, /metadata: ir_version=7, producer=pytorch, producer_version=1\.13\.0, opset=14/);
    assert.match(r.stdout, /model\.layers\.1\.self_attn\.o_proj\.weight +F32 +\[6, 6\]/);
  });

  it('values in the typed fields (packed and not), Constant values, every data type it reads', async () => {
    const bytes = model(
      initializer(tensor('f', 1, [2, 2], len(4, f32(1.5, -2, 3.25, 0)))),
      initializer(tensor('unpacked', 1, [2], fixed32(4, f32(7)), fixed32(4, f32(-8)))),
      initializer(tensor('d', 11, [2], len(10, f64(0.1, -1e10)))),
      initializer(tensor('i64', 7, [3], len(7, [...varint(-5), ...varint(2 ** 40), ...varint(0)]))),
      initializer(tensor('h', 10, [2], len(5, [...varint(0x3e00), ...varint(0xc000)]))), // float16 1.5, -2
      initializer(tensor('bf', 16, [1], int(5, 0x3fc0))), // bfloat16 1.5, one unpacked varint
      initializer(tensor('b', 9, [3], len(5, [1, 0, 1]))),
      initializer(tensor('i8', 3, [2], len(5, [...varint(-3), ...varint(127)]))),
      initializer(tensor('u64', 13, [1], len(11, varint(2n ** 63n)))),
      initializer(tensor('raw', 6, [2], len(9, [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))),
      initializer(tensor('empty', 1, [0, 3])),
      constant('c', tensor('', 1, [1], len(9, f32(42)))),
    );
    const c = await openCheckpointSource(memorySource(bytes, 'typed.onnx'));
    const values = async (name: string) => Array.from(await c.read(name));
    assert.deepEqual(c.tensors.map((t) => `${t.name} ${t.dtype} [${t.shape}]`), [
      'f F32 [2,2]', 'unpacked F32 [2]', 'd F64 [2]', 'i64 I64 [3]', 'h F16 [2]', 'bf BF16 [1]', 'b BOOL [3]', 'i8 I8 [2]', 'u64 U64 [1]', 'raw I32 [2]', 'empty F32 [0,3]', 'c F32 [1]',
    ]);
    assert.deepEqual(await values('f'), [1.5, -2, 3.25, 0]);
    assert.deepEqual(await values('unpacked'), [7, -8]);
    assert.deepEqual(await values('d'), [Math.fround(0.1), -1e10]);
    assert.deepEqual(await values('i64'), [-5, 2 ** 40, 0]);
    assert.deepEqual(await values('h'), [1.5, -2]);
    assert.deepEqual(await values('bf'), [1.5]);
    assert.deepEqual(await values('b'), [1, 0, 1]);
    assert.deepEqual(await values('i8'), [-3, 127]);
    assert.deepEqual(await values('u64'), [2 ** 63]);
    assert.deepEqual(await values('raw'), [1, -1]);
    assert.deepEqual(await values('empty'), []);
    assert.deepEqual(await values('c'), [42]);
    assert.deepEqual(Array.from(await c.readRaw('i8')), [0xfd, 0x7f]);
  });

  it('refuses truncated, lying and hostile models with one line naming what is wrong', async () => {
    const gpt2 = new Uint8Array(readFileSync(join(ONNX, 'gpt2', 'model.onnx')));
    const w = (dims: Array<number | bigint>, ...data: number[][]) => model(initializer(tensor('w', FLOAT, dims, ...data)));
    await refused(new Uint8Array([0x08, 0x87]), /cut off mid-varint at byte 1.*truncated/);
    await refused(new Uint8Array([0x08, ...new Array(10).fill(0xff), 0x01]), /ir_version \(field 1\) of the ModelProto at byte 1: a varint runs past 10 bytes/);
    await refused(new Uint8Array([0x08, 0x07, 0x3a, 0x7f, 1, 2, 3]), /declares 127 bytes at byte 4, running past the end of its message \(byte 7\)/);
    for (const cut of [4000, 100000, gpt2.length - 1]) await refused(gpt2.subarray(0, cut), /truncated|running past the end/);
    await refused(w([2 ** 40, 2 ** 40], len(9, [0, 0, 0, 0])), /shape \[1099511627776, 1099511627776\], too many elements to address/);
    await refused(w([1e6, 1e6], len(9, [0, 0, 0, 0])), /"w" is \[1000000, 1000000\] F32 \(4000000000000 bytes\) but its raw_data has 4 bytes/);
    await refused(w([-1], len(9, [0, 0, 0, 0])), /"w" has dimension 0 of -1, negative/);
    await refused(w(new Array(40).fill(1), len(9, [0, 0, 0, 0])), /more than 32 dimensions/);
    await refused(w([3], len(4, f32(1, 2))), /"w" holds 2 values; its shape \[3\] needs 3/);
    await refused(w([1], len(4, f32(1)), len(9, f32(1))), /more than one place/);
    await refused(w([2]), /"w" \(\[2\]\) has no values/);
    await refused(model(initializer(tensor('s', 8, [1], len(6, 'hi')))), /"s" has data type STRING; the inspector reads FLOAT, UINT8/);
    await refused(model(initializer(tensor('q', 17, [1], len(9, [0])))), /data type FLOAT8E4M3FN/);
    await refused(model(initializer(tensor('x', 99, [1], len(9, [0])))), /data type number 99, which ONNX does not define/);
    await refused(model(len(15, [])), /sparse initializer/);
    const two = model(initializer(tensor('a', FLOAT, [1], len(9, f32(1)))), constant('b', tensor('', FLOAT, [1], len(9, f32(2)))));
    await assert.rejects(openCheckpointSource(memorySource(two, 'two.onnx'), { ...DEFAULT_LIMITS, maxTensors: 1 }), /more than 1 tensors/);
    await refused(new Uint8Array([...int(1, 7), ...len(2, 'x')]), /has no graph/);
    await refused(new Uint8Array([...int(1, 7), 0x0b, 0]), /protobuf group \(wire type 3\)/);
    await refused(new Uint8Array([0x08, 0x07, 0x07]), /field number 0/);
    await refused(model(initializer(tensor('w', FLOAT, [1], len(9, f32(1)))), initializer(tensor('w', FLOAT, [1], len(9, f32(2))))), /names tensor "w" twice/);
    // Subgraphs nested far past the depth limit (If/Loop bodies in a graph attribute).
    let nested: number[] = [];
    for (let depth = 0; depth < 300; depth++) nested = node('If', ['c'], [`o${depth}`], `if${depth}`, [...len(1, 'then_branch'), ...len(6, nested)]);
    await refused(model(nested), /nests subgraphs more than 200 deep/);
    // A .onnx name does not make other bytes ONNX.
    assert.match((await refusal(new Uint8Array([0x0a, 0x00]))) ?? '', /an ONNX model starts with its ir_version field \(byte 0x08\); this one starts with 0x0a/);
  });

  it('external data: only files beside the model, of the length the tensors need', async () => {
    const ext = (location: string, offset?: number, length?: number) => model(initializer(tensor('w', FLOAT, [2, 2], external(location, offset, length))));
    for (const location of ['../secret.bin', '/etc/passwd', 'a/../../b.bin', 'C:\\weights.bin', '\\\\server\\share\\x', '']) {
      await refused(ext(location), /names external data .*outside the model's folder/);
    }
    await refused(ext('model.onnx.data'), /keeps its data in model\.onnx\.data, a file beside the model, and this model was opened without access to its folder/);
    const data = (bytes: number) => async () => memorySource(new Uint8Array(bytes), 'model.onnx.data');
    await refused(ext('model.onnx.data', 8), /needs bytes 8\.\.24 of model\.onnx\.data, which has 20: truncated/, data(20));
    await refused(ext('model.onnx.data', 0, 12), /needs 16 bytes but its external_data length is 12/, data(16));
    await refused(ext('model.onnx.data', -1 as number), /external_data offset "-1", not a byte count/, data(16));
    assert.equal(await refusal(ext('model.onnx.data', 4, 16), 'model.onnx', data(20)), undefined);
    // On disk: the data file missing, and a path that resolves outside the folder through the CLI's file access.
    const folder = mkdtempSync(join(tmpdir(), 'onnx-external-'));
    writeFileSync(join(folder, 'model.onnx'), ext('weights.bin'));
    const files = new OpenFiles();
    await assert.rejects(openCheckpointPath(join(folder, 'model.onnx'), files), (e: Error) => e instanceof CheckpointError && /keeps its data in weights\.bin, which cannot be opened beside the model \(ENOENT/.test(e.message));
    const source = await files.source(join(folder, 'model.onnx'));
    await assert.rejects(source.sibling!('../x'), /is outside/);
    await files.close();
  });

  it('no other format is taken for ONNX, whatever its name', async () => {
    const FIXTURES = join(ROOT, 'test/fixtures/checkpoints');
    // (A .npz renamed is a plain zip, read as PyTorch's: .npz is known by its name.)
    for (const [file, format] of [['gpt2/model.safetensors', 'safetensors'], ['gpt2/gpt2.pt', 'pytorch-zip'], ['views-legacy.pth', 'pytorch-legacy'], ['gpt2.npz', 'pytorch-zip'], ['embeddings.npy', 'npy'], ['tiny-llama.gguf', 'gguf'], ['numpy-dict-p2.pkl', 'pickle']]) {
      assert.equal(sniffFormat(new Uint8Array(readFileSync(join(FIXTURES, file))).subarray(0, 64), 'renamed.onnx')?.name, format, file);
    }
    // And an ONNX model is ONNX only by its name: ModelProto has no magic number.
    assert.equal(sniffFormat(new Uint8Array(readFileSync(join(ONNX, 'scoped.onnx'))).subarray(0, 64), 'scoped.bin'), undefined);
  });

  it('names weights back only where the graph is unambiguous; the rest keep their ONNX names, and the model says why it cannot run', async () => {
    const matmul = (name: string, weight: string, out = `${name}_out`) => ({ op: 'MatMul', name, inputs: ['x', weight], outputs: [out], transB: 0 });
    const tensors = [
      { name: 'model.norm.weight', shape: [4] },
      { name: 'onnx::MatMul_1', shape: [4, 3] },
      { name: 'onnx::MatMul_2', shape: [4, 3] },
      { name: 'onnx::MatMul_3', shape: [4, 3] },
      { name: 'onnx::Gemm_4', shape: [3, 4] },
      { name: 'head.bias', shape: [3] },
      { name: 'onnx::Gemm_5', shape: [4, 5] },
      { name: 'model.proj.bias', shape: [5] },
    ];
    const names = recoverParameterNames(tensors, [
      // Two weights claiming one module (a de-duplicated scope): neither is named.
      matmul('/model/a/MatMul', 'onnx::MatMul_1'),
      matmul('/model/a/MatMul_1', 'onnx::MatMul_2'),
      // A scope whose root no named tensor has (a module that was not called through): not named.
      matmul('/layers.0/q/MatMul', 'onnx::MatMul_3'),
      // Gemm with transB = 1 holds nn.Linear's own [out, in]; its bias names it.
      { op: 'Gemm', name: '/x/Gemm', inputs: ['x', 'onnx::Gemm_4', 'head.bias'], outputs: ['y'], transB: 1 },
      // Gemm without transB multiplies by [in, out]: a folded transposed weight, like MatMul's.
      { op: 'Gemm', name: '/model/proj/Gemm', inputs: ['x', 'onnx::Gemm_5', 'model.proj.bias'], outputs: ['z'], transB: 0 },
    ]);
    assert.deepEqual([...names], [
      ['onnx::Gemm_4', { name: 'head.weight', transposed: false }],
      ['onnx::Gemm_5', { name: 'model.proj.weight', transposed: true }],
    ]);
    const anonymous = weightsInMemory(new Map([['onnx::MatMul_9', { shape: [2, 2], data: new Float32Array(4) }]]));
    await assert.rejects(loadModel(undefined, anonymous), /1 weights keep torch\.onnx's anonymous names, e\.g\. onnx::MatMul_9/);
  });
});
