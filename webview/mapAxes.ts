/**
 * Axis labels on the map edges once zoomed in far enough to read them: key positions j along the
 * top, query positions i down the left, with their tokens when the sequence has them. Labels sit
 * at cell centres, every k-th cell so that they never overlap.
 */
import type { Viewport } from './maps';

/** Labels appear when a cell is at least this many CSS pixels wide. */
const MIN_CELL_CSS = 4;
/** Tokens are added to the labels when a cell is at least this wide. */
const TOKEN_CELL_CSS = 14;

export interface MapAxes {
  top: HTMLElement;
  left: HTMLElement;
}

function label(position: number, token: string | undefined, along: 'top' | 'left', offset: number): HTMLElement {
  const tick = document.createElement('span');
  tick.className = 'axis-label';
  tick.textContent = token === undefined ? String(position) : `${position} ${token.length > 10 ? `${token.slice(0, 9)}…` : token}`;
  if (token !== undefined) tick.title = `position ${position}: “${token}”`;
  tick.style[along === 'top' ? 'left' : 'top'] = `${offset}%`;
  return tick;
}

/** The two axes for a map of `cssPixels` showing `view`, or undefined when cells are too small to label. */
export function mapAxes(view: Viewport, cssPixels: number, tokens?: readonly string[]): MapAxes | undefined {
  const cell = cssPixels / view.span;
  if (cell < MIN_CELL_CSS) return undefined;
  const withTokens = tokens && cell >= TOKEN_CELL_CSS ? tokens : undefined;
  // One label per `every` cells: about 12 along an edge without tokens, one per cell with them.
  const every = withTokens ? 1 : Math.max(1, Math.ceil(view.span / 12));
  const top = document.createElement('div');
  top.className = 'axis axis-top';
  top.setAttribute('aria-hidden', 'true');
  const left = document.createElement('div');
  left.className = 'axis axis-left';
  left.setAttribute('aria-hidden', 'true');
  for (let k = 0; k < view.span; k += every) {
    const centre = ((k + 0.5) / view.span) * 100;
    top.append(label(view.col + k, withTokens?.[view.col + k], 'top', centre));
    left.append(label(view.row + k, withTokens?.[view.row + k], 'left', centre));
  }
  return { top, left };
}
