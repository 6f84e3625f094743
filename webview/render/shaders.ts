/**
 * GLSL ES 3.0 for the map painter. Both passes draw one full-screen triangle. Integer arithmetic
 * mirrors the CPU pooling exactly: pixel p of a view covers cells [ceil(p·span/size),
 * ceil((p+1)·span/size)) from the view's origin, so every cell lands in exactly one pixel.
 */

export const FULL_SCREEN_VERTEX = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

/**
 * Pass 1: max-pools one head's CSR probabilities over the pixel's cells into an R32F layer
 * (-1 where nothing is allowed). Columns are sorted per row, so each row is a binary search to the
 * pixel's first column and a short scan. Texel row y holds image row y (top first).
 */
export const POOL_WEIGHTS_FRAGMENT = `#version 300 es
precision highp float;
precision highp int;
precision highp isampler2D;
precision highp sampler2D;
uniform isampler2D rowPtr;
uniform isampler2D cols;
uniform sampler2D probs;
uniform int width;
uniform int rowBase;
uniform ivec3 view;
uniform int size;
out vec4 pooled;
int intAt(isampler2D t, int k) { return texelFetch(t, ivec2(k % width, k / width), 0).r; }
int firstIndex(int x) { return (x * view.z + size - 1) / size; }
void main() {
  int px = int(gl_FragCoord.x);
  int py = int(gl_FragCoord.y);
  int i0 = view.x + firstIndex(py);
  int i1 = view.x + firstIndex(py + 1);
  int j0 = view.y + firstIndex(px);
  int j1 = view.y + firstIndex(px + 1);
  float best = -1.0;
  for (int i = i0; i < i1; i++) {
    int lo = intAt(rowPtr, rowBase + i);
    int end = intAt(rowPtr, rowBase + i + 1);
    int hi = end;
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      if (intAt(cols, mid) < j0) lo = mid + 1; else hi = mid;
    }
    for (int t = lo; t < end; t++) {
      if (intAt(cols, t) >= j1) break;
      best = max(best, texelFetch(probs, ivec2(t % width, t / width), 0).r);
    }
  }
  pooled = vec4(best, 0.0, 0.0, 1.0);
}`;

/** Pass 2: one layer (or all, combined) to colours, with the same rules as colourOf in canvasPainter.ts. */
export const COLOUR_FRAGMENT = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2DArray;
precision highp sampler2D;
uniform sampler2DArray layers;
uniform int layer;
uniform int layerCount;
uniform int size;
uniform int kind;
uniform vec3 off;
uniform vec3 on;
uniform float total;
uniform vec3 flagColours[4];
uniform sampler2D palette;
uniform bool logScale;
uniform float threshold;
uniform vec3 background;
uniform vec3 belowThreshold;
out vec4 colour;
float valueAt(ivec2 p) {
  if (layer >= 0) return texelFetch(layers, ivec3(p, layer), 0).r;
  float v = kind == 2 ? -1.0 : 0.0;
  for (int l = 0; l < layerCount; l++) {
    float x = texelFetch(layers, ivec3(p, l), 0).r;
    v = kind == 2 ? max(v, x) : v + x;
  }
  return v;
}
void main() {
  ivec2 p = ivec2(int(gl_FragCoord.x), size - 1 - int(gl_FragCoord.y));
  float v = valueAt(p);
  vec3 rgb;
  if (kind == 0) {
    float t = v == 0.0 ? 0.0 : 0.35 + 0.65 * v / total;
    rgb = off + (on - off) * t;
  } else if (kind == 1) {
    rgb = flagColours[clamp(int(v + 0.5), 0, 3)];
  } else if (v < 0.0) {
    rgb = background;
  } else if (v < threshold) {
    rgb = belowThreshold;
  } else {
    float t = logScale ? (log2(max(v, 1e-4)) * 0.30102999566398120 + 4.0) / 4.0 : v;
    int index = int(clamp(floor(t * 255.0 + 0.5), 0.0, 255.0));
    rgb = texelFetch(palette, ivec2(index, 0), 0).rgb * 255.0;
  }
  colour = vec4(floor(rgb + 0.5) / 255.0, 1.0);
}`;
