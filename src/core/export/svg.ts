/**
 * Maps as SVG for papers: one group per map, side by side, each a grid of coloured cells where a
 * horizontal run of one colour is one rect. Masks come from the pattern (exact up to `cellLimit`
 * positions, max-pooled into at most cellLimit blocks a side beyond, so no allowed cell is lost);
 * any other map (attention weights, a difference) comes as its pooled colours.
 */
import type { PatternMask } from '../mask';
import { poolMask } from '../maskPooling';

export interface SvgMap {
  caption: string;
  /** grid × grid CSS colours, row-major; undefined leaves the cell empty (masked, or nothing). */
  colours: Array<string | undefined>;
}

export function gridSvg(maps: SvgMap[], grid: number, title: string): string {
  const cell = grid <= 128 ? 4 : grid <= 256 ? 2 : 1;
  const side = grid * cell;
  const gap = 16;
  const width = maps.length * (side + gap) - gap;
  const groups = maps.map((map, m) => {
    const rects: string[] = [];
    for (let y = 0; y < grid; y++) {
      for (let x = 0; x < grid; ) {
        const colour = map.colours[y * grid + x];
        const start = x;
        while (x < grid && map.colours[y * grid + x] === colour) x++;
        if (colour !== undefined) rects.push(`<rect x="${start * cell}" y="${y * cell}" width="${(x - start) * cell}" height="${cell}" fill="${colour}"/>`);
      }
    }
    const caption = map.caption.replace(/[<&>"]/g, '');
    return `<g transform="translate(${m * (side + gap)},16)"><rect width="${side}" height="${side}" fill="none" stroke="#999"/>${rects.join('')}<text x="${side / 2}" y="-4" text-anchor="middle" font-size="11" font-family="sans-serif">${caption}</text></g>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${side + 16}" viewBox="0 0 ${width} ${side + 16}">`,
    `<title>${title.replace(/[<&>]/g, '')}</title>`,
    ...groups,
    '</svg>',
    '',
  ].join('\n');
}

/** The note a title carries when cells were max-pooled into blocks. */
export function pooledNote(grid: number, n: number): string {
  return grid < n ? ` (max-pooled: ${grid}x${grid} blocks of ${n}x${n} cells)` : '';
}

export function maskSvg(mask: PatternMask, title: string, cellLimit = 512): string {
  const n = mask.n;
  const grid = Math.min(n, cellLimit);
  // The maps' own pooling (poolMask): a block is drawn when any of its cells is allowed.
  const maps = mask.heads.map((head, h): SvgMap => {
    const covered = poolMask(head, { row: 0, col: 0, span: n }, grid);
    return { caption: `head ${h}`, colours: Array.from(covered, (c) => (c ? '#1f4e99' : undefined)) };
  });
  return gridSvg(maps, grid, `${title}${pooledNote(grid, n)}`);
}
