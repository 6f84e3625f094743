/**
 * Masks as SVG for papers: one group per head, side by side. Up to `cellLimit` positions every
 * cell is exact (horizontal runs become one rect); beyond it cells are max-pooled into a grid of
 * at most cellLimit blocks a side, so no allowed cell is lost.
 */
import type { PatternMask } from '../mask';
import { RangeList } from '../ranges';

export function maskSvg(mask: PatternMask, title: string, cellLimit = 512): string {
  const n = mask.n;
  const grid = Math.min(n, cellLimit);
  const cell = grid <= 128 ? 4 : grid <= 256 ? 2 : 1;
  const side = grid * cell;
  const gap = 16;
  const width = mask.heads.length * (side + gap) - gap;
  const list = new RangeList();
  const groups = mask.heads.map((head, h) => {
    const rects: string[] = [];
    const lit = new Uint8Array(grid);
    for (let g = 0; g < grid; g++) {
      lit.fill(0);
      // Rows g*n/grid .. (g+1)*n/grid share grid row g.
      for (let i = Math.ceil((g * n) / grid); i < Math.ceil(((g + 1) * n) / grid); i++) {
        head.row(i, list);
        for (let r = 0; r < list.length; r++) {
          for (let x = Math.floor((list.starts[r] * grid) / n); x <= Math.floor(((list.ends[r] - 1) * grid) / n); x++) lit[x] = 1;
        }
      }
      for (let x = 0; x < grid; ) {
        if (!lit[x]) {
          x++;
          continue;
        }
        const start = x;
        while (x < grid && lit[x]) x++;
        rects.push(`<rect x="${start * cell}" y="${g * cell}" width="${(x - start) * cell}" height="${cell}"/>`);
      }
    }
    const x0 = h * (side + gap);
    return `<g transform="translate(${x0},16)"><rect width="${side}" height="${side}" fill="none" stroke="#999"/><g fill="#1f4e99">${rects.join('')}</g><text x="${side / 2}" y="-4" text-anchor="middle" font-size="11" font-family="sans-serif">head ${h}</text></g>`;
  });
  const note = grid < n ? ` (max-pooled: ${grid}x${grid} blocks of ${n}x${n} cells)` : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${side + 16}" viewBox="0 0 ${width} ${side + 16}">`,
    `<title>${title.replace(/[<&>]/g, '')}${note}</title>`,
    ...groups,
    '</svg>',
    '',
  ].join('\n');
}
