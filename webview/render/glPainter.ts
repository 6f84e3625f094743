/**
 * The WebGL2 painter. Layers live in one R32F array texture on the GPU. Attention weights are
 * max-pooled there from the CSR probabilities (uploaded once per compute) by a fragment shader,
 * per viewport on demand; a second shader colours a layer (or the union of all) with the palette,
 * scale and threshold. Each map is then copied from the shared GL canvas onto its own 2D canvas,
 * which keeps one WebGL context however many heads there are.
 */
import type { SparseProbs } from '../../src/core';
import type { Viewport } from '../maps';
import { SOFTWARE_RENDERER } from '../compute/device';
import { LayerStyle, MapPainter, VIRIDIS } from './painter';
import { COLOUR_FRAGMENT, FULL_SCREEN_VERTEX, POOL_WEIGHTS_FRAGMENT } from './shaders';

/** CSR arrays are laid out as 2D textures this many texels wide (1D index k at (k % W, k / W)). */
const CSR_WIDTH = 4096;

interface CsrTextures {
  rowPtr: WebGLTexture;
  cols: WebGLTexture;
  probs: WebGLTexture;
  /** Where head h's rows start in rowPtr. */
  rowBase: number[];
}

function compile(gl: WebGL2RenderingContext, vertex: string, fragment: string): WebGLProgram {
  const program = gl.createProgram()!;
  for (const [type, source] of [[gl.VERTEX_SHADER, vertex], [gl.FRAGMENT_SHADER, fragment]] as const) {
    const shader = gl.createShader(type)!;
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`shader does not compile: ${gl.getShaderInfoLog(shader)}`);
    gl.attachShader(program, shader);
  }
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`shaders do not link: ${gl.getProgramInfoLog(program)}`);
  return program;
}

export class GlPainter implements MapPainter {
  readonly name = 'webgl2';
  private readonly canvas = document.createElement('canvas');
  private readonly gl: WebGL2RenderingContext;
  private readonly colourProgram: WebGLProgram;
  private readonly poolProgram: WebGLProgram | undefined;
  private readonly palette: WebGLTexture;
  private readonly framebuffer: WebGLFramebuffer;
  private layerTexture: WebGLTexture | undefined;
  private size = 0;
  private count = 0;
  private csr: CsrTextures | undefined;
  private csrSource: SparseProbs[] | undefined;
  lost = false;
  /** The GL renderer's name, and whether it is a software rasterizer (SwiftShader, llvmpipe). */
  readonly description: string;
  readonly software: boolean;

