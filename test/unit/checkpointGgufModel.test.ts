/**
 * GGUF files as models (src/model/ggufLlama.ts, ggufTokenizer.ts), in-process: llama.cpp's names
 * and Q/K row order mapped back to the Hugging Face state dict make_gguf.py converted, the
 * tokenizer rebuilt from metadata, the config from `llama.*`, and what is refused, by name.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { FolderAccess, GgufValue, gpt2NameOf, ggufForward, ggufSummary, ggufTokenizer, hfNameOf, loadModel, memorySource, ModelError, modelTokenizer, openCheckpointSource, openFolder, DEFAULT_LIMITS, unpermuteRows, forwardInputs, ByteLevelBpe } from '../../src/model';
import { floats, integers, readNpz } from '../support/npz';
import { CHECKPOINTS } from '../support/checkpoints';

const MODELS = join(__dirname, '../fixtures/models');
const TEXT = readFileSync(join(MODELS, 'text.txt'), 'utf8');

async function openGgufFile(name: string) {
  return openCheckpointSource(memorySource(new Uint8Array(readFileSync(join(CHECKPOINTS, name))), name));
}

/** A GGUF-like checkpoint in memory: metadata and tensors, for the refusals. */
function fake(values: Record<string, GgufValue>, tensors: Record<string, number[]> = {}) {
  return {
    ggufMetadata: new Map(Object.entries(values)),
    tensors: Object.entries(tensors).map(([name, shape]) => ({ name, dtype: 'F32' as const, shape, byteLength: 0 })),
    read: async (name: string) => new Float32Array(tensors[name].reduce((a, b) => a * b, 1)),
  };
}

const LLAMA_KEYS: Record<string, GgufValue> = {
  'general.architecture': 'llama',
  'llama.block_count': 1,
  'llama.embedding_length': 8,
  'llama.attention.head_count': 2,
  'llama.attention.layer_norm_rms_epsilon': 1e-5,
};

