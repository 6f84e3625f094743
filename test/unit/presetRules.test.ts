/**
 * What each preset's spec says beyond its mask: the rule named on hover, causality, the
 * one-window warning, the note, and the build's warnings (none for a valid config).
 */
import { strict as assert } from 'assert';
import {
  buildPattern,
  DeepSpeedBSLongformerConfig,
  DeepSpeedFixedConfig,
  DeepSpeedVariableConfig,
  defaultConfig,
  explainCell,
  FactorizedConfig,
  isCausal,
  OpenAIFixedConfig,
  PatternConfig,
  PatternName,
  PORT_NOTES,
  rowColumns,
  shapeWarnings,
} from '../../src/core';
import { disjointSummaries } from '../../src/core/patterns/fixed';

const factorized = (pattern: PatternName, over: Partial<FactorizedConfig> = {}): FactorizedConfig => ({ ...(defaultConfig(pattern) as FactorizedConfig), ...over });
const ds = (over: Partial<DeepSpeedFixedConfig> = {}): DeepSpeedFixedConfig => ({ ...(defaultConfig('deepspeed-fixed') as DeepSpeedFixedConfig), ...over });
const variable = (over: Partial<DeepSpeedVariableConfig> = {}): DeepSpeedVariableConfig => ({ ...(defaultConfig('deepspeed-variable') as DeepSpeedVariableConfig), ...over });
const longformer = (over: Partial<DeepSpeedBSLongformerConfig> = {}): DeepSpeedBSLongformerConfig => ({ ...(defaultConfig('deepspeed-bslongformer') as DeepSpeedBSLongformerConfig), ...over });
const openai = (over: Partial<OpenAIFixedConfig> = {}): OpenAIFixedConfig => ({ ...(defaultConfig('openai-fixed') as OpenAIFixedConfig), ...over });

/** explainCell's answer, after checking the cell is allowed at all (a masked cell has no rule). */
function ruleOf(config: PatternConfig, h: number, i: number, j: number): string {
  const reason = explainCell(config, h, i, j);
  assert.notEqual(reason, 'masked', `${config.pattern} (${i}, ${j}) should be allowed`);
  return reason;
}

