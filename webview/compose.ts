/**
 * Maps side by side (in rows of `columns`), exactly their pixels, each under its caption, with a
 * footer that says what they show (config, colours, view, where weights come from): a PNG data URL
 * that stands on its own in a paper or a bug report.
 */
import type { LegendEntry } from './legend';
import { gradientBar } from './legend';
import type { MapFigure } from './maps';

export interface PngFooter {
  lines: string[];
  legend: LegendEntry[];
}

const LINE = 15;
const FONT = '11px sans-serif';

/** Pixels the footer needs: its widest text line, or its legend row. */
function footerWidth(ctx: CanvasRenderingContext2D, footer: PngFooter): number {
  const legendRow = footer.legend.reduce((x, entry) => x + ('gradient' in entry ? 132 : 14) + ctx.measureText(entry.text).width + 14, 0);
  return Math.ceil(Math.max(legendRow, ...footer.lines.map((line) => ctx.measureText(line).width)));
}

export function composePng(figures: Array<Pick<MapFigure, 'canvas' | 'caption'>>, columns = figures.length, footer?: PngFooter): string {
  if (!figures.length) throw new Error('there are no maps to export (fix the configuration first)');
  const gap = 8;
  const captionHeight = 16;
  const cellWidth = Math.max(...figures.map((f) => f.canvas.width)) + gap;
  const cellHeight = Math.max(...figures.map((f) => f.canvas.height)) + captionHeight + gap;
  const rows = Math.ceil(figures.length / columns);
  const footerHeight = footer ? (footer.lines.length + 1) * LINE + gap : 0;
  const out = document.createElement('canvas');
  const measure = out.getContext('2d')!;
  measure.font = FONT;
  out.width = Math.max(Math.min(figures.length, columns) * cellWidth - gap, footer ? footerWidth(measure, footer) : 0);
  out.height = rows * cellHeight - gap + footerHeight;
  const ctx = out.getContext('2d')!;
  const style = getComputedStyle(document.body);
  ctx.fillStyle = style.getPropertyValue('--vscode-editor-background').trim() || '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  const foreground = style.getPropertyValue('--vscode-foreground').trim() || '#000000';
  ctx.fillStyle = foreground;
  ctx.font = FONT;
  figures.forEach((figure, k) => {
    const x = (k % columns) * cellWidth;
    const y = Math.floor(k / columns) * cellHeight;
    ctx.drawImage(figure.canvas, x, y + captionHeight);
    ctx.fillText(figure.caption, x, y + 12);
  });
  if (footer) drawFooter(ctx, footer, rows * cellHeight, foreground);
  return out.toDataURL('image/png');
}

/** One legend row (swatches and the colour bar, each with its words), then the lines of text. */
function drawFooter(ctx: CanvasRenderingContext2D, footer: PngFooter, top: number, foreground: string): void {
  let x = 0;
  const y = top + 2;
  for (const entry of footer.legend) {
    if ('gradient' in entry) {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(gradientBar(entry.gradient), x, y, 128, 10);
      x += 132;
    } else {
      ctx.fillStyle = `rgb(${entry.rgb[0]}, ${entry.rgb[1]}, ${entry.rgb[2]})`;
      ctx.fillRect(x, y, 10, 10);
      ctx.strokeStyle = foreground;
      ctx.strokeRect(x + 0.5, y + 0.5, 9, 9);
      x += 14;
    }
    ctx.fillStyle = foreground;
    ctx.fillText(entry.text, x, y + 9);
    x += ctx.measureText(entry.text).width + 14;
  }
  footer.lines.forEach((line, k) => ctx.fillText(line, 0, top + LINE * (k + 1) + 10));
}
