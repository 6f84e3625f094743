/**
 * Load Checkpoint… on an unknown architecture, the parts without VS Code: which tensors the quick
 * picks offer (and in what order), the head counts, and the model worker's two answers (the
 * checkpoint's 2-D tensors when the architecture is unknown; with the projections named, the
 * layer's Q/K/V and attention) on the BERT fixture renamed so that nothing recognises it, against
 * PyTorch's Q/K/V of that layer.
 */
import { strict as assert } from 'assert';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { encodeNpy } from '../../src/core';
import { ByteLevelBpe, loadModel } from '../../src/model';
import { headChoices, outputWidth, projectionCandidates } from '../../src/model/projectionCandidates';
import { ModelLayer, runModelLayer, UnknownModel } from '../../src/extension/modelWorker';
import { floats, npzWeights, readNpz } from '../support/npz';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');

describe('naming the projections of an unknown architecture: candidates and head counts', () => {
  const tensors = [
    { name: 'blocks.0.attn.Wqkv.weight', shape: [96, 32] },
    { name: 'blocks.1.attn.Wqkv.weight', shape: [96, 32] },
    { name: 'blocks.1.attn.Wqkv.bias', shape: [96, 1] },
    { name: 'blocks.1.attn.wq', shape: [32, 32] },
    { name: 'blocks.1.attn.wk', shape: [16, 32] },
    { name: 'blocks.1.attn.wv', shape: [16, 32] },
    { name: 'blocks.1.mlp.up', shape: [32, 64] },
    { name: 'blocks.1.mlp.down', shape: [64, 32] },
    { name: 'embed', shape: [329, 32] },
    { name: 'blocks.1.attn.odd', shape: [31, 33] },
    { name: 'norm', shape: [32] },
  ];

  it('offers 2-D weights with a side of the input width, the layer and the role first; fused ones with outputs divisible by 3', () => {
    assert.deepEqual(projectionCandidates(tensors, 32, 1, 'qkv').map((t) => t.name), ['blocks.1.attn.Wqkv.weight', 'blocks.0.attn.Wqkv.weight']);
    const q = projectionCandidates(tensors, 32, 1, 'q').map((t) => t.name);
    assert.deepEqual(q.slice(0, 2), ['blocks.1.attn.wq', 'blocks.1.attn.Wqkv.weight']);
    assert.ok(!q.includes('blocks.1.attn.Wqkv.bias') && !q.includes('norm') && !q.includes('blocks.1.attn.odd'), 'biases, 1-D and misfit tensors are left out');
    assert.ok(q.indexOf('embed') < q.indexOf('blocks.0.attn.Wqkv.weight'), "a name without a layer number comes before another layer's");
    assert.equal(projectionCandidates(tensors, 32, 1, 'k')[0].name, 'blocks.1.attn.wk');
    assert.equal(projectionCandidates(tensors, 32, 1, 'v')[0].name, 'blocks.1.attn.wv');
    assert.equal(projectionCandidates(tensors, 32, 0, 'qkv')[0].name, 'blocks.0.attn.Wqkv.weight');
    assert.deepEqual(projectionCandidates(tensors, 7, 1, 'q'), []);
  });

  it("reads a weight's outputs as projectQkv does: the side that is not the input's (square: nn.Linear)", () => {
    assert.equal(outputWidth({ name: 'c_attn', shape: [32, 96] }, 32), 96);
    assert.equal(outputWidth({ name: 'qkv', shape: [96, 32] }, 32), 96);
    assert.equal(outputWidth({ name: 'q', shape: [32, 32] }, 32), 32);
    assert.equal(outputWidth({ name: 'x', shape: [31, 33] }, 32), undefined);
  });

  it('head counts divide the query width, usual head sizes first, heads of at least 4 values', () => {
    assert.deepEqual(headChoices(768).slice(0, 4), [{ heads: 12, headDim: 64 }, { heads: 6, headDim: 128 }, { heads: 8, headDim: 96 }, { heads: 24, headDim: 32 }]);
    assert.deepEqual(headChoices(32).map((c) => c.heads), [1, 2, 4, 8]);
    assert.ok(headChoices(768).every((c) => c.heads * c.headDim === 768 && c.headDim >= 4));
    assert.deepEqual(headChoices(3), [{ heads: 1, headDim: 3 }]);
    assert.throws(() => headChoices(0), /no heads/);
  });
});

/** A safetensors file of float32 tensors (the format's header, then the data). */
function writeSafetensors(path: string, tensors: Map<string, { shape: number[]; data: Float32Array }>): void {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, { shape, data }] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([length, json, ...[...tensors.values()].map(({ data }) => Buffer.from(data.buffer, data.byteOffset, data.byteLength))]));
}