describe('GGUF models (llama.cpp names and layout mapped onto the Llama network)', () => {
  it('names: gguf-py\'s tensor_mapping for Llama, back to Hugging Face\'s; others are left alone', () => {
    assert.equal(hfNameOf('token_embd.weight'), 'model.embed_tokens.weight');
    assert.equal(hfNameOf('output_norm.weight'), 'model.norm.weight');
    assert.equal(hfNameOf('output.weight'), 'lm_head.weight');
    assert.equal(hfNameOf('blk.11.attn_norm.weight'), 'model.layers.11.input_layernorm.weight');
    assert.equal(hfNameOf('blk.0.attn_q.bias'), 'model.layers.0.self_attn.q_proj.bias');
    assert.equal(hfNameOf('blk.2.attn_output.weight'), 'model.layers.2.self_attn.o_proj.weight');
    assert.equal(hfNameOf('blk.2.ffn_norm.weight'), 'model.layers.2.post_attention_layernorm.weight');
    assert.equal(hfNameOf('blk.2.ffn_gate.weight'), 'model.layers.2.mlp.gate_proj.weight');
    assert.equal(hfNameOf('blk.2.ffn_down.weight'), 'model.layers.2.mlp.down_proj.weight');
    assert.equal(hfNameOf('rope_freqs.weight'), undefined);
    assert.equal(hfNameOf('blk.0.ffn_gate_exps.weight'), undefined);
  });

  it('unpermuteRows undoes LlamaModel.permute: reshape(heads, 2, hd/2, cols).swapaxes(1, 2)', () => {
    // Rows 0..7 (2 heads of 4), each row [r, 10r]. permute puts HF rows 0,2,1,3 | 4,6,5,7 in GGUF order.
    const hf = Float32Array.from({ length: 16 }, (_, k) => (k % 2 ? 10 : 1) * Math.floor(k / 2));
    const gguf = Float32Array.from([0, 2, 1, 3, 4, 6, 5, 7].flatMap((r) => [r, 10 * r]));
    assert.deepEqual(unpermuteRows(gguf, 8, 2), hf);
    // A bias (one column) the same way; rows that do not split into even heads are refused.
    assert.deepEqual(Array.from(unpermuteRows(Float32Array.from([0, 2, 1, 3]), 4, 1)), [0, 1, 2, 3]);
    assert.throws(() => unpermuteRows(new Float32Array(6), 6, 2), /6 Q\/K rows do not split into 2 heads of an even size/);
  });

  it('llama-f32.gguf read through the mapping is the state dict make.py wrote, exactly (Q and K un-permuted, grouped-query K with 2 heads)', async () => {
    const checkpoint = await openGgufFile('llama-f32.gguf');
    const { config, weights } = ggufForward(checkpoint, 'llama-f32.gguf');
    const state = readNpz(join(MODELS, 'llama', 'weights.npz'));
    assert.deepEqual(new Set(weights.names()), new Set(state.keys()));
    for (const name of state.keys()) {
      assert.deepEqual(weights.shape(name), state.get(name)!.shape, name);
      assert.deepEqual(await weights.read(name), floats(state, name), name);
    }
    // The stored Q rows really are permuted: read raw, layer 0's Q differs from the state dict.
    assert.notDeepEqual(await checkpoint.read('blk.0.attn_q.weight'), floats(state, 'model.layers.0.self_attn.q_proj.weight'));
    const hf = JSON.parse(readFileSync(join(MODELS, 'llama', 'config.json'), 'utf8'));
    for (const key of ['model_type', 'hidden_size', 'num_attention_heads', 'num_key_value_heads', 'num_hidden_layers', 'head_dim', 'intermediate_size', 'max_position_embeddings', 'rope_theta', 'hidden_act']) {
      assert.equal(config[key], hf[key], key);
    }
    assert.ok(Math.abs((config.rms_norm_eps as number) - hf.rms_norm_eps) < 1e-12);
    const model = await loadModel(config, weights);
    assert.deepEqual([model.info.layers, model.info.heads, model.info.kvHeads, model.info.vocab, model.info.tokenLimit?.count], [3, 4, 2, 329, 64]);
  });

  it('gpt2-f32.gguf (GPT2Model\'s conversion) read through the mapping is the GPT-2 state dict, Conv1D weights transposed back', async () => {
    assert.deepEqual(gpt2NameOf('blk.3.attn_qkv.weight'), { hf: 'h.3.attn.c_attn.weight', transposed: true });
    assert.deepEqual(gpt2NameOf('blk.3.attn_qkv.bias'), { hf: 'h.3.attn.c_attn.bias', transposed: false });
    assert.deepEqual(gpt2NameOf('position_embd.weight'), { hf: 'wpe.weight', transposed: false });
    const checkpoint = await openGgufFile('gpt2-f32.gguf');
    const { config, weights } = ggufForward(checkpoint, 'gpt2-f32.gguf');
    const state = readNpz(join(MODELS, 'gpt2', 'weights.npz'));
    // The tied output (lm_head) is in the file; everything else is the state dict without `transformer.`.
    assert.deepEqual(new Set(weights.names()), new Set([...[...state.keys()].map((k) => k.replace(/^transformer\./, '')), 'lm_head.weight']));
    for (const name of state.keys()) {
      const hf = name.replace(/^transformer\./, '');
      assert.deepEqual(weights.shape(hf), state.get(name)!.shape, name);
      assert.deepEqual(await weights.read(hf), floats(state, name), name);
    }
    assert.deepEqual([config.model_type, config.n_embd, config.n_head, config.n_layer, config.n_positions, config.n_inner], ['gpt2', 32, 4, 3, 64, 128]);
    const model = await loadModel(config, weights);
    assert.deepEqual([model.architecture, model.info.layers, model.info.heads, model.info.vocab], ['gpt2', 3, 4, 329]);
  });

  it('the GGUF\'s own byte-level BPE (tokenizer.ggml.*) tokenizes as tokenizer.json does; the summary comes from llama.* keys', async () => {
    const checkpoint = await openGgufFile('llama-q8_0.gguf');
    const tokenizer = ggufTokenizer(checkpoint.ggufMetadata!, 'llama-q8_0.gguf');
    assert.ok(tokenizer.json, tokenizer.refusal);
    const fromGguf = modelTokenizer(tokenizer.json, { fromGguf: true });
    assert.equal(fromGguf.source, 'GGUF metadata');
    assert.deepEqual(fromGguf.encode(TEXT), integers(readNpz(join(MODELS, 'expected', 'llama.npz')), 'tokens'));
    const fromJson = new ByteLevelBpe(JSON.parse(readFileSync(join(MODELS, 'llama', 'tokenizer.json'), 'utf8')));
    for (const text of ['café_2024!', ' the  lazy\n\tdog<|endoftext|>x', 'ünïcödé 🦙']) assert.deepEqual(fromGguf.encode(text), fromJson.encode(text), text);
    assert.equal(fromGguf.decode(fromGguf.encode(TEXT)), TEXT);
    assert.deepEqual(ggufSummary(checkpoint), { architecture: 'llama', layers: 3, heads: 4, kvHeads: 2, hidden: 32, headDim: 8, source: 'GGUF metadata' });
  });

  it('tokenizers: SentencePiece without scores and unknown pre-tokenizers refused with what to do; llama-bpe adds BOS unless add_bos_token is false', () => {
    const base = { 'tokenizer.ggml.tokens': ['a', 'b', 'ab', '<s>'], 'tokenizer.ggml.merges': ['a b'], 'tokenizer.ggml.token_type': [1, 1, 1, 3] };
    const spm = ggufTokenizer(new Map(Object.entries({ ...base, 'tokenizer.ggml.model': 'llama' })), 'm.gguf');
    assert.match(spm.refusal!, /^m\.gguf has no tokenizer\.ggml\.scores, one number per token, which SentencePiece merging needs: put the model's tokenizer\.json beside the file, or give token ids with --tokens$/);
    const qwen = ggufTokenizer(new Map(Object.entries({ ...base, 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'qwen2' })), 'm.gguf');
    assert.match(qwen.refusal!, /tokenizer\.ggml\.pre "qwen2", which the inspector does not know/);
    assert.match(ggufTokenizer(new Map(), 'm.gguf').refusal!, /carries no tokenizer/);
    const noMerges = ggufTokenizer(new Map(Object.entries({ 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.tokens': ['a'] })), 'm.gguf');
    assert.match(noMerges.refusal!, /no tokenizer\.ggml\.merges list of strings/);
    const llama3 = ggufTokenizer(new Map(Object.entries({ ...base, 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'llama-bpe', 'tokenizer.ggml.bos_token_id': 3 })), 'm.gguf');
    const bpe = modelTokenizer(llama3.json, { fromGguf: true });
    assert.deepEqual(bpe.encode('ab<s>ab'), [3, 2, 3, 2]);
    // add_bos_token false overrides llama-bpe's default.
    const noBos = ggufTokenizer(new Map(Object.entries({ ...base, 'tokenizer.ggml.model': 'gpt2', 'tokenizer.ggml.pre': 'llama-bpe', 'tokenizer.ggml.bos_token_id': 3, 'tokenizer.ggml.add_bos_token': false })), 'm.gguf');
    assert.deepEqual(modelTokenizer(noBos.json).encode('ab'), [2]);
    // No tokenizer at all: text is refused with the reason, ids are labelled.
    const none = modelTokenizer(undefined, { refusal: 'no tokenizer here' });
    assert.throws(() => none.encode('hi'), (e: Error) => e instanceof ModelError && e.message === 'no tokenizer here');
    assert.deepEqual(none.labels([5, 7]), ['#5', '#7']);
  });

  it('refuses, naming the key: other architectures, missing sizes, per-layer arrays, RoPE scaling, experts, partial rotary', () => {
    const cases: Array<[Record<string, GgufValue>, Record<string, number[]>, RegExp]> = [
      [{ 'general.architecture': 'phi3' }, {}, /m\.gguf: general\.architecture is "phi3"; the inspector runs GGUF files of the llama \(Llama, Mistral\) and gpt2 architectures only/],
      [{ 'general.architecture': 'gpt2', 'gpt2.block_count': 1, 'gpt2.attention.head_count': 2 }, {}, /m\.gguf has no gpt2\.embedding_length, which its architecture needs/],
      [{}, {}, /general\.architecture is missing/],
      [{ ...LLAMA_KEYS, 'llama.embedding_length': undefined as unknown as GgufValue }, {}, /m\.gguf has no llama\.embedding_length, which its architecture needs: is it a complete llama\.cpp conversion\?/],
      [{ ...LLAMA_KEYS, 'llama.attention.head_count_kv': [1, 2] }, {}, /llama\.attention\.head_count_kv is an array of 2; the inspector needs one positive integer/],
      [{ ...LLAMA_KEYS, 'llama.attention.layer_norm_rms_epsilon': 'x' }, {}, /layer_norm_rms_epsilon is "x"; expected a positive number/],
      [{ ...LLAMA_KEYS, 'llama.rope.scaling.type': 'linear' }, {}, /llama\.rope\.scaling\.type is "linear"; only plain RoPE is computed/],
      [LLAMA_KEYS, { 'rope_freqs.weight': [2] }, /holds rope_freqs\.weight \(Llama 3\.1-style RoPE scaling\)/],
      [{ ...LLAMA_KEYS, 'llama.expert_count': 8 }, {}, /is a mixture of experts/],
      [{ ...LLAMA_KEYS, 'llama.rope.dimension_count': 2 }, {}, /llama\.rope\.dimension_count is 2 but the heads have 4 dimensions/],
      [{ ...LLAMA_KEYS, 'llama.attention.value_length': 8 }, {}, /value_length 8 differs from the key length 4/],
    ];
    for (const [values, tensors, message] of cases) {
      const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
      assert.throws(() => ggufForward(fake(defined, tensors), 'm.gguf'), (e: Error) => e instanceof ModelError && message.test(e.message), String(message));
    }
    // The rest is a Llama: u64 counts (bigint) are read, head_count_kv defaults to the heads.
    const { config } = ggufForward(fake({ ...LLAMA_KEYS, 'llama.block_count': 2n }), 'm.gguf');
    assert.deepEqual([config.num_hidden_layers, config.num_key_value_heads, config.head_dim, config.rope_theta], [2, 2, 4, 10000]);
  });

  it('forwardInputs: a GGUF checkpoint through the mapping, any other as it is with config.json', async () => {
    const gguf = await openGgufFile('llama-f16.gguf');
    assert.ok(forwardInputs(gguf, { model_type: 'gpt2' }, 'llama-f16.gguf').weights.names().includes('model.layers.0.self_attn.q_proj.weight'));
    const other = await openCheckpointSource(memorySource(new Uint8Array(readFileSync(join(CHECKPOINTS, 'views.safetensors'))), 'views.safetensors'));
    const config = { model_type: 'gpt2' };
    const inputs = forwardInputs(other, config, 'views.safetensors');
    assert.equal(inputs.config, config);
    assert.deepEqual(inputs.weights.names(), other.tensors.map((t) => t.name));
  });

  it('a model folder\'s only .gguf is its weights; next to another weight file it is one of several', async () => {
    const bytes = new Uint8Array(readFileSync(join(CHECKPOINTS, 'llama-f16.gguf')));
    const folder = (names: string[]): FolderAccess => ({ name: 'm', list: async () => names, open: async (name) => memorySource(bytes, name) });
    const opened = await openFolder(folder(['README.md', 'config.json', 'Llama-F16.gguf']), DEFAULT_LIMITS);
    assert.deepEqual(opened.files, ['Llama-F16.gguf']);
    assert.equal(opened.checkpoint.format, 'gguf');
    await assert.rejects(openFolder(folder(['a.gguf', 'b.gguf']), DEFAULT_LIMITS), /holds several weight files \(a\.gguf, b\.gguf\)/);
    await assert.rejects(openFolder(folder(['README.md']), DEFAULT_LIMITS), /holds no weight file \(\.safetensors, \.gguf,/);
  });
});