  /** Throws with the reason when WebGL2 (or a shader) is not available; the caller falls back. */
  constructor() {
    const gl = this.canvas.getContext('webgl2', { antialias: false, depth: false, preserveDrawingBuffer: true, premultipliedAlpha: false });
    if (!gl) throw new Error('WebGL2 is not available');
    this.gl = gl;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    this.description = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    this.software = SOFTWARE_RENDERER.test(this.description);
    this.canvas.addEventListener('webglcontextlost', () => (this.lost = true));
    this.colourProgram = compile(gl, FULL_SCREEN_VERTEX, COLOUR_FRAGMENT);
    // Rendering into float textures needs EXT_color_buffer_float; without it weights pool on the CPU.
    this.poolProgram = gl.getExtension('EXT_color_buffer_float') ? compile(gl, FULL_SCREEN_VERTEX, POOL_WEIGHTS_FRAGMENT) : undefined;
    gl.bindVertexArray(gl.createVertexArray());
    this.framebuffer = gl.createFramebuffer()!;
    this.palette = this.texture();
    const rgba = new Uint8Array(256 * 4);
    for (let v = 0; v < 256; v++) rgba.set([VIRIDIS[3 * v], VIRIDIS[3 * v + 1], VIRIDIS[3 * v + 2], 255], 4 * v);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 256, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, rgba);
  }

  /** Float and integer textures are not filterable: every texture samples NEAREST (texelFetch anyway). */
  private texture(target: number = this.gl.TEXTURE_2D): WebGLTexture {
    const gl = this.gl;
    const texture = gl.createTexture()!;
    gl.bindTexture(target, texture);
    gl.texParameteri(target, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(target, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    return texture;
  }

  layers(size: number, count: number): void {
    if (size === this.size && count === this.count && this.layerTexture) return;
    const gl = this.gl;
    if (this.layerTexture) gl.deleteTexture(this.layerTexture);
    this.layerTexture = this.texture(gl.TEXTURE_2D_ARRAY);
    gl.texStorage3D(gl.TEXTURE_2D_ARRAY, 1, gl.R32F, size, size, Math.max(1, count));
    this.size = size;
    this.count = count;
  }

  setLayer(layer: number, values: Float32Array): void {
    const gl = this.gl;
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, this.layerTexture!);
    gl.texSubImage3D(gl.TEXTURE_2D_ARRAY, 0, 0, 0, layer, this.size, this.size, 1, gl.RED, gl.FLOAT, values);
  }

  /** 1D data as a CSR_WIDTH-wide 2D texture; undefined when it exceeds the GPU's texture size. */
  private dataTexture(values: Int32Array | Float32Array): WebGLTexture | undefined {
    const gl = this.gl;
    const rows = Math.max(1, Math.ceil(values.length / CSR_WIDTH));
    if (rows > gl.getParameter(gl.MAX_TEXTURE_SIZE)) return undefined;
    const padded = values instanceof Int32Array ? new Int32Array(rows * CSR_WIDTH) : new Float32Array(rows * CSR_WIDTH);
    padded.set(values);
    const texture = this.texture();
    if (padded instanceof Int32Array) gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32I, CSR_WIDTH, rows, 0, gl.RED_INTEGER, gl.INT, padded);
    else gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, CSR_WIDTH, rows, 0, gl.RED, gl.FLOAT, padded);
    return texture;
  }

  useProbs(probs: SparseProbs[] | undefined): boolean {
    if (probs === this.csrSource) return this.csr !== undefined;
    const gl = this.gl;
    if (this.csr) for (const t of [this.csr.rowPtr, this.csr.cols, this.csr.probs]) gl.deleteTexture(t);
    this.csr = undefined;
    this.csrSource = probs;
    if (!probs || !this.poolProgram) return false;
    const total = probs.reduce((s, p) => s + p.cols.length, 0);
    const rowPtr = new Int32Array(probs.reduce((s, p) => s + p.rowPtr.length, 0));
    const cols = new Int32Array(total);
    const values = new Float32Array(total);
    const rowBase: number[] = [];
    let rowAt = 0;
    let cellAt = 0;
    for (const p of probs) {
      rowBase.push(rowAt);
      for (let r = 0; r < p.rowPtr.length; r++) rowPtr[rowAt + r] = p.rowPtr[r] + cellAt;
      cols.set(p.cols, cellAt);
      values.set(p.values, cellAt);
      rowAt += p.rowPtr.length;
      cellAt += p.cols.length;
    }
    const textures = [this.dataTexture(rowPtr), this.dataTexture(cols), this.dataTexture(values)];
    if (textures.some((t) => !t)) {
      for (const t of textures) if (t) gl.deleteTexture(t);
      return false;
    }
    this.csr = { rowPtr: textures[0]!, cols: textures[1]!, probs: textures[2]!, rowBase };
    return true;
  }

  poolWeights(layer: number, head: number, view: Viewport): boolean {
    const csr = this.csr;
    const program = this.poolProgram;
    if (!csr || !program || this.lost) return false;
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
    gl.framebufferTextureLayer(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, this.layerTexture!, 0, layer);
    gl.viewport(0, 0, this.size, this.size);
    gl.useProgram(program);
    const textures: Array<[string, WebGLTexture]> = [['rowPtr', csr.rowPtr], ['cols', csr.cols], ['probs', csr.probs]];
    textures.forEach(([name, texture], unit) => {
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, texture);
      gl.uniform1i(gl.getUniformLocation(program, name), unit);
    });
    gl.uniform1i(gl.getUniformLocation(program, 'width'), CSR_WIDTH);
    gl.uniform1i(gl.getUniformLocation(program, 'rowBase'), csr.rowBase[head]);
    gl.uniform3i(gl.getUniformLocation(program, 'view'), view.row, view.col, view.span);
    gl.uniform1i(gl.getUniformLocation(program, 'size'), this.size);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return true;
  }

  paint(target: HTMLCanvasElement, layer: number | 'all', style: LayerStyle): void {
    const gl = this.gl;
    const program = this.colourProgram;
    if (this.canvas.width !== this.size || this.canvas.height !== this.size) {
      this.canvas.width = this.size;
      this.canvas.height = this.size;
    }
    gl.viewport(0, 0, this.size, this.size);
    gl.useProgram(program);
    const u = (name: string) => gl.getUniformLocation(program, name);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, this.layerTexture!);
    gl.uniform1i(u('layers'), 0);
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, this.palette);
    gl.uniform1i(u('palette'), 1);
    gl.uniform1i(u('layer'), layer === 'all' ? -1 : layer);
    gl.uniform1i(u('layerCount'), this.count);
    gl.uniform1i(u('size'), this.size);
    gl.uniform1i(u('kind'), style.kind === 'counts' ? 0 : style.kind === 'flags' ? 1 : 2);
    if (style.kind === 'counts') {
      gl.uniform3fv(u('off'), style.off);
      gl.uniform3fv(u('on'), style.on);
      gl.uniform1f(u('total'), style.total);
    } else if (style.kind === 'flags') gl.uniform3fv(u('flagColours'), style.colours.flat());
    else {
      gl.uniform1i(u('logScale'), style.log ? 1 : 0);
      gl.uniform1f(u('threshold'), style.threshold);
      gl.uniform3fv(u('background'), style.background);
      gl.uniform3fv(u('belowThreshold'), style.belowThreshold);
    }
    gl.drawArrays(gl.TRIANGLES, 0, 3);
    target.width = this.size;
    target.height = this.size;
    target.getContext('2d')!.drawImage(this.canvas, 0, 0);
  }
}
