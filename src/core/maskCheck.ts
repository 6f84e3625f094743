/**
 * A user's own mask checked against a pattern, as the CLI's `diff` and the editor's "Check against
 * pattern…" report it: per-head missing/extra counts, first examples, and the known port named
 * when one explains the difference. Also the user's mask as a HeadMask, for the difference view.
 */
import type { PatternConfig } from './config';
import { diffDense, findKnownMatch, KnownMatch, MaskDifference } from './diff';
import type { BlockLayout, HeadMask, PatternMask } from './mask';
import { RangeList } from './ranges';

export interface MaskCheck {
  diff: MaskDifference;
  /** The known variant that equals their mask exactly, when the masks differ and one does. */
  match?: KnownMatch;
  /** The report, one line each: "identical: …", or per head, then the known port (or that none explains it). */
  lines: string[];
}

/** `theirs` is [theirHeads, n, n] (0/1) with theirHeads 1 or mask.heads.length. */
export function checkMask(theirs: Uint8Array, theirHeads: number, config: PatternConfig, mask: PatternMask, what: string): MaskCheck {
  const diff = diffDense(theirs, theirHeads, mask);
  if (diff.identical) return { diff, lines: [`identical: ${what} equals ${config.pattern} (n=${config.n}, ${config.heads} heads)`] };
  const lines = diff.heads.map((head) => {
    const examples = head.examples.map((e) => `(${e.i},${e.j}) ${e.kind}`).join(', ');
    return `head ${head.head}: ${head.missing} missing, ${head.extra} extra${examples ? `; first: ${examples}` : ''}`;
  });
  const match = findKnownMatch(theirs, theirHeads, config);
  lines.push(match ? `matches ${match.config.pattern}${match.config.pattern === config.pattern ? ' variant' : ''}: ${match.description}` : 'no known port explains the difference');
  return { diff, match, lines };
}

/** One head of a dense [n, n] 0/1 mask (at `offset`), its rows stored as runs: what a user's mask looks like to the maps. */
export class DenseHead implements HeadMask {
  private readonly rowStart: Int32Array;
  private readonly runStarts: Int32Array;
  private readonly runEnds: Int32Array;

  constructor(readonly n: number, cells: Uint8Array, offset = 0) {
    const starts: number[] = [];
    const ends: number[] = [];
    this.rowStart = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const base = offset + i * n;
      for (let j = 0; j < n; j++) {
        if (cells[base + j] === 0) continue;
        const start = j;
        while (j < n && cells[base + j] !== 0) j++;
        starts.push(start);
        ends.push(j);
      }
      this.rowStart[i + 1] = starts.length;
    }
    this.runStarts = Int32Array.from(starts);
    this.runEnds = Int32Array.from(ends);
  }

  get storedElements(): number {
    return this.runStarts.length;
  }

  row(i: number, out: RangeList): void {
    out.clear();
    for (let r = this.rowStart[i]; r < this.rowStart[i + 1]; r++) out.push(this.runStarts[r], this.runEnds[r]);
  }
}

/** Their [H, n, n] or [n, n] mask as a PatternMask with `heads` heads (one head repeated for all). */
export function denseMask(cells: Uint8Array, theirHeads: number, n: number, heads: number): PatternMask {
  const own = Array.from({ length: theirHeads }, (_, h) => new DenseHead(n, cells, h * n * n));
  return { n, heads: Array.from({ length: heads }, (_, h) => own[theirHeads === 1 ? 0 : h]), warnings: [] };
}

/**
 * A block layout ([H, n/B, n/B], DeepSpeed's `master_layout`, OpenAI's layout) against the pattern's:
 * per head, blocks missing and extra, the first few as (block row, block column).
 */
export function checkLayout(theirs: Uint8Array, theirHeads: number, layout: BlockLayout, what: string): { identical: boolean; lines: string[] } {
  const { blocks, heads } = layout;
  const per = blocks * blocks;
  const lines: string[] = [];
  let identical = true;
  for (let h = 0; h < heads; h++) {
    const at = (theirHeads === 1 ? 0 : h) * per;
    let missing = 0;
    let extra = 0;
    const examples: string[] = [];
    for (let k = 0; k < per; k++) {
      const ours = layout.data[h * per + k] !== 0;
      const their = theirs[at + k] !== 0;
      if (ours === their) continue;
      if (ours) missing++;
      else extra++;
      if (examples.length < 5) examples.push(`(${Math.floor(k / blocks)},${k % blocks}) ${ours ? 'missing' : 'extra'}`);
    }
    if (missing || extra) identical = false;
    lines.push(`head ${h}: ${missing} blocks missing, ${extra} extra${examples.length ? `; first: ${examples.join(', ')}` : ''}`);
  }
  return { identical, lines: identical ? [`identical: ${what} equals the layout of the pattern (${heads} heads, ${blocks} × ${blocks} blocks of ${layout.block})`] : lines };
}