describe('preset specs: rules, causality, window warnings, notes', () => {
  it('deepspeed-fixed names the local window (same window of block × num_local_blocks) or the global block', () => {
    const config = ds(); // block 16, 4 local blocks: windows of 64; bidirectional
    assert.equal(ruleOf(config, 0, 100, 70), 'local window');
    assert.equal(ruleOf(config, 0, 100, 127), 'local window');
    assert.equal(ruleOf(config, 0, 100, 50), 'global (summary) block');
    assert.equal(ruleOf(config, 0, 10, 120), 'global (summary) block');
    assert.equal(explainCell(config, 0, 100, 20), 'masked');
  });

  it('deepspeed-variable: a column in a global block range or index, else the local window', () => {
    const single = variable({ globalBlockIndices: [0, 9] }); // block 16; windows of 4 blocks
    assert.equal(ruleOf(single, 0, 100, 5), 'global block');
    assert.equal(ruleOf(single, 0, 20, 150), 'global block');
    assert.equal(ruleOf(single, 0, 100, 70), 'local window');
    assert.equal(explainCell(single, 0, 100, 20), 'masked');
    const ranges = variable({ globalBlockIndices: [2], globalBlockEndIndices: [4] }); // blocks 2 and 3
    assert.equal(ruleOf(ranges, 0, 70, 32), 'global block');
    assert.equal(ruleOf(ranges, 0, 70, 63), 'global block');
    assert.equal(ruleOf(ranges, 0, 70, 64), 'local window');
    assert.equal(ruleOf(ranges, 0, 20, 31), 'local window');
  });

  it('deepspeed-bslongformer: within num_sliding_window_blocks // 2 blocks is the sliding window, else a global block', () => {
    const config = longformer(); // block 16, 3 sliding blocks: one each side
    assert.equal(ruleOf(config, 0, 100, 90), 'sliding window');
    assert.equal(ruleOf(config, 0, 100, 120), 'sliding window');
    assert.equal(ruleOf(config, 0, 100, 96), 'sliding window');
    assert.equal(ruleOf(config, 0, 100, 5), 'global block');
    assert.equal(ruleOf(config, 0, 5, 200), 'global block');
    assert.equal(explainCell(config, 0, 100, 60), 'masked');
  });

  it('openai-fixed: every allowed cell of a row names its own window of l or the summary block before it', () => {
    const config = openai(); // l = 128, causal
    const mask = buildPattern(config);
    for (let h = 0; h < config.heads; h++) {
      const columns = rowColumns(mask.heads[h], 200);
      assert.ok(columns.some((j) => j < 128) && columns.some((j) => j >= 128), `head ${h}`);
      for (const j of columns) assert.equal(explainCell(config, h, 200, j, mask), j >= 128 ? 'local window' : 'global (summary) block', `head ${h} column ${j}`);
    }
  });

  it('the other block and port presets name one rule', () => {
    assert.equal(ruleOf(defaultConfig('deepspeed-dense'), 1, 3, 200), 'dense');
    assert.equal(ruleOf(factorized('dense'), 0, 200, 3), 'dense');
    assert.equal(ruleOf(factorized('local'), 0, 200, 190), 'local band');
    assert.equal(ruleOf(factorized('fairseq-fixed'), 0, 40, 39), 'fairseq-fixed rule');
    assert.equal(ruleOf(factorized('lra-fixed'), 0, 40, 39), 'lra-fixed rule');
  });

  it('causal exactly where the preset cuts the upper triangle', () => {
    assert.equal(isCausal(ds()), false);
    assert.equal(isCausal(ds({ attention: 'unidirectional' })), true);
    assert.equal(isCausal(variable()), false);
    assert.equal(isCausal(variable({ attention: 'unidirectional' })), true);
    assert.equal(isCausal(longformer()), false);
    assert.equal(isCausal(longformer({ attention: 'unidirectional' })), true);
    assert.equal(isCausal(defaultConfig('deepspeed-dense')), false);
    assert.equal(isCausal(openai()), true);
    for (const pattern of ['fixed', 'strided', 'local', 'dense', 'fairseq-fixed'] as const) {
      assert.equal(isCausal(factorized(pattern)), true, pattern);
      assert.equal(isCausal(factorized(pattern, { bidirectional: true })), false, pattern);
    }
    assert.equal(isCausal(factorized('lra-fixed')), true);
    assert.equal(isCausal(factorized('jukebox-summary')), true);
  });

  it('a sequence no longer than one window gets the warning that names the window and what to change', () => {
    const tail = (shape: string, change: string) => `: the whole sequence is one window, so every head is the same ${shape}; choose ${change} to see the sparse pattern`;
    assert.deepEqual(shapeWarnings(ds({ n: 64 })), [`n (64) ≤ block × num_local_blocks (16 × 4)${tail('dense square', 'a smaller block or fewer local blocks')}`]);
    assert.deepEqual(shapeWarnings(ds({ n: 80 })), []);
    assert.deepEqual(shapeWarnings(longformer({ n: 80, numSlidingWindowBlocks: 5 })), [`n (80) ≤ the sliding window (5 blocks of 16)${tail('dense square', 'a smaller block or window')}`]);
    assert.deepEqual(shapeWarnings(longformer({ n: 96, numSlidingWindowBlocks: 5 })), []);
    assert.deepEqual(shapeWarnings(longformer({ n: 48, attention: 'unidirectional' })), [`n (48) ≤ the sliding window (3 blocks of 16)${tail('dense causal triangle', 'a smaller block or window')}`]);
    assert.deepEqual(shapeWarnings(openai({ n: 128 })), [`n (128) ≤ l (128)${tail('dense causal triangle', 'l < n')}`]);
    assert.deepEqual(shapeWarnings(openai({ n: 160 })), []);
    assert.deepEqual(shapeWarnings(factorized('fixed', { n: 32 })), [`n (32) ≤ l (32)${tail('dense causal triangle', 'l < n')}`]);
    assert.deepEqual(shapeWarnings(factorized('fixed', { n: 33 })), []);
    assert.deepEqual(shapeWarnings(variable({ n: 32 })), []); // windows of listed sizes: no single window
  });

  it('valid configs build without warnings; the ports carry their note', () => {
    const configs: PatternConfig[] = [ds(), variable(), longformer(), defaultConfig('deepspeed-dense'), openai(), factorized('fixed'), factorized('fairseq-fixed'), factorized('jukebox-summary')];
    for (const config of configs) assert.deepEqual(buildPattern(config).warnings, [], config.pattern);
    assert.equal(buildPattern(factorized('fairseq-fixed')).note, PORT_NOTES['fairseq-fixed']);
    assert.equal(buildPattern(factorized('jukebox-summary')).note, PORT_NOTES['jukebox-summary']);
    assert.equal(buildPattern(factorized('fixed')).note, undefined);
  });

  it('DeepSpeed Fixed warns of its unidirectional quirks, exactly', () => {
    const noCut = 'DeepSpeed applies no causal cut inside blocks: diagonal blocks are full unless you pass a token-level causal mask';
    const quirk = (g: number) =>
      `DeepSpeed quirk: unidirectional with num_global_blocks=${g} sets each global column group from its first block row on, so those rows attend up to ${g - 1} block(s) into the future`;
    assert.deepEqual(buildPattern(ds()).warnings, []);
    assert.deepEqual(buildPattern(ds({ numGlobalBlocks: 2 })).warnings, []);
    assert.deepEqual(buildPattern(ds({ attention: 'unidirectional' })).warnings, [noCut]);
    assert.deepEqual(buildPattern(ds({ attention: 'unidirectional', numGlobalBlocks: 2 })).warnings, [quirk(2), noCut]);
    assert.deepEqual(buildPattern(ds({ attention: 'unidirectional', numGlobalBlocks: 4 })).warnings, [quirk(4), noCut]);
  });

  it('a factorized head stores one tile per block diagonal and one strip per summary block (stats print this)', () => {
    const stored = (config: PatternConfig) => buildPattern(config).heads[0].storedElements;
    // n/l blocks: a causal band each; the summary of each block but the last is a full strip below it.
    assert.equal(stored(factorized('fixed', { n: 64, stride: 8, c: 2, heads: 1 })), 8 + 7);
    assert.equal(stored(factorized('fixed', { n: 60, stride: 8, c: 2, heads: 1 })), 8 + 7);
    assert.equal(stored(factorized('jukebox-summary', { n: 64, stride: 8, c: 2, heads: 1 })), 8 + 7);
    // lra-fixed: two summary strips per block (its first column and its last c).
    assert.equal(stored(factorized('lra-fixed', { n: 64, stride: 8, c: 2, heads: 1 })), 8 + 14);
    assert.equal(stored(factorized('strided', { n: 64, stride: 8, c: 2, heads: 1 })), 2);
    assert.equal(stored(factorized('local', { n: 64, stride: 8, c: 2, heads: 1 })), 1);
  });

  it('summary offsets are merged where they overlap or touch, in order, empty ones dropped (so tiles stay disjoint)', () => {
    const sets = [{ from: 6, to: 8 }, { from: 0, to: 1 }, { from: 3, to: 3 }, { from: 5, to: 7 }, { from: 1, to: 2 }, { from: 10, to: 12 }];
    assert.deepEqual(disjointSummaries(sets), [{ from: 0, to: 2 }, { from: 5, to: 8 }, { from: 10, to: 12 }]);
    assert.deepEqual(sets[0], { from: 6, to: 8 }, 'the input is left as it was');
    assert.deepEqual(disjointSummaries([]), []);
  });

  it('openai-fixed heads with the same layout share one object (stats count it once)', () => {
    const mask = buildPattern(openai({ n: 256, heads: 4, block: 32, stride: 128, numVerts: 2, vertsize: 1 }));
    assert.equal(mask.heads[0], mask.heads[2]);
    assert.equal(mask.heads[1], mask.heads[3]);
    assert.notEqual(mask.heads[0], mask.heads[1]);
    assert.equal(new Set(buildPattern(openai()).heads).size, 4);
  });
});
