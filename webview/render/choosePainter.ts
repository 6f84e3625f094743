/**
 * Picks the map painter from the user's `sparseAttention.mapRenderer` setting. `auto` takes WebGL2
 * on a hardware GPU and the canvas painter on a software rasterizer, where shaders run on the CPU
 * and lose to plain loops (`npm run bench` measures both); the reason is shown with the maps.
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

/** ANGLE's renderer strings run long ("ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device …"): the part worth a status line. */
function shortName(description: string): string {
  const software = /swiftshader|llvmpipe|lavapipe/i.exec(description);
  if (software) return software[0];
  const inner = /^ANGLE \((.*)\)$/.exec(description)?.[1] ?? description;
  return inner.length > 60 ? `${inner.slice(0, 57)}…` : inner;
}

export function choosePainter(setting: MapRendererSetting): { painter: MapPainter; note?: string } {
  if (setting === 'canvas2d') return { painter: canvas, note: 'set by sparseAttention.mapRenderer' };
  const painter = glPainter();
  if (!painter) return { painter: canvas, note: `no WebGL2 maps: ${glFailure ?? 'the WebGL2 context was lost'}` };
  if (setting === 'auto' && painter.software) return { painter: canvas, note: `software renderer (${shortName(painter.description)}): the canvas painter is faster` };
  return { painter, note: setting === 'webgl2' ? 'set by sparseAttention.mapRenderer' : `hardware WebGL2: ${shortName(painter.description)}` };
}