describe('the model worker on an unknown architecture', function () {
  this.timeout(60000);
  const LAYER = 1;
  const text = readFileSync(join(FIXTURES, 'text.txt'), 'utf8');
  let dir: string;
  let inputPath: string;
  let n: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'unknown-arch-'));
    const folder = join(dir, 'model');
    mkdirSync(folder);
    // BERT's weights under names no architecture probes for, and a model_type nothing runs.
    const bert = npzWeights(join(FIXTURES, 'bert', 'weights.npz'));
    const renamed = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const name of bert.names()) renamed.set(name.replace(/^bert\.encoder\.layer\./, 'enc.blocks.').replace(/attention\.self\./, 'mix.'), { shape: bert.shape(name), data: await bert.read(name) });
    writeSafetensors(join(folder, 'model.safetensors'), renamed);
    writeFileSync(join(folder, 'config.json'), JSON.stringify({ model_type: 'mystery', hidden_size: 32 }));
    copyFileSync(join(FIXTURES, 'bert', 'tokenizer.json'), join(folder, 'tokenizer.json'));
    // The layer's input as the user would save it: BERT (no norm before Q/K/V) run to layer 1.
    const tokens = new ByteLevelBpe(JSON.parse(readFileSync(join(FIXTURES, 'bert', 'tokenizer.json'), 'utf8'))).encode(text);
    n = tokens.length;
    const model = await loadModel(JSON.parse(readFileSync(join(FIXTURES, 'bert', 'config.json'), 'utf8')), bert);
    inputPath = join(dir, 'input.npy');
    writeFileSync(inputPath, encodeNpy('<f4', [n, 32], await model.inputOf(tokens, LAYER)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const request = (extra = {}) => ({ path: join(dir, 'model'), layer: LAYER, text, ...extra });

  it('answers with the 2-D tensors and the token count, not an error', async () => {
    const answer = (await runModelLayer(request(), () => undefined)) as UnknownModel;
    assert.match(answer.unknownArchitecture, /model_type "mystery" is not one the forward pass runs/);
    assert.equal(answer.tokens, n);
    assert.ok(answer.tensors.every((t) => t.shape.length === 2));
    assert.deepEqual(answer.tensors.find((t) => t.name === `enc.blocks.${LAYER}.mix.query.weight`)?.shape, [32, 32]);
    assert.equal(projectionCandidates(answer.tensors, 32, LAYER, 'q')[0].name, `enc.blocks.${LAYER}.mix.query.weight`);
  });

  it("with the projections named, gives the layer's Q/K/V as PyTorch computes them, and its attention", async () => {
    const expected = readNpz(join(FIXTURES, 'expected', 'bert.npz'));
    const at = `enc.blocks.${LAYER}.mix.`;
    const projection = { inputPath, q: `${at}query.weight`, k: `${at}key.weight`, v: `${at}value.weight`, heads: 4, causal: false };
    const layer = (await runModelLayer(request({ projection }), () => undefined)) as ModelLayer;
    assert.equal(layer.heads, 4);
    assert.equal(layer.headDim, 8);
    assert.equal(layer.causal, false);
    assert.equal(layer.layers, undefined);
    for (const part of ['q', 'k', 'v'] as const) {
      const want = floats(expected, `${part}${LAYER}`);
      const worst = layer[part].reduce((m, value, k) => Math.max(m, Math.abs(value - want[k])), 0);
      assert.ok(worst <= 1e-4, `${part}: off by ${worst}`);
    }
    const probs = floats(expected, `probs${LAYER}`);
    assert.ok(layer.dense.every((p, k) => Math.abs(p - probs[k]) <= 1e-4), "the model's attention");
  });

  it('refuses, in words, a layer input whose rows are not the tokens, and a projection that does not fit it', async () => {
    const short = join(dir, 'short.npy');
    writeFileSync(short, encodeNpy('<f4', [2, 32], new Float32Array(64)));
    const at = `enc.blocks.${LAYER}.mix.`;
    await assert.rejects(runModelLayer(request({ projection: { inputPath: short, qkv: `${at}query.weight`, heads: 4, causal: true } }), () => undefined), /short\.npy has shape \[2, 32\]; expected \[\d+, d\], one row per token/);
    await assert.rejects(runModelLayer(request({ projection: { inputPath, qkv: `${at}query.weight`, heads: 4, causal: true } }), () => undefined), /has 32 outputs, not 3 × heads × head size/);
  });
});
