import { strict as assert } from 'assert';
import { orList } from '../../src/core/patterns/spec';
import { buildPattern, ConfigError, DeepSpeedBSLongformerConfig, DeepSpeedFixedConfig, DeepSpeedVariableConfig, defaultConfig, FactorizedConfig, PATTERN_NAMES, PatternConfig, validateConfig } from '../../src/core';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });
const variable = (over: Partial<DeepSpeedVariableConfig>): DeepSpeedVariableConfig => ({ ...(defaultConfig('deepspeed-variable') as DeepSpeedVariableConfig), ...over });
const longformer = (over: Partial<DeepSpeedBSLongformerConfig>): DeepSpeedBSLongformerConfig => ({ ...(defaultConfig('deepspeed-bslongformer') as DeepSpeedBSLongformerConfig), ...over });
const ds = (over: Partial<DeepSpeedFixedConfig>): DeepSpeedFixedConfig => ({ ...(defaultConfig('deepspeed-fixed') as DeepSpeedFixedConfig), ...over });

function messages(config: PatternConfig): string[] {
  return validateConfig(config).map((i) => i.message);
}

describe('validation: typed errors with a human message, tied to a field', () => {
  const cases: Array<[string, PatternConfig, string, string]> = [
    ['c > l', fixed({ c: 12, stride: 8 }), 'c', 'c (12) must be <= l (8)'],
    ['K*c > l', fixed({ c: 10, stride: 32, subblocks: 4 }), 'subblocks', 'subblocks*c (40) exceeds l (32): heads cannot have distinct summary sub-blocks'],
    ['n not integer', fixed({ n: 2.5 }), 'n', 'n must be an integer (got 2.5)'],
    ['n < 1', fixed({ n: 0 }), 'n', 'n must be >= 1 (got 0)'],
    ['heads < 1', fixed({ heads: 0 }), 'heads', 'heads must be >= 1 (got 0)'],
    ['stride < 1', fixed({ stride: 0 }), 'stride', 'stride l must be >= 1 (got 0)'],
    ['c < 1', fixed({ c: 0 }), 'c', 'c must be >= 1 (got 0)'],
    ['negative layer', fixed({ layer: -1 }), 'layer', 'layer must be >= 0 (got -1)'],
    ['bad mode', fixed({ mode: 'sideways' as never }), 'mode', 'mode must be merged, split or interleaved (got sideways)'],
    ['huge n', fixed({ n: 2 ** 25 }), 'n', `n (${2 ** 25}) exceeds the supported maximum of ${2 ** 24} positions`],
    ['port with subblocks', fixed({ pattern: 'lra-fixed', subblocks: 2 }), 'subblocks', 'lra-fixed has one summary set for all heads: use subblocks 1 (got 2)'],
    ['port split', fixed({ pattern: 'fairseq-fixed', mode: 'split' }), 'mode', 'fairseq-fixed builds one merged mask: use mode merged (got split)'],
    ['fairseq n <= l', fixed({ pattern: 'fairseq-fixed', n: 32, stride: 32, c: 4 }), 'n', 'fairseq-fixed asserts n > l: n (32) must exceed l (32)'],
    ['fairseq c == l', fixed({ pattern: 'fairseq-fixed', c: 32, stride: 32 }), 'c', 'fairseq-fixed never advances its checkpoint when c == l: use c < l (got c 32, l 32)'],
    ['jukebox n % l', fixed({ pattern: 'jukebox-summary', n: 100, stride: 32 }), 'n', 'jukebox asserts n_ctx % blocks == 0: n (100) must be a multiple of l (32)'],
    ['openai heads % verts', { pattern: 'openai-fixed', n: 256, heads: 3, block: 32, stride: 128, numVerts: 2, vertsize: 1 }, 'heads', 'OpenAI asserts n_heads % num_verts == 0: heads (3) must be a multiple of num_verts (2)'],
    ['jukebox bidirectional', fixed({ pattern: 'jukebox-summary', bidirectional: true }), 'bidirectional', 'jukebox-summary is autoregressive only: drop --bidirectional'],
    ['openai block', { pattern: 'openai-fixed', n: 256, heads: 4, block: 24, stride: 96, numVerts: 1, vertsize: 1 }, 'block', 'block must be one of 8, 16, 32, 64 (got 24)'],
    ['openai n', { pattern: 'openai-fixed', n: 250, heads: 4, block: 32, stride: 128, numVerts: 1, vertsize: 1 }, 'n', 'n (250) must be a multiple of block (32)'],
    ['openai stride', { pattern: 'openai-fixed', n: 256, heads: 4, block: 32, stride: 100, numVerts: 1, vertsize: 1 }, 'stride', 'stride l (100) must be a multiple of block (32)'],
    ['openai verts', { pattern: 'openai-fixed', n: 256, heads: 4, block: 32, stride: 128, numVerts: 5, vertsize: 1 }, 'numVerts', 'num_verts*vertsize*block (160) exceeds l (128): heads cannot have distinct summary sub-blocks'],
    ['openai vertsize', { pattern: 'openai-fixed', n: 256, heads: 4, block: 32, stride: 96, numVerts: 1, vertsize: 2 }, 'vertsize', "l/block (3) must be a multiple of vertsize (2): OpenAI reshapes the window's blocks into groups of vertsize"],
    ['ds layout too large', ds({ n: 2 ** 20, heads: 2 }), 'block', 'the block layout [2, 65536, 65536] would need 8,192 MiB (limit 256 MiB): use a larger block, fewer heads or a smaller n'],
    ['openai layout too large', { pattern: 'openai-fixed', n: 2 ** 20, heads: 4, block: 16, stride: 256, numVerts: 4, vertsize: 1 }, 'block', 'the block layout [4, 65536, 65536] would need 16,384 MiB (limit 256 MiB): use a larger block, fewer heads or a smaller n'],
    ['ds global 0 (Python)', ds({ numGlobalBlocks: 0 }), 'numGlobalBlocks', "integer modulo by zero: DeepSpeed computes num_local_blocks % num_global_blocks (Python's ZeroDivisionError)"],
    ['ds local 0', ds({ numLocalBlocks: 0 }), 'numDifferentGlobalPatterns', 'Number of layout versions (num_different_global_patterns), 1, cannot be larger than number of local window blocks divided by number of global blocks, 0 / 1 = 0!'],
    ['ds global < 0', ds({ numLocalBlocks: 4, numGlobalBlocks: -1 }), 'numDifferentGlobalPatterns', 'Number of layout versions (num_different_global_patterns), 1, cannot be larger than number of local window blocks divided by number of global blocks, 4 / -1 = -4!'],
    ['ds local -3 global 2 (Python modulo)', ds({ numLocalBlocks: -3, numGlobalBlocks: 2 }), 'numGlobalBlocks', 'Number of blocks in a local window, -3, must be dividable by number of global blocks, 2!'],
    ['ds both negative', ds({ numLocalBlocks: -4, numGlobalBlocks: -2 }), 'numLocalBlocks', 'num_local_blocks (-4) and num_global_blocks (-2) must be positive: DeepSpeed accepts these but builds an empty layout'],
    ['variable random blocks', variable({ numRandomBlocks: 2 }), 'numRandomBlocks', "num_random_blocks (2): DeepSpeed draws them with Python's random.sample, which no other tool reproduces; use 0 to see the deterministic part"],
    ['variable as many random blocks as blocks (DeepSpeed allows it)', variable({ numRandomBlocks: 16 }), 'numRandomBlocks', "num_random_blocks (16): DeepSpeed draws them with Python's random.sample, which no other tool reproduces; use 0 to see the deterministic part"],
    ['variable more random blocks than blocks', variable({ numRandomBlocks: 20 }), 'numRandomBlocks', 'Number of random blocks, 20, must be smaller than overall number of blocks in a row, 16!'],
    ['variable end indices length', variable({ globalBlockIndices: [0], globalBlockEndIndices: [2, 4] }), 'globalBlockEndIndices', 'Global block start indices length, 1, must be same as global block end indices length, 2!'],
    ['variable start >= end', variable({ globalBlockIndices: [3], globalBlockEndIndices: [3] }), 'globalBlockEndIndices', 'Global block start index, 3, must be smaller than global block end index, 3!'],
    ['variable no windows', variable({ localWindowBlocks: [] }), 'localWindowBlocks', 'local_window_blocks needs at least one value'],
    ['bslongformer window > blocks', longformer({ numSlidingWindowBlocks: 20 }), 'numSlidingWindowBlocks', 'Number of sliding window blocks, 20, must be smaller than overall number of blocks in a row, 16!'],
    ['ds seq', ds({ n: 100 }), 'n', 'Sequence Length, 100, needs to be dividable by Block size 16!'],
    ['ds local/global', ds({ numLocalBlocks: 4, numGlobalBlocks: 3 }), 'numGlobalBlocks', 'Number of blocks in a local window, 4, must be dividable by number of global blocks, 3!'],
    ['ds attention', ds({ attention: 'sideways' }), 'attention', 'only "uni/bi-directional" attentions are supported for now!'],
    ['ds horizontal', ds({ attention: 'unidirectional', horizontalGlobalAttention: true }), 'horizontalGlobalAttention', 'only "bi-directional" attentions can support horizontal global attention!'],
    ['ds ndgp single', ds({ numDifferentGlobalPatterns: 2 }), 'numDifferentGlobalPatterns', 'Number of different layouts cannot be more than one when you have set a single layout for all heads! Set different_layout_per_head to True.'],
    ['ds ndgp too many', ds({ numDifferentGlobalPatterns: 5, differentLayoutPerHead: true }), 'numDifferentGlobalPatterns', 'Number of layout versions (num_different_global_patterns), 5, cannot be larger than number of local window blocks divided by number of global blocks, 4 / 1 = 4!'],
  ];
  for (const [name, config, field, message] of cases) {
    it(`${name}: ${message}`, () => {
      const issues = validateConfig(config);
      assert.ok(issues.some((i) => i.field === field && i.message === message), JSON.stringify(issues));
      assert.throws(() => buildPattern(config), (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.message === message));
    });
  }

  it('DeepSpeed Fixed raises exactly one error for each bad local/global pair (the first DeepSpeed would raise)', () => {
    assert.deepEqual(messages(ds({ numLocalBlocks: -3, numGlobalBlocks: 2 })), ['Number of blocks in a local window, -3, must be dividable by number of global blocks, 2!']);
    assert.deepEqual(messages(ds({ numLocalBlocks: 4, numGlobalBlocks: 3 })), ['Number of blocks in a local window, 4, must be dividable by number of global blocks, 3!']);
    assert.deepEqual(messages(ds({ numGlobalBlocks: 0 })), ["integer modulo by zero: DeepSpeed computes num_local_blocks % num_global_blocks (Python's ZeroDivisionError)"]);
    assert.deepEqual(messages(ds({ numLocalBlocks: -4, numGlobalBlocks: -2 })), ['num_local_blocks (-4) and num_global_blocks (-2) must be positive: DeepSpeed accepts these but builds an empty layout']);
    assert.deepEqual(messages(ds({ numLocalBlocks: 4, numGlobalBlocks: 2, numDifferentGlobalPatterns: 2, differentLayoutPerHead: true })), []);
    assert.deepEqual(messages(ds({ numLocalBlocks: 4, numGlobalBlocks: 2, numDifferentGlobalPatterns: 3, differentLayoutPerHead: true })), [
      'Number of layout versions (num_different_global_patterns), 3, cannot be larger than number of local window blocks divided by number of global blocks, 4 / 2 = 2!',
    ]);
  });

  it("each refusal is exactly one issue on its field; a preset's own rules wait until every parameter passed its check", () => {
    assert.deepEqual(validateConfig(fixed({ stride: 0 })), [{ field: 'stride', message: 'stride l must be >= 1 (got 0)' }]);
    assert.deepEqual(validateConfig(fixed({ heads: 2000 })), [{ field: 'heads', message: 'heads (2000) exceeds the supported maximum of 1024' }]);
    assert.deepEqual(validateConfig({ ...fixed({}), pattern: 'nope' } as unknown as PatternConfig), [{ field: 'pattern', message: `unknown pattern "nope"; choose one of ${PATTERN_NAMES.join(', ')}` }]);
    // A fractional size is shown to one decimal.
    assert.deepEqual(validateConfig(ds({ n: 160000, heads: 3 })), [
      { field: 'block', message: 'the block layout [3, 10000, 10000] would need 286.1 MiB (limit 256 MiB): use a larger block, fewer heads or a smaller n' },
    ]);
    assert.deepEqual(defaultConfig(), defaultConfig('fixed'));
  });

  it('limits are inclusive: 1024 heads and n = 2^24 pass, one more is refused; an unknown pattern is named', () => {
    assert.deepEqual(messages(fixed({ heads: 1024 })), []);
    assert.deepEqual(messages(fixed({ heads: 1025 })), ['heads (1025) exceeds the supported maximum of 1024']);
    assert.deepEqual(messages(fixed({ n: 2 ** 24 })), []);
    assert.deepEqual(messages({ ...fixed({}), pattern: 'nope' } as unknown as PatternConfig), [
      `unknown pattern "nope"; choose one of ${PATTERN_NAMES.join(', ')}`,
    ]);
  });

  it('ConfigError carries every issue and says them all in one line', () => {
    const error = new ConfigError([
      { field: 'c', message: 'c (9) must be <= l (8)' },
      { field: 'n', message: 'n must be >= 1 (got 0)' },
    ]);
    assert.equal(error.name, 'ConfigError');
    assert.equal(error.message, 'c (9) must be <= l (8); n must be >= 1 (got 0)');
    assert.equal(error.issues.length, 2);
  });

  it('the layout size is checked only for block presets, and only once the config is otherwise valid', () => {
    assert.deepEqual(messages(fixed({ n: 2 ** 20, stride: 16, heads: 1024 })), [], 'no layout for the fixed family');
    assert.deepEqual(messages(ds({ n: 2 ** 20 + 1, heads: 2 })), ['Sequence Length, 1048577, needs to be dividable by Block size 16!']);
  });

  it('a layout at the limit is built: [16, 4096, 4096] is 256 MiB', () => {
    assert.deepEqual(messages(ds({ n: 65536, heads: 16 })), []);
    assert.equal(messages(ds({ n: 65536 + 16, heads: 16 })).length, 1);
  });

  it("each parameter's own check: the type first (integer, true/false, list of integers), then the bound; an optional list may be empty", () => {
    const odd = <C>(config: C, over: Record<string, unknown>) => ({ ...config, ...over }) as unknown as PatternConfig;
    assert.deepEqual(validateConfig(odd(fixed({}), { stride: 2.5 })), [{ field: 'stride', message: 'stride l must be an integer (got 2.5)' }]);
    assert.deepEqual(validateConfig(odd(fixed({}), { stride: '8' })), [{ field: 'stride', message: 'stride l must be an integer (got 8)' }]);
    assert.deepEqual(validateConfig(odd(fixed({}), { bidirectional: 'yes' })), [{ field: 'bidirectional', message: 'bidirectional must be true or false (got yes)' }]);
    assert.deepEqual(validateConfig(odd(fixed({}), { layer: 0 })), [], 'the bound is inclusive');
    assert.deepEqual(validateConfig(odd(variable({}), { localWindowBlocks: [4, 1.5] })), [
      { field: 'localWindowBlocks', message: 'local_window_blocks must be a list of integers, e.g. 4, 8 (got 4,1.5)' },
    ]);
    assert.deepEqual(validateConfig(odd(variable({}), { localWindowBlocks: 4 })), [{ field: 'localWindowBlocks', message: 'local_window_blocks must be a list of integers, e.g. 4, 8 (got 4)' }]);
    assert.deepEqual(validateConfig(odd(variable({}), { localWindowBlocks: ['4'] })), [
      { field: 'localWindowBlocks', message: 'local_window_blocks must be a list of integers, e.g. 4, 8 (got 4)' },
    ]);
    assert.deepEqual(validateConfig(odd(variable({}), { localWindowBlocks: [4, 0] })), [{ field: 'localWindowBlocks', message: 'local_window_blocks must hold integers >= 1 (got 4, 0)' }]);
    assert.deepEqual(validateConfig(odd(variable({}), { localWindowBlocks: [1] })), [], 'the bound holds each element, inclusive');
    assert.deepEqual(validateConfig(odd(variable({}), { globalBlockIndices: [], globalBlockEndIndices: [] })), [], 'optional lists may be empty');
    assert.deepEqual(validateConfig(odd(variable({}), { globalBlockIndices: [-1], globalBlockEndIndices: [] })), [
      { field: 'globalBlockIndices', message: 'global_block_indices must hold integers >= 0 (got -1)' },
    ]);
  });

  it('lists choices the way messages say them: "a", "a or b", "a, b or c"', () => {
    assert.deepEqual([[], ['a'], ['a', 'b'], ['a', 'b', 'c']].map(orList), ['', 'a', 'a or b', 'a, b or c']);
  });

  it('every default config is valid', () => {
    for (const p of PATTERN_NAMES) {
      assert.deepEqual(messages(defaultConfig(p)), [], p);
    }
  });
});
