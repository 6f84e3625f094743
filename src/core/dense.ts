/** Dense export, only on request and only below a size limit. */
import type { HeadMask, PatternMask } from './mask';
import { RangeList } from './ranges';

/** Dense probabilities [H, n, n] float32 (the CLI's --probs and Export…): n = 4096 with 8 heads. */
export const DENSE_PROBS_LIMIT_BYTES = 512 * 1024 * 1024;

/** 256 MiB of mask bytes by default: [H, n, n] u1 above this is refused with an estimate. */
export const DENSE_LIMIT_BYTES = 256 * 1024 * 1024;

export class TooLargeError extends Error {
  constructor(readonly bytes: number, readonly limit: number, what: string, advice = 'use a smaller n, fewer heads, or --layout / stats instead') {
    super(`${what} would need ${formatBytes(bytes)} (limit ${formatBytes(limit)}): ${advice}`);
    this.name = 'TooLargeError';
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return `${value.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

export function fillDenseHead(head: HeadMask, out: Uint8Array, offset: number): void {
  const n = head.n;
  const list = new RangeList();
  for (let i = 0; i < n; i++) {
    head.row(i, list);
    const base = offset + i * n;
    for (let r = 0; r < list.length; r++) out.fill(1, base + list.starts[r], base + list.ends[r]);
  }
}

/** [H, n, n] as 0/1 bytes, C order. */
export function toDense(mask: PatternMask, limitBytes = DENSE_LIMIT_BYTES): Uint8Array {
  const n = mask.n;
  const bytes = mask.heads.length * n * n;
  if (bytes > limitBytes) throw new TooLargeError(bytes, limitBytes, `A dense [${mask.heads.length}, ${n}, ${n}] mask`);
  const out = new Uint8Array(bytes);
  const done = new Map<HeadMask, number>();
  mask.heads.forEach((head, h) => {
    const offset = h * n * n;
    const earlier = done.get(head);
    // Stryker disable next-line ConditionalExpression: always filling the head again instead of copying its earlier bytes writes the same bytes (`true` is killed)
    if (earlier !== undefined) out.copyWithin(offset, earlier, earlier + n * n);
    else {
      fillDenseHead(head, out, offset);
      done.set(head, offset);
    }
  });
  return out;
}
