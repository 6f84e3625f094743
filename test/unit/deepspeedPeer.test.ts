/**
 * The deepspeed-* presets against DeepSpeed's own sparsity_config.py (vendored unchanged in
 * test/peers/deepspeed, run with torch): random configs of all four classes, layouts compared
 * cell by cell, and every config DeepSpeed refuses refused by us too (with its words where ours
 * claim them).
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { join } from 'path';
import { buildPattern, PatternConfig, validateConfig } from '../../src/core';
import { pythonWith } from '../support/python';
import { rng } from './brute';

interface PeerCase {
  ours: PatternConfig;
  peer: { class: 'Fixed' | 'Variable' | 'BSLongformer' | 'Dense'; seq_len: number; kwargs: Record<string, unknown> };
}

function randomCases(count: number, seed: number): PeerCase[] {
  const random = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const cases: PeerCase[] = [];
  for (let k = 0; k < count; k++) {
    const block = pick([1, 2, 4, 16]);
    // Mostly whole blocks; now and then a sequence DeepSpeed's setup_layout refuses.
    const n = block * int(1, 12) + (random() < 0.05 && block > 1 ? 1 : 0);
    const heads = int(1, 3);
    const attention = pick(['bidirectional', 'unidirectional'] as const);
    const differentLayoutPerHead = random() < 0.3;
    const globals = () => Array.from(new Set(Array.from({ length: int(0, 3) }, () => int(0, 13)))).sort((a, b) => a - b);
    const kind = pick(['Fixed', 'Variable', 'BSLongformer', 'Dense'] as const);
    if (kind === 'Fixed') {
      const local = int(1, 6);
      const global = random() < 0.1 ? int(1, 6) : pick([1, 2, 3, 4, 5, 6].filter((g) => local % g === 0));
      const horizontal = attention === 'bidirectional' && random() < 0.3;
      const patterns = differentLayoutPerHead ? int(1, 3) : 1;
      cases.push({
        ours: { pattern: 'deepspeed-fixed', n, heads, block, numLocalBlocks: local, numGlobalBlocks: global, attention, horizontalGlobalAttention: horizontal, differentLayoutPerHead, numDifferentGlobalPatterns: patterns },
        peer: {
          class: 'Fixed',
          seq_len: n,
          kwargs: { num_heads: heads, block, different_layout_per_head: differentLayoutPerHead, num_local_blocks: local, num_global_blocks: global, attention, horizontal_global_attention: horizontal, num_different_global_patterns: patterns },
        },
      });
    } else if (kind === 'Variable') {
      const windows = Array.from({ length: int(1, 3) }, () => int(1, 4));
      const starts = globals();
      const ends = random() < 0.5 ? [] : starts.map((s) => s + int(random() < 0.05 ? 0 : 1, 3));
      const horizontal = attention === 'bidirectional' && random() < 0.3;
      cases.push({
        ours: { pattern: 'deepspeed-variable', n, heads, block, numRandomBlocks: 0, localWindowBlocks: windows, globalBlockIndices: starts, globalBlockEndIndices: ends, attention, horizontalGlobalAttention: horizontal, differentLayoutPerHead },
        peer: {
          class: 'Variable',
          seq_len: n,
          kwargs: { num_heads: heads, block, different_layout_per_head: differentLayoutPerHead, num_random_blocks: 0, local_window_blocks: windows, global_block_indices: starts, global_block_end_indices: ends.length ? ends : null, attention, horizontal_global_attention: horizontal },
        },
      });
    } else if (kind === 'BSLongformer') {
      const window = int(0, 9);
      const starts = globals();
      const ends = random() < 0.5 ? [] : starts.map((s) => s + int(1, 3));
      cases.push({
        ours: { pattern: 'deepspeed-bslongformer', n, heads, block, numSlidingWindowBlocks: window, globalBlockIndices: starts, globalBlockEndIndices: ends, attention, differentLayoutPerHead },
        peer: {
          class: 'BSLongformer',
          seq_len: n,
          kwargs: { num_heads: heads, block, different_layout_per_head: differentLayoutPerHead, num_sliding_window_blocks: window, global_block_indices: starts, global_block_end_indices: ends.length ? ends : null, attention },
        },
      });
    } else {
      cases.push({ ours: { pattern: 'deepspeed-dense', n, heads, block, differentLayoutPerHead }, peer: { class: 'Dense', seq_len: n, kwargs: { num_heads: heads, block, different_layout_per_head: differentLayoutPerHead } } });
    }
  }
  return cases;
}

describe("deepspeed-* presets against DeepSpeed's own sparsity_config.py", function () {
  this.timeout(120000);
  const python = pythonWith('torch');

  it('equal layouts on 600 random configs of Fixed, Variable, BSLongformer and Dense; refused where DeepSpeed raises', function () {
    if (!python) this.skip();
    const cases = randomCases(600, 31);
    const run = spawnSync(python!, [join(__dirname, '../peers/deepspeed/layouts.py')], { input: cases.map((c) => JSON.stringify(c.peer)).join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(run.status, 0, run.stderr);
    const answers = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { layout?: number[][][]; error?: string });
    assert.equal(answers.length, cases.length);
    const tally = { compared: 0, bothRefuse: 0 };
    cases.forEach((c, k) => {
      const answer = answers[k];
      const issues = validateConfig(c.ours);
      const what = `${JSON.stringify(c.peer)} -> ${answer.error ?? 'layout'}; ours: ${issues.map((i) => i.message).join('; ') || 'valid'}`;
      if (answer.error) {
        assert.ok(issues.length > 0, `DeepSpeed refuses, we accept: ${what}`);
        // Where our message is DeepSpeed's (it ends with "!"), it is the one DeepSpeed raised.
        const theirs = answer.error.replace(/^\w+: /, '');
        if (issues.some((i) => i.message.endsWith('!'))) assert.ok(issues.some((i) => i.message === theirs), `same words: ${what}`);
        tally.bothRefuse++;
        return;
      }
      assert.deepEqual(issues, [], `DeepSpeed accepts, we refuse: ${what}`);
      const layout = buildPattern(c.ours).layout!;
      assert.deepEqual(Array.from(layout.data), answer.layout!.flat(2), `layout differs: ${what}`);
      tally.compared++;
    });
    assert.ok(tally.compared > 400 && tally.bothRefuse > 10, JSON.stringify(tally));
  });
});
