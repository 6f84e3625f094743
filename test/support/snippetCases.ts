/** The torch snippet cases: every preset, each mode and direction it supports (torch.test.ts runs them, snippetText.test.ts pins their text). */
import { DeepSpeedBSLongformerConfig, DeepSpeedFixedConfig, DeepSpeedVariableConfig, defaultConfig, FactorizedConfig, PatternConfig } from '../../src/core';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });
const ds = (over: Partial<DeepSpeedFixedConfig>): DeepSpeedFixedConfig => ({ ...(defaultConfig('deepspeed-fixed') as DeepSpeedFixedConfig), ...over });

/** Every preset, each mode and direction it supports. */
export function snippetCases(): Array<[string, PatternConfig]> {
  const list: Array<[string, PatternConfig]> = [];
  const base = { n: 70, stride: 8, c: 2, heads: 4 };
  for (const bidirectional of [false, true]) {
    for (const mode of ['merged', 'split', 'interleaved'] as const) {
      for (const layer of mode === 'interleaved' ? [0, 1] : [0]) {
        list.push([`fixed ${mode} ${layer} ${bidirectional}`, fixed({ ...base, subblocks: 3, mode, layer, bidirectional })]);
        list.push([`strided ${mode} ${layer} ${bidirectional}`, fixed({ ...base, pattern: 'strided', mode, layer, bidirectional })]);
      }
    }
    list.push([`local ${bidirectional}`, fixed({ ...base, pattern: 'local', bidirectional })]);
    list.push([`dense ${bidirectional}`, fixed({ ...base, pattern: 'dense', bidirectional })]);
    if (!bidirectional) list.push(['lra', fixed({ ...base, pattern: 'lra-fixed' })]); // LRA is causal only
    list.push([`fairseq ${bidirectional}`, fixed({ ...base, pattern: 'fairseq-fixed', bidirectional })]);
  }
  for (const mode of ['merged', 'split', 'interleaved'] as const) list.push([`jukebox ${mode}`, fixed({ ...base, n: 72, pattern: 'jukebox-summary', mode, layer: 1 })]); // n % l == 0
  list.push(['openai', { pattern: 'openai-fixed', n: 128, heads: 4, block: 8, stride: 32, numVerts: 2, vertsize: 2 }]);
  list.push(['deepspeed bidirectional', ds({ n: 112, heads: 2, horizontalGlobalAttention: true })]);
  list.push(['deepspeed unidirectional', ds({ n: 128, heads: 3, attention: 'unidirectional', numLocalBlocks: 4, numGlobalBlocks: 2, differentLayoutPerHead: true, numDifferentGlobalPatterns: 2 })]);
  const variable = defaultConfig('deepspeed-variable') as DeepSpeedVariableConfig;
  list.push(['deepspeed-variable', { ...variable, n: 160, localWindowBlocks: [2, 3], globalBlockIndices: [1, 7], attention: 'unidirectional' }]);
  list.push(['deepspeed-variable ranges', { ...variable, n: 160, block: 8, globalBlockIndices: [2, 9], globalBlockEndIndices: [4, 30], horizontalGlobalAttention: true }]);
  const longformer = defaultConfig('deepspeed-bslongformer') as DeepSpeedBSLongformerConfig;
  list.push(['deepspeed-bslongformer', { ...longformer, n: 192, numSlidingWindowBlocks: 4, globalBlockIndices: [0, 5], globalBlockEndIndices: [2, 7], attention: 'unidirectional' }]);
  list.push(['deepspeed-bslongformer single', { ...longformer, globalBlockIndices: [3] }]);
  list.push(['deepspeed-dense', defaultConfig('deepspeed-dense')]);
  return list;
}
