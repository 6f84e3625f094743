/** Maps side by side (in rows of `columns`), exactly their pixels, each under its caption: a PNG data URL. */
import type { MapFigure } from './maps';

export function composePng(figures: Array<Pick<MapFigure, 'canvas' | 'caption'>>, columns = figures.length): string {
  if (!figures.length) throw new Error('there are no maps to export (fix the configuration first)');
  const gap = 8;
  const captionHeight = 16;
  const cellWidth = Math.max(...figures.map((f) => f.canvas.width)) + gap;
  const cellHeight = Math.max(...figures.map((f) => f.canvas.height)) + captionHeight + gap;
  const rows = Math.ceil(figures.length / columns);
  const out = document.createElement('canvas');
  out.width = Math.min(figures.length, columns) * cellWidth - gap;
  out.height = rows * cellHeight - gap;
  const ctx = out.getContext('2d')!;
  const style = getComputedStyle(document.body);
  ctx.fillStyle = style.getPropertyValue('--vscode-editor-background').trim() || '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = style.getPropertyValue('--vscode-foreground').trim() || '#000000';
  ctx.font = '11px sans-serif';
  figures.forEach((figure, k) => {
    const x = (k % columns) * cellWidth;
    const y = Math.floor(k / columns) * cellHeight;
    ctx.drawImage(figure.canvas, x, y + captionHeight);
    ctx.fillText(figure.caption, x, y + 12);
  });
  return out.toDataURL('image/png');
}
