/**
 * The WebAssembly SIMD path of the matmul (matmul.wat, committed as base64 in matmul-wasm.ts): one
 * instance and memory, kept and enlarged as calls need, holding x, the packed W, the bias and y.
 * Everything here returns false/null where WebAssembly SIMD or its memory is unavailable, and the
 * caller computes in JavaScript instead.
 */
import { decodeBase64, instantiate, reserveMemory, wasm, WasmMemoryError } from '../core/attention/wasmModule';
import type { WasmModule } from '../core/attention/wasmModule';
import { MATMUL_WASM_BASE64 } from './matmul-wasm';

interface MatmulExports {
  matmul(x: number, n: number, d: number, w: number, panels: number, bias: number, y: number, c0: number, c1: number, first: number): void;
}

/** Rows of W per pass of the kernel: a panel's chunk (512 × 32 bytes = 16 KiB) stays in L1 while the row tiles pass; measured no slower than one pass at d = 768 and d = 3072. */
const CHUNK = 512;
/** wasm32 addresses are 32-bit; past 2 GiB the JavaScript path runs instead. */
const MAX_BYTES = 2 ** 31;

let compiled: WasmModule | null | undefined;
let state: { memory: { readonly buffer: ArrayBuffer }; kernel: MatmulExports; bytes: number } | undefined;

function matmulModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      if (!wasm) throw new Error('no WebAssembly');
      compiled = new wasm.Module(decodeBase64(MATMUL_WASM_BASE64));
    } catch {
      // No SIMD (or a CSP that forbids compiling): the JavaScript path.
      compiled = null;
    }
  }
  return compiled;
}

/** Whether this runtime compiles the SIMD module. */
export function simdMatmulAvailable(): boolean {
  return matmulModule() !== null;
}

/** A kernel over at least `bytes` of memory, or null (no SIMD, too large, or the memory cannot be reserved). */
function kernelFor(bytes: number): { memory: { readonly buffer: ArrayBuffer }; kernel: MatmulExports } | null {
  const module = matmulModule();
  if (!module || bytes > MAX_BYTES) return null;
  if (state && state.bytes >= bytes) return state;
  // Grow by at least half again, so that a run's growing calls reserve only a few times.
  const size = Math.min(MAX_BYTES, Math.max(bytes, Math.ceil((state?.bytes ?? 0) * 1.5)));
  try {
    const memory = reserveMemory(size);
    state = { memory, kernel: instantiate<MatmulExports>(module, memory), bytes: size };
    return state;
  } catch (e) {
    if (e instanceof WasmMemoryError) return null;
    throw e;
  }
}

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * y [n, outDim] = x [n, d] · W + bias through the SIMD kernel, W packed in `panels` panels of 8
 * columns (`packed`, [panels, d, 8]) and the bias padded to 8 · panels; false when the kernel
 * cannot run here (y untouched).
 */
export function matmulSimd(x: Float32Array, n: number, d: number, packed: Float32Array, panels: number, bias: Float32Array, y: Float32Array, outDim: number): boolean {
  const width = panels * 8;
  const xAt = 0;
  const wAt = align(xAt + 4 * n * d);
  const biasAt = align(wAt + 4 * packed.length);
  const yAt = align(biasAt + 4 * width);
  const run = kernelFor(yAt + 4 * n * width);
  if (!run) return false;
  const { buffer } = run.memory;
  new Float32Array(buffer, xAt, n * d).set(x);
  new Float32Array(buffer, wAt, packed.length).set(packed);
  new Float32Array(buffer, biasAt, width).set(bias);
  // At least one pass, so that d = 0 still writes the bias.
  for (let c0 = 0; c0 === 0 || c0 < d; c0 += CHUNK) {
    run.kernel.matmul(xAt, n, d, wAt, panels, biasAt, yAt, c0, Math.min(d, c0 + CHUNK), c0 === 0 ? 1 : 0);
  }
  const out = new Float32Array(buffer, yAt, n * width);
  if (width === outDim) y.set(out);
  else for (let i = 0; i < n; i++) y.set(out.subarray(i * width, i * width + outDim), i * outDim);
  return true;
}
