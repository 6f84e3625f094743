/**
 * Real models' checkpoints and attention, in pure TypeScript (no vscode, DOM or Node API).
 *
 * Reading (one module per format, by byte range: safetensors, PyTorch, .npz/.npy, pickle, GGUF, ONNX): openCheckpointSource(source) sniffs and opens a
 * file as an OpenedCheckpoint (tensor names, dtypes, shapes, lazy read); openFolder for model
 * folders (sharded safetensors through their index); weightsOf(checkpoint) is its WeightProvider;
 * forwardInputs(checkpoint, configJson, file) the config and weights loadModel takes (a GGUF file's
 * from its metadata, its llama.cpp names and Q/K row order mapped back to Hugging Face's).
 *
 * Running:
 *
 *   const model = await loadModel(configJson | undefined, weights, { heads? });
 *       Recognises GPT-2, Llama (and Mistral), BERT or GPT-NeoX from config.json's model_type, else
 *       from the tensor names; `weights` is any WeightProvider (the checkpoint readers give one).
 *   const qkv = await model.qkvAt(tokens, layer, { signal?, onProgress? });
 *       Embeddings and the blocks before `layer`, then that layer's per-head Q, K, V
 *       [heads, n, headDim] after its input norm and RoPE (grouped-query K/V repeated per query head).
 *   model.inputOf(tokens, layer)   the hidden state entering a layer
 *   projectQkv(weights, choice, input, n)   Q/K/V of an unknown architecture: the caller names the
 *                                  projections ({ q, k, v } or { qkv }), the heads, and gives the input
 *   denseAttention(qkv)            the model's own attention probabilities [heads, n, n]
 *   patternAttention(qkv, mask)    the same softmax restricted to a pattern (src/core's PatternMask)
 *   sparseKernelInput(qkv)         Q/K/V for src/core's sparse kernels (CPU, SIMD, gpu.js), at the model's scale
 *   coverage(dense, mask)          per head, the share of the dense mass inside the pattern
 *                                  (mean over rows, the worst rows), and the layer's mean
 *   modelTokenizer(tokenizerJson | undefined)     tokens from a model folder's tokenizer.json
 *                                  (ByteLevelBpe), else GPT-2's BPE
 *
 * Every refusal is a ModelError whose message says what is wrong and what to do.
 */
export { loadModel, Model, ForwardCancelledError } from './model';
export type { ForwardProgress, QkvOptions } from './model';
export { denseAttention, patternAttention, coverage, attentionOutput, sparseKernelInput } from './attention';
export type { AttentionMaps, HeadCoverage, LayerCoverage, RowShare } from './attention';
export { projectionOutputs, projectQkv } from './projection';
export type { ProjectionChoice } from './projection';
export { ByteLevelBpe } from './bpe';
export { modelTokenizer } from './tokens';
export type { ModelTokenizer, TokenizerOptions } from './tokens';
export { ggufForward, ggufSummary, hfNameOf, unpermuteRows } from './ggufLlama';
export { gpt2NameOf } from './ggufGpt2';
export type { GgufForward } from './ggufLlama';
export { ggufTokenizer } from './ggufTokenizer';
export type { GgufTokenizer } from './ggufTokenizer';
export { ModelError, UnknownArchitectureError, weightsInMemory } from './weights';
export type { WeightProvider } from './weights';
export type { LayerQkv } from './layerQkv';
export { ARCHITECTURES } from './architectures';
export type { ArchitectureName, ModelHints, ModelInfo } from './architectures';
export * from './types';
export { toFloat32 } from './dtype';
export { CHECKPOINT_FORMATS, openCheckpointSource, sniffFormat } from './registry';
export { openFolder } from './folder';
export type { FolderAccess, OpenedFolder } from './folder';
export { summarizeConfig } from './modelConfig';
export type { ModelSummary } from './modelConfig';
export { forwardInputs, weightsOf } from './checkpointWeights';
