import { strict as assert } from 'assert';
import { buildPattern, defaultConfig, explainCell, explainedByDefinition, FactorizedConfig, PATTERN_NAMES, PatternConfig, patternSpec, rowColumns } from '../../src/core';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });

describe('explaining a cell', () => {
  it('names the paper set: A1 for the own block, A2 for the summary, both where they overlap', () => {
    const config = fixed({ n: 16, stride: 4, c: 1, heads: 1 });
    assert.equal(explainCell(config, 0, 9, 8), 'A1');
    assert.equal(explainCell(config, 0, 9, 3), 'A2');
    assert.equal(explainCell(config, 0, 7, 7), 'A1+A2');
    assert.equal(explainCell(config, 0, 9, 10), 'masked');
  });

  it('names the sets of strided and jukebox too: a jukebox summary in the last block is not A2', () => {
    const strided = fixed({ pattern: 'strided', n: 16, stride: 4, heads: 1 });
    const jukebox = fixed({ pattern: 'jukebox-summary', n: 16, stride: 4, c: 1, heads: 1 });
    const cases: Array<[FactorizedConfig, number, number, string]> = [
      [strided, 9, 8, 'A1'],
      [strided, 9, 5, 'A1+A2'],
      [strided, 9, 1, 'A2'],
      [strided, 9, 10, 'masked'],
      [jukebox, 9, 7, 'A2'],
      [jukebox, 11, 11, 'A1+A2'],
      [jukebox, 14, 12, 'A1'],
      [jukebox, 15, 15, 'A1'],
      [jukebox, 15, 14, 'A1'],
      [jukebox, 15, 4, 'masked'],
    ];
    for (const [config, i, j, reason] of cases) assert.equal(explainCell(config, 0, i, j), reason, `${config.pattern} (${i}, ${j})`);
  });

  it('answers the paper presets by definition, and every other preset has a rule to name', () => {
    for (const name of PATTERN_NAMES) {
      const byDefinition = explainedByDefinition(defaultConfig(name));
      assert.equal(byDefinition, ['fixed', 'strided', 'jukebox-summary'].includes(name), name);
      if (!byDefinition) assert.equal(typeof patternSpec(name).rule, 'function', name);
    }
  });

  it('agrees with the mask on every cell, for every preset and mode', () => {
    const configs: PatternConfig[] = [
      fixed({ n: 40, stride: 8, c: 2, heads: 4, subblocks: 4 }),
      fixed({ n: 40, stride: 8, c: 2, heads: 4, subblocks: 2, mode: 'split', bidirectional: true }),
      fixed({ n: 40, stride: 8, c: 2, heads: 2, mode: 'interleaved', layer: 1 }),
      fixed({ pattern: 'strided', n: 30, stride: 4, heads: 2, mode: 'split' }),
      fixed({ pattern: 'jukebox-summary', n: 32, stride: 4, c: 1, heads: 1 }),
      fixed({ pattern: 'lra-fixed', n: 30, stride: 4, c: 1, heads: 1 }),
      { pattern: 'openai-fixed', n: 64, heads: 2, block: 8, stride: 16, numVerts: 2, vertsize: 1 },
      { ...(defaultConfig('deepspeed-fixed') as any), n: 64, block: 8, heads: 1 },
    ];
    for (const config of configs) {
      const mask = buildPattern(config);
      for (let h = 0; h < config.heads; h++) {
        for (let i = 0; i < config.n; i++) {
          const allowed = new Set(rowColumns(mask.heads[h], i));
          for (let j = 0; j < config.n; j++) {
            assert.equal(explainCell(config, h, i, j) !== 'masked', allowed.has(j), `${config.pattern} h=${h} (${i}, ${j})`);
          }
        }
      }
    }
  });
});
