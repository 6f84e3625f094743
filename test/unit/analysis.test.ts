import { strict as assert } from 'assert';
import { analyzePattern, buildPattern, defaultConfig, emptyRowWarnings, FactorizedConfig, PatternConfig, PatternStats } from '../../src/core';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });
const tail = ': their output is 0 and their log-sum-exp −∞';

describe('analyzePattern: reach steps and warnings', () => {
  it('names the two sets the reachability check goes through', () => {
    const cases: [PatternConfig, string][] = [
      [fixed({ n: 32, stride: 8, c: 2, heads: 2 }), 'union of heads, twice'],
      [fixed({ n: 32, stride: 8, c: 2, heads: 2, mode: 'split' }), 'union of heads, twice'],
      [fixed({ n: 32, stride: 8, c: 2, heads: 2, mode: 'interleaved', layer: 0 }), 'layer 0 then layer 1'],
      [fixed({ n: 32, stride: 8, c: 2, heads: 2, mode: 'interleaved', layer: 1 }), 'layer 1 then layer 2'],
      [fixed({ n: 32, stride: 8, c: 2, heads: 2, mode: 'interleaved', layer: 4 }), 'layer 4 then layer 5'],
      [{ ...defaultConfig('deepspeed-fixed'), n: 128 } as PatternConfig, 'union of heads, twice'],
    ];
    for (const [config, steps] of cases) assert.equal(analyzePattern(config).reachSteps, steps, JSON.stringify(config));
  });

  it('lists shape, empty-row and mask warnings, in that order', () => {
    const cases: [PatternConfig, string[]][] = [
      [fixed({ n: 32, stride: 8, c: 2, heads: 2 }), []],
      [fixed({ n: 32, stride: 8, c: 2, heads: 2, mode: 'split' }), [`6 rows attend to nothing (head 1: 6)${tail}`]],
      [fixed({ n: 32, stride: 8, c: 2, heads: 4, subblocks: 2, mode: 'split' }), [`10 rows attend to nothing (head 1: 6, head 3: 4)${tail}`]],
      [fixed({ n: 32, stride: 8, c: 2, heads: 2, mode: 'interleaved', layer: 1 }), [`12 rows attend to nothing (6 in every head)${tail}`]],
      [fixed({ n: 32, stride: 8, c: 2, heads: 3, subblocks: 2, mode: 'interleaved', layer: 1 }), [`16 rows attend to nothing (head 0: 6, head 1: 4, head 2: 6)${tail}`]],
      [
        fixed({ n: 8, stride: 8, c: 2, heads: 1 }),
        ['n (8) ≤ l (8): the whole sequence is one window, so every head is the same dense causal triangle; choose l < n to see the sparse pattern'],
      ],
      [
        { ...defaultConfig('deepspeed-fixed'), n: 64 } as PatternConfig,
        ['n (64) ≤ block × num_local_blocks (16 × 4): the whole sequence is one window, so every head is the same dense square; choose a smaller block or fewer local blocks to see the sparse pattern'],
      ],
    ];
    for (const [config, warnings] of cases) assert.deepEqual(analyzePattern(config).warnings, warnings, JSON.stringify(config));

    // All three kinds at once: a one-window split config and a mask that carries its own warning.
    const config = fixed({ n: 8, stride: 8, c: 2, heads: 2, mode: 'split' });
    const mask = { ...buildPattern(config), warnings: ['from the mask'], note: 'a note' };
    const analysis = analyzePattern(config, 16, mask);
    assert.deepEqual(analysis.warnings, [
      'n (8) ≤ l (8): the whole sequence is one window, so every head is the same dense causal triangle; choose l < n to see the sparse pattern',
      `6 rows attend to nothing (head 1: 6)${tail}`,
      'from the mask',
    ]);
    assert.equal(analysis.note, 'a note');
  });
});

describe('emptyRowWarnings', () => {
  const stats = (...empty: number[]): PatternStats => ({ heads: empty.map((emptyRows) => ({ emptyRows })) }) as unknown as PatternStats;
  it('counts the rows that attend to nothing and says in which heads', () => {
    const cases: [number[], string[]][] = [
      [[0], []],
      [[0, 0, 0], []],
      [[3], [`3 rows attend to nothing (3 in every head)${tail}`]],
      [[5, 5, 5], [`15 rows attend to nothing (5 in every head)${tail}`]],
      [[5, 2], [`7 rows attend to nothing (head 0: 5, head 1: 2)${tail}`]],
      [[2, 5, 2], [`9 rows attend to nothing (head 0: 2, head 1: 5, head 2: 2)${tail}`]],
      // The same count, but not in every head: the heads are named.
      [[0, 4, 4], [`8 rows attend to nothing (head 1: 4, head 2: 4)${tail}`]],
      [[4, 0], [`4 rows attend to nothing (head 0: 4)${tail}`]],
    ];
    for (const [empty, expected] of cases) assert.deepEqual(emptyRowWarnings(stats(...empty)), expected, empty.join(','));
  });
});
