/**
 * Picks the map painter from the user's `sparseAttention.mapRenderer` setting: WebGL2 when it
 * works, the canvas painter otherwise (with the reason, which the maps show).
 */
import type { MapRendererSetting } from '../../src/protocol';
import { CanvasPainter } from './canvasPainter';
import { GlPainter } from './glPainter';
import type { MapPainter } from './painter';

let gl: GlPainter | undefined;
let glFailure: string | undefined;
const canvas = new CanvasPainter();

/** One WebGL context for the page: browsers cap live contexts, and every map shares it anyway. */
function glPainter(): GlPainter | undefined {
  if (gl?.lost) gl = undefined;
  if (!gl && glFailure === undefined) {
    try {
      gl = new GlPainter();
    } catch (e) {
      glFailure = (e as Error).message;
    }
  }
  return gl;
}

export function choosePainter(setting: MapRendererSetting): { painter: MapPainter; note?: string } {
  if (setting === 'canvas2d') return { painter: canvas };
  const painter = glPainter();
  if (painter) return { painter };
  return { painter: canvas, note: `maps are drawn on the CPU: ${glFailure ?? 'the WebGL2 context was lost'}` };
}
