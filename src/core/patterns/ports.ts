/**
 * Public ports of the fixed pattern that differ from the paper. Each is reproduced as the
 * code builds it, so that a user's mask can be matched against it cell by cell.
 */
import { CAUSAL, FULL, HeadMask, RowRuleHead, TiledHead } from '../mask';
import type { RangeList } from '../ranges';
import type { FactorizedSets } from './factorized';
import { blockHead, blockTiles, mergedHead, SummaryRange, summaryHead } from './fixed';

export const PORT_NOTES: Record<string, string> = {
  'lra-fixed': 'long-range-arena: summary is j mod l == 0 or j mod l >= l-c (c+1 cells), one mask for all heads',
  'fairseq-fixed':
    'fairseq: windows behave as (k*l, (k+1)*l] and summaries are range(l-c, l+1) (c+1 cells, spilling into the next block)',
  'jukebox-summary': "jukebox: the summary set is the last c cells of every block but the last, masked causally (j <= i, so a query sees its own block's summary cells too); jukebox also attends c zero keys, which are no position",
};

/** google-research/long-range-arena sparse_attention.py: an extra summary cell at each block start. */
export function lraHead(n: number, l: number, c: number, bidirectional: boolean): HeadMask {
  const sets: SummaryRange[] = [
    { from: 0, to: 1 },
    { from: l - c, to: l },
  ];
  return mergedHead(n, l, sets, bidirectional);
}

/**
 * fairseq SparseMultiheadAttention.compute_fixed_attention_subset, row by row.
 * Subset one is [b*l, (b+1)*l] (inclusive; a row at a block start instead sees the previous
 * block and itself); subset two is [k*l - c, k*l] for k = 1, 2, ... up to the row's limit.
 */
export function fairseqHead(n: number, l: number, c: number, bidirectional: boolean): HeadMask {
  const rule = (i: number, out: RangeList): void => {
    const limit = bidirectional ? n : i + 1; // fairseq's absolute_max (exclusive)
    const rounded = (Math.floor(i / l) + 1) * l;
    // Stryker disable next-line ArithmeticOperator: `i + 1` → `i - 1`: the checkpoint run [i - c, i + 1) allows i - 1 and i anyway (c >= 1); `i * l` and `i + l` are killed
    if (i % l === 0 && i !== 0) out.push(i - l, Math.min(limit, i + 1));
    else {
      // Stryker disable next-line ArithmeticOperator: `rounded + 1` → `rounded - 1`: the checkpoint run from rounded - c allows rounded - 1 and rounded where they are below the limit; `rounded + l` is killed
      out.push(Math.max(0, rounded - l), Math.min(limit, rounded + 1));
    }
    // Stryker disable next-line ArithmeticOperator: `limit + 1` adds checkpoints at or past the limit, whose runs are empty (push ignores them); `l + c` is killed
    for (let checkpoint = l - c; checkpoint <= limit - 1; checkpoint += l) {
      out.push(checkpoint, Math.min(checkpoint + c + 1, limit));
    }
  };
  return new RowRuleHead(n, rule);
}

/**
 * openai/jukebox factored_attention.py: block attention, and a summary layer (summary_spread_attn)
 * whose keys are the last c cells of blocks 0..B-2 under get_mask('summary'): the causal mask
 * tril() viewed per block, so a query also sees its own block's summary cells j <= i (except
 * in the last block, whose summary is not a key). n is a multiple of l (jukebox asserts it).
 * Merged with block attention, it equals the paper's causal pattern.
 */
export function jukeboxSets(n: number, l: number, c: number): FactorizedSets {
  const summaries = (withOwnBlock: boolean): TiledHead => {
    // Stryker disable next-line ArrayDeclaration: TiledHead drops a tile with no rows or columns, which a non-tile entry is
    const tiles = [];
    for (let b = 0; b < n / l - 1; b++) {
      const c0 = b * l + l - c;
      const c1 = b * l + l;
      if (withOwnBlock) tiles.push({ r0: c0, r1: c1, c0, c1, rule: CAUSAL });
      tiles.push({ r0: c1, r1: n, c0, c1, rule: FULL });
    }
    return new TiledHead(n, tiles);
  };
  return {
    first: () => blockHead(n, l, false),
    second: () => summaries(true),
    // The own block's summary cells j <= i are block attention's already.
    merged: () => new TiledHead(n, [...blockTiles(n, l, false), ...summaries(false).tiles]),
  };
}

/** The paper's own sets, for the fixed preset. */
export function paperFixedSets(n: number, l: number, c: number, bidirectional: boolean): FactorizedSets {
  const sub = (k: number): SummaryRange[] => [{ from: l - (k + 1) * c, to: l - k * c }];
  return {
    merged: (k) => mergedHead(n, l, sub(k), bidirectional),
    first: () => blockHead(n, l, bidirectional),
    second: (k) => summaryHead(n, l, sub(k), bidirectional),
  };
}
