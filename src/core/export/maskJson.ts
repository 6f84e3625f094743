/**
 * The mask as JSON: per head, per row, [start, end) column ranges (never n² entries), or the block
 * layout. The size is estimated before any text is made, and the text is produced in chunks, so a
 * large mask is refused with its estimate instead of exhausting the heap, and one that fits streams
 * to disk.
 */
import type { PatternConfig } from '../config';
import { DENSE_LIMIT_BYTES, TooLargeError } from '../dense';
import type { HeadMask, PatternMask } from '../mask';
import { RangeList } from '../ranges';

/** The JSON text is bounded like the dense export: 256 MiB. */
export const MASK_JSON_LIMIT_BYTES = DENSE_LIMIT_BYTES;
/** Rows sampled per head for the estimate; patterns repeat per block, so a few hundred suffice. */
const SAMPLE_ROWS = 1024;
/** Chunks of about 1 MiB of text. */
const CHUNK_CHARS = 1 << 20;

const ROW_RANGES_NOTE = 'per row: start0, end0, start1, end1, ... (end exclusive)';

/** The JSON's size in bytes: exact for a layout, from evenly spaced sample rows for row ranges. */
export function estimateMaskJsonBytes(mask: PatternMask, layoutOnly: boolean): number {
  if (layoutOnly) {
    const { heads, blocks } = mask.layout!;
    return heads * blocks * blocks * 2 + 256;
  }
  const perHead = new Map<HeadMask, number>();
  const list = new RangeList();
  let total = 512;
  for (const head of mask.heads) {
    let chars = perHead.get(head);
    // Stryker disable next-line ConditionalExpression: a cache for heads shared by several indices; recomputing gives the same count (`false` is killed)
    if (chars === undefined) {
      const samples = Math.min(mask.n, SAMPLE_ROWS);
      let sampled = 0;
      for (let k = 0; k < samples; k++) {
        head.row(Math.floor((k * mask.n) / samples), list);
        sampled += rowText(list).length + 1;
      }
      chars = (sampled * mask.n) / samples + 12;
      perHead.set(head, chars);
    }
    total += chars;
  }
  return Math.ceil(total);
}

/** Throws TooLargeError, with the estimate, when the JSON would pass `limitBytes`. */
export function checkMaskJsonSize(mask: PatternMask, layoutOnly: boolean, limitBytes = MASK_JSON_LIMIT_BYTES): void {
  const estimate = estimateMaskJsonBytes(mask, layoutOnly);
  if (estimate <= limitBytes) return;
  if (layoutOnly) {
    const { heads, blocks } = mask.layout!;
    throw new TooLargeError(estimate, limitBytes, `The JSON block layout [${heads}, ${blocks}, ${blocks}]`, 'use --format npy (one byte per block), a larger block or a smaller n');
  }
  const what = `The JSON row ranges of a [${mask.heads.length}, ${mask.n}, ${mask.n}] mask (estimated from ${Math.min(mask.n, SAMPLE_ROWS)} sample rows per head)`;
  throw new TooLargeError(estimate, limitBytes, what, 'use a smaller n or fewer heads, --layout for block presets, or stats for the numbers');
}

/**
 * The JSON text in chunks (the same text as JSON.stringify of { config, shape, rowRanges, heads:
 * [{ rows }], warnings }, or of { config, block, shape, layout }). Refuses above `limitBytes`.
 */
export function* maskJsonChunks(config: PatternConfig, mask: PatternMask, layoutOnly: boolean, limitBytes = MASK_JSON_LIMIT_BYTES): Generator<string> {
  checkMaskJsonSize(mask, layoutOnly, limitBytes);
  if (layoutOnly) {
    const { block, heads, blocks, data } = mask.layout!;
    yield `{"config":${JSON.stringify(config)},"block":${block},"shape":[${heads},${blocks},${blocks}],"layout":[`;
    const rowLength = blocks;
    for (let at = 0; at < data.length; at += rowLength) {
      yield (at ? ',' : '') + data.subarray(at, at + rowLength).join(',');
    }
    yield ']}';
    return;
  }
  yield `{"config":${JSON.stringify(config)},"shape":[${mask.heads.length},${mask.n},${mask.n}],"rowRanges":${JSON.stringify(ROW_RANGES_NOTE)},"heads":[`;
  const list = new RangeList();
  for (let h = 0; h < mask.heads.length; h++) {
    let text = `${h ? ',' : ''}{"rows":[`;
    const head = mask.heads[h];
    for (let i = 0; i < mask.n; i++) {
      head.row(i, list);
      text += (i ? ',' : '') + rowText(list);
      if (text.length >= CHUNK_CHARS) {
        yield text;
        text = '';
      }
    }
    yield `${text}]}`;
  }
  yield `],"warnings":${JSON.stringify(mask.warnings)}}`;
}

function rowText(list: RangeList): string {
  let text = '[';
  for (let r = 0; r < list.length; r++) text += `${r ? ',' : ''}${list.starts[r]},${list.ends[r]}`;
  return `${text}]`;
}
