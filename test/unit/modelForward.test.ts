/**
 * The forward pass to layer k against PyTorch: tiny GPT-2, Llama (grouped-query), BERT and GPT-NeoX
 * models with Hugging Face's names (test/fixtures/models/make.py): Q/K/V and the model's attention
 * of every layer and head within 1e-4, the fixed pattern's coverage as torch computes it, and every
 * refusal with its message.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { buildPattern, defaultConfig, FactorizedConfig, PatternMask, probsToDense, RangeList, referenceAttention } from '../../src/core';
import { setDefaultMatmulPath } from '../../src/model/matmul';
import { erf } from '../../src/model/ops';
import { ByteLevelBpe, coverage, denseAttention, ForwardCancelledError, loadModel, ModelError, patternAttention, sparseKernelInput, weightsInMemory, WeightProvider } from '../../src/model';
import { floats, integers, npzWeights, readNpz } from '../support/npz';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const MODELS = [
  { folder: 'gpt2', prefix: 'transformer.', architecture: 'gpt2', causal: true },
  { folder: 'llama', prefix: 'model.', architecture: 'llama', causal: true },
  { folder: 'bert', prefix: 'bert.', architecture: 'bert', causal: false },
  { folder: 'gpt-neox', prefix: 'gpt_neox.', architecture: 'gpt-neox', causal: true },
  // Qwen2 (make_qwen2.py): the Llama network with biases on q, k and v.
  { folder: 'qwen2', prefix: 'model.', architecture: 'llama', causal: true },
] as const;
const LAYERS = 3;

const configOf = (folder: string) => JSON.parse(readFileSync(join(FIXTURES, folder, 'config.json'), 'utf8')) as Record<string, unknown>;
const weightsOf = (folder: string, rename?: (name: string) => string | undefined) => npzWeights(join(FIXTURES, folder, 'weights.npz'), rename);
const expectedOf = (folder: string) => readNpz(join(FIXTURES, 'expected', `${folder}.npz`));

/** The fixed pattern make.py measured coverage under: l = 4, c = 1, K = 2, merged. */
function fixedPattern(n: number, heads: number, bidirectional: boolean): PatternMask {
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n, heads, stride: 4, c: 1, subblocks: 2, mode: 'merged', bidirectional };
  return buildPattern(config);
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string, tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let worst = 0;
  let at = 0;
  for (let k = 0; k < actual.length; k++) {
    const error = Math.abs(actual[k] - expected[k]);
    if (!(error <= worst)) [worst, at] = [error, k];
  }
  assert.ok(worst <= tolerance, `${what}: off by ${worst} at flat index ${at} (${actual[at]} vs ${expected[at]})`);
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: Error) => {
    assert.ok(e instanceof ModelError, `expected a ModelError, got ${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('forward pass to layer k against PyTorch', function () {
  this.timeout(60000);
  const tokenizer = new ByteLevelBpe(JSON.parse(readFileSync(join(FIXTURES, 'gpt2', 'tokenizer.json'), 'utf8')));
  const text = readFileSync(join(FIXTURES, 'text.txt'), 'utf8');

  for (const { folder, architecture, causal } of MODELS) {
    it(`${folder}: Q, K, V, the model's attention and the fixed pattern's coverage of every layer match torch`, async () => {
      const expected = expectedOf(folder);
      const tokens = tokenizer.encode(text);
      assert.deepEqual(tokens, integers(expected, 'tokens'), 'the tokenizer.json tokens differ from the fixture script');
      const model = await loadModel(configOf(folder), weightsOf(folder));
      assert.equal(model.architecture, architecture);
      assert.equal(model.info.layers, LAYERS);
      for (let layer = 0; layer < LAYERS; layer++) {
        const qkv = await model.qkvAt(tokens, layer);
        assert.equal(qkv.causal, causal);
        for (const part of ['q', 'k', 'v'] as const) assertClose(qkv[part], floats(expected, `${part}${layer}`), `${folder} layer ${layer} ${part}`);
        const dense = denseAttention(qkv);
        assertClose(dense.probs, floats(expected, `probs${layer}`), `${folder} layer ${layer} attention`);
        const covered = coverage(dense, fixedPattern(tokens.length, qkv.heads, !causal));
        const means = floats(expected, `coverage_mean${layer}`);
        const worstRows = integers(expected, `coverage_worst_row${layer}`);
        const worstShares = floats(expected, `coverage_worst_share${layer}`);
        covered.heads.forEach((head, h) => {
          assert.ok(Math.abs(head.mean - means[h]) < 1e-5, `${folder} layer ${layer} head ${h}: coverage ${head.mean}, torch ${means[h]}`);
          assert.equal(head.worst[0].row, worstRows[h], `${folder} layer ${layer} head ${h}: worst row`);
          assert.ok(Math.abs(head.worst[0].share - worstShares[h]) < 1e-5, `${folder} layer ${layer} head ${h}: worst share`);
        });
        const layerMean = means.reduce((a, b) => a + b, 0) / means.length;
        assert.ok(Math.abs(covered.mean - layerMean) < 1e-5, `${folder} layer ${layer}: layer coverage ${covered.mean}, torch ${layerMean}`);
      }
    });
  }

  for (const { folder } of MODELS) {
    it(`${folder}: one run to the last layer reads each tensor at most once`, async () => {
      const weights = weightsOf(folder);
      const reads = new Map<string, number>();
      const counting: WeightProvider = { ...weights, read: (name) => (reads.set(name, (reads.get(name) ?? 0) + 1), weights.read(name)) };
      const model = await loadModel(configOf(folder), counting);
      await model.qkvAt(integers(expectedOf(folder), 'tokens'), LAYERS - 1);
      assert.ok(reads.size > 10, `${folder}: only ${reads.size} tensors read`);
      for (const [name, count] of reads) assert.equal(count, 1, `${folder}: ${name} read ${count} times`);
    });
  }

  it('the JavaScript matmul (where WebAssembly SIMD is missing) gives every model the same Q/K/V within 1e-4', async () => {
    setDefaultMatmulPath('js');
    try {
      for (const { folder } of MODELS) {
        const expected = expectedOf(folder);
        const qkv = await (await loadModel(configOf(folder), weightsOf(folder))).qkvAt(integers(expected, 'tokens'), LAYERS - 1);
        for (const part of ['q', 'k', 'v'] as const) assertClose(qkv[part], floats(expected, `${part}${LAYERS - 1}`), `${folder} (JavaScript matmul) layer ${LAYERS - 1} ${part}`);
      }
    } finally {
      setDefaultMatmulPath('auto');
    }
  });

  it('Llama: grouped-query K/V (2 heads for 4 query heads) are repeated per query head, 0 and 1 reading kv head 0', async () => {
    const model = await loadModel(configOf('llama'), weightsOf('llama'));
    assert.equal(model.info.kvHeads, 2);
    const qkv = await model.qkvAt(tokenizer.encode(text), 1);
    const size = qkv.n * qkv.headDim;
    assert.deepEqual(qkv.k.subarray(0, size), qkv.k.subarray(size, 2 * size));
    assert.deepEqual(qkv.v.subarray(2 * size, 3 * size), qkv.v.subarray(3 * size, 4 * size));
    assert.notDeepEqual(qkv.k.subarray(0, size), qkv.k.subarray(2 * size, 3 * size));
  });

  for (const { folder, prefix } of MODELS) {
    it(`${folder}: the same Q/K/V without the "${prefix}" prefix (a bare model's state dict)`, async () => {
      const expected = expectedOf(folder);
      const bare = weightsOf(folder, (name) => (name.startsWith(prefix) ? name.slice(prefix.length) : undefined));
      const model = await loadModel(configOf(folder), bare);
      const qkv = await model.qkvAt(integers(expected, 'tokens'), 2);
      assertClose(qkv.q, floats(expected, 'q2'), `${folder} without prefix`);
    });
  }

  it('BERT converted from TensorFlow: LayerNorm parameters named gamma and beta', async () => {
    const expected = expectedOf('bert');
    const tensorflowNames = weightsOf('bert', (name) => name.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta'));
    assert.ok(tensorflowNames.names().includes('bert.encoder.layer.0.output.LayerNorm.gamma'));
    const qkv = await (await loadModel(configOf('bert'), tensorflowNames)).qkvAt(integers(expected, 'tokens'), 2);
    assertClose(qkv.k, floats(expected, 'k2'), 'bert with gamma/beta');
  });

  // Not GPT-NeoX (rotary_pct 0.5) nor Qwen2 (rope_theta 1e6): their RoPE settings are not the defaults.
  for (const { folder } of MODELS.filter((m) => m.folder !== 'gpt-neox' && m.folder !== 'qwen2')) {
    it(`${folder}: recognised from the tensor names alone, given the head count (the defaults are the model type's)`, async () => {
      const expected = expectedOf(folder);
      const model = await loadModel(undefined, weightsOf(folder), { heads: 4 });
      const qkv = await model.qkvAt(integers(expected, 'tokens'), 2);
      assertClose(qkv.v, floats(expected, 'v2'), `${folder} without config.json`);
      assert.equal(model.info.kvHeads, folder === 'llama' ? 2 : 4, 'K/V heads from the k_proj rows');
      await rejects(loadModel(undefined, weightsOf(folder)), /do not say how many attention heads.*config\.json/);
    });
  }

  it('patternAttention is the dense softmax renormalised over the pattern, cut at the diagonal for a causal model', async () => {
    const tokens = tokenizer.encode(text);
    const model = await loadModel(configOf('gpt2'), weightsOf('gpt2'));
    const qkv = await model.qkvAt(tokens, 1);
    const dense = denseAttention(qkv);
    const n = tokens.length;
    // A bidirectional pattern on a causal model: the model's own causal cut still applies.
    const mask = fixedPattern(n, qkv.heads, true);
    const restricted = patternAttention(qkv, mask);
    const shares = coverage(dense, fixedPattern(n, qkv.heads, false), n);
    for (let h = 0; h < qkv.heads; h++) {
      const share = new Map(shares.heads[h].worst.map((r) => [r.row, r.share]));
      for (let i = 0; i < n; i++) {
        const allowed = new Set<number>();
        const cols = new RangeList();
        mask.heads[h].row(i, cols);
        for (let r = 0; r < cols.length; r++) for (let j = cols.starts[r]; j < cols.ends[r]; j++) if (j <= i) allowed.add(j);
        let sum = 0;
        for (let j = 0; j < n; j++) {
          const p = restricted.probs[(h * n + i) * n + j];
          sum += p;
          if (!allowed.has(j)) assert.equal(p, 0, `head ${h} (${i}, ${j}) is outside the pattern or above the diagonal`);
          else assert.ok(Math.abs(p - dense.probs[(h * n + i) * n + j] / share.get(i)!) < 1e-5, `head ${h} (${i}, ${j})`);
        }
        assert.ok(Math.abs(sum - 1) < 1e-5, `head ${h} row ${i} sums to ${sum}`);
      }
    }
  });

  it("the project's float64 reference kernel, given sparseKernelInput, computes patternAttention at the model's scale", async () => {
    const tokens = tokenizer.encode(text);
    // Scores divided by layer + 1 as well: layer 2's scale is 1 / (sqrt(8) * 3).
    const model = await loadModel({ ...configOf('gpt2'), scale_attn_by_inverse_layer_idx: true }, weightsOf('gpt2'));
    const qkv = await model.qkvAt(tokens, 2);
    assert.ok(Math.abs(qkv.scale - 1 / (Math.sqrt(8) * 3)) < 1e-12);
    const mask = fixedPattern(tokens.length, qkv.heads, false);
    const reference = referenceAttention(mask, sparseKernelInput(qkv));
    assertClose(probsToDense(reference.probs!, tokens.length), patternAttention(qkv, mask).probs, 'reference kernel against patternAttention', 1e-6);
    // Layer 1's attention is scaled by 1/2 on the way, so layer 2's input differs; layer 0's does not.
    const plain = await loadModel(configOf('gpt2'), weightsOf('gpt2'));
    assertClose((await plain.qkvAt(tokens, 0)).q, (await model.qkvAt(tokens, 0)).q, 'layer 0 Q', 0);
    assert.notDeepEqual((await plain.qkvAt(tokens, 2)).q, qkv.q);
  });

  it('erf against known values', () => {
    // erf from tables (Abramowitz and Stegun, table 7.1).
    for (const [x, value] of [[0, 0], [0.1, 0.1124629160], [0.5, 0.5204998778], [1, 0.8427007929], [2, 0.9953222650], [3.5, 0.9999992569]]) {
      assert.ok(Math.abs(erf(x) - value) < 2e-7, `erf(${x}) = ${erf(x)}, not ${value}`);
      assert.ok(Math.abs(erf(-x) + value) < 2e-7, `erf(${-x})`);
    }
  });

  it('coverage: a hand-made example (shares, worst rows least first, layer mean)', () => {
    // One head, 3 tokens; the local pattern with l = 1 keeps only the diagonal.
    const probs = Float32Array.from([1, 0, 0, 0.25, 0.75, 0, 0.5, 0.3, 0.2]);
    const local = buildPattern({ ...(defaultConfig('local') as FactorizedConfig), n: 3, heads: 1, stride: 1 });
    const result = coverage({ heads: 1, n: 3, probs }, local, 2);
    assert.ok(Math.abs(result.heads[0].mean - (1 + 0.75 + 0.2) / 3) < 1e-7);
    assert.deepEqual(result.heads[0].worst.map((r) => r.row), [2, 1]);
    assert.ok(Math.abs(result.heads[0].worst[0].share - 0.2) < 1e-7);
    assert.equal(result.mean, result.heads[0].mean);
    assert.throws(() => coverage({ heads: 2, n: 3, probs: new Float32Array(18) }, local), /pattern has 1 heads but the attention has 2: build it with heads = 2/);
    assert.throws(() => coverage({ heads: 1, n: 4, probs: new Float32Array(16) }, local), /built for n = 3 but the attention has 4 tokens/);
  });

  describe('refusals', () => {
    const tokens = () => tokenizer.encode(text);
    const without = (folder: string, dropped: string) => weightsOf(folder, (name) => (name === dropped ? undefined : name));

    it('a missing tensor, named, when the layer that needs it runs', async () => {
      const model = await loadModel(configOf('gpt2'), without('gpt2', 'transformer.h.1.mlp.c_fc.weight'));
      await model.qkvAt(tokens(), 1); // layer 1's Q/K/V do not need its MLP
      await rejects(model.qkvAt(tokens(), 2), /no tensor transformer\.h\.1\.mlp\.c_fc\.weight, which GPT-2 needs/);
    });

    it('a wrong shape, with the shape found and the shape needed', async () => {
      const base = weightsOf('llama');
      const wrong: WeightProvider = { ...base, shape: (name) => (name === 'model.layers.0.self_attn.k_proj.weight' ? [32, 32] : base.shape(name)) };
      const model = await loadModel(configOf('llama'), wrong);
      await rejects(model.qkvAt(tokens(), 0), /model\.layers\.0\.self_attn\.k_proj\.weight has shape \[32, 32\]; Llama needs \[16, 32\]/);
    });

    it('a tensor whose values do not fill its shape', async () => {
      const base = weightsOf('bert');
      const short: WeightProvider = { ...base, read: async (name) => (name.endsWith('query.weight') ? new Float32Array(5) : base.read(name)) };
      const model = await loadModel(configOf('bert'), short);
      await rejects(model.qkvAt(tokens(), 0), /query\.weight holds 5 values; its shape \[32, 32\] needs 1024/);
    });

    it('an unknown architecture, listing the names looked for', async () => {
      const odd = weightsInMemory(new Map([['encoder.blocks.0.mix.weight', { shape: [2, 2], data: new Float32Array(4) }]]));
      await rejects(loadModel(undefined, odd), /unknown architecture: no tensor named like GPT-2 \(transformer\.h\.0\.attn\.c_attn\.weight, h\.0\.attn\.c_attn\.weight\); Llama \(model\.layers\.0\.self_attn\.q_proj\.weight.*BERT \(bert\.encoder\.layer\.0\.attention\.self\.query\.weight.*first names are encoder\.blocks\.0\.mix\.weight/);
      await rejects(loadModel({ model_type: 't5' }, weightsOf('gpt2')), /model_type "t5" is not one the forward pass runs \(gpt2, llama, mistral, qwen2, bert, gpt_neox\)/);
      await rejects(loadModel(configOf('gpt2'), weightsOf('llama')), /config\.json says gpt2, but the weights have no GPT-2 attention tensor: looked for transformer\.h\.0\.attn\.c_attn\.weight or h\.0\.attn\.c_attn\.weight/);
      await rejects(loadModel([1, 2], weightsOf('gpt2')), /config\.json must hold a JSON object/);
    });

    it('more tokens than the model has positions, a layer it lacks, a token outside its vocabulary', async () => {
      const model = await loadModel(configOf('gpt2'), weightsOf('gpt2'));
      await rejects(model.qkvAt(new Array(65).fill(1), 0), /65 tokens, but the model takes at most 64 \(n_positions\): use a shorter text/);
      await rejects(model.qkvAt([1, 2], 3), /layer 3 does not exist: the model has 3 layers, 0 to 2/);
      await rejects(model.qkvAt([1, 4000], 0), /token 4000 \(at position 1\) is not in the model's vocabulary of \d+/);
      await rejects(model.qkvAt([], 0), /no tokens/);
      const bert = await loadModel(configOf('bert'), weightsOf('bert'));
      await rejects(bert.qkvAt(new Array(65).fill(1), 0), /at most 64 \(max_position_embeddings\)/);
    });

    it('config values of the wrong kind, and settings not computed here, by name', async () => {
      await rejects(loadModel({ ...configOf('gpt2'), n_head: 4.5 }, weightsOf('gpt2')), /config\.json's n_head is 4\.5; expected a positive integer/);
      await rejects(loadModel({ ...configOf('gpt2'), n_head: 5 }, weightsOf('gpt2')), /hidden size 32 is not a multiple of the 5 heads/);
      await rejects(loadModel({ ...configOf('gpt2'), activation_function: 'mish' }, weightsOf('gpt2')), /activation "mish" is not one the forward pass computes/);
      await rejects(loadModel({ ...configOf('llama'), rope_scaling: { rope_type: 'yarn', factor: 4 } }, weightsOf('llama')), /rope_scaling "yarn" is not computed here/);
      await rejects(loadModel({ ...configOf('llama'), num_key_value_heads: 3 }, weightsOf('llama')), /4 query heads cannot share 3 key\/value heads/);
      await rejects(loadModel({ ...configOf('bert'), position_embedding_type: 'relative_key' }, weightsOf('bert')), /position_embedding_type is "relative_key"; only "absolute"/);
      const mistral = await loadModel({ ...configOf('llama'), model_type: 'mistral', sliding_window: 8 }, weightsOf('llama'));
      await rejects(mistral.qkvAt(tokens(), 0), /21 tokens, but the model takes at most 8 \(sliding_window\)/);
    });

    it('cancels between layers, and reports progress', async () => {
      const model = await loadModel(configOf('llama'), weightsOf('llama'));
      const seen: string[] = [];
      await model.qkvAt(tokens(), 2, { onProgress: (p) => seen.push(`${p.done}/${p.total} ${p.what}`) });
      assert.deepEqual(seen, ['1/4 embeddings', '2/4 layer 0 of 3', '3/4 layer 1 of 3', '4/4 Q/K/V of layer 2']);
      const controller = new AbortController();
      await assert.rejects(model.qkvAt(tokens(), 2, { signal: controller.signal, onProgress: (p) => p.done === 2 && controller.abort() }), ForwardCancelledError);
      await assert.rejects(model.qkvAt(tokens(), 0, { signal: AbortSignal.abort() }), ForwardCancelledError);
    });
  });
});
