/**
 * The CPU path with its d-wide loops in WebAssembly SIMD (kernel.wat): JS walks rows and
 * ranges and computes exp(); the module computes scores and weighted sums of V rows four lanes
 * at a time. Falls back to the plain JS loops (cpu.ts) where SIMD or the shape does not allow it.
 */
import type { HeadMask, PatternMask } from '../mask';
import { RangeList } from '../ranges';
import { AttentionBuffers, CpuAttentionOptions } from './cpu';
import { KERNEL_WASM_BASE64 } from './kernel-wasm';
import { CancelledError, QKV, SparseProbs } from './types';

interface KernelExports {
  scores(q: number, k: number, ranges: number, nranges: number, d: number, scale: number, out: number): number;
  accumulate(v: number, ranges: number, nranges: number, d: number, weights: number, inv: number, out: number): void;
}

/** The WebAssembly API both browsers and Node provide, typed here so the core needs no DOM or Node typings. */
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: WasmModule | null | undefined;

function decodeBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const ch of clean) {
    value = (value << 6) | alphabet.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

/** The compiled module, or null where WebAssembly SIMD is unavailable (or blocked by a CSP). */
function kernelModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      if (!wasm) throw new Error('no WebAssembly');
      compiled = new wasm.Module(decodeBase64(KERNEL_WASM_BASE64));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export function simdAvailable(d: number): boolean {
  return d % 4 === 0 && kernelModule() !== null;
}

/** Computes heads [h0, h1) into `buffers` with the SIMD kernel; d must be a multiple of 4. */
export function simdAttentionHeads(
  mask: PatternMask,
  input: QKV,
  h0: number,
  h1: number,
  buffers: AttentionBuffers,
  options: CpuAttentionOptions = {},
): SparseProbs[] {
  const module = kernelModule();
  if (!module || input.d % 4 !== 0) throw new Error('the SIMD kernel needs WebAssembly SIMD and d divisible by 4');
  const { n, d } = input;
  const headFloats = n * d;
  // Layout (bytes): q | k | v | out for one head, then ranges (n pairs) and row weights (n floats).
  const qPtr = 0;
  const kPtr = qPtr + headFloats * 4;
  const vPtr = kPtr + headFloats * 4;
  const outPtr = vPtr + headFloats * 4;
  const rangesPtr = outPtr + headFloats * 4;
  const weightsPtr = rangesPtr + n * 8;
  const bytes = weightsPtr + n * 4;
  const memory = new wasm!.Memory({ initial: Math.ceil(bytes / 65536) });
  const kernel = new wasm!.Instance(module, { env: { memory } }).exports as KernelExports;
  const floats = new Float32Array(memory.buffer);
  const ints = new Int32Array(memory.buffer);
  const probs: SparseProbs[] = [];
  for (let h = h0; h < h1; h++) {
    const offset = h * headFloats;
    floats.set(input.q.subarray(offset, offset + headFloats), qPtr / 4);
    floats.set(input.k.subarray(offset, offset + headFloats), kPtr / 4);
    floats.set(input.v.subarray(offset, offset + headFloats), vPtr / 4);
    const p = attendHead(mask.heads[h], n, d, kernel, floats, ints, { qPtr, kPtr, vPtr, outPtr, rangesPtr, weightsPtr }, h, buffers, options);
    buffers.out.set(floats.subarray(outPtr / 4, outPtr / 4 + headFloats), offset);
    if (p) probs.push(p);
  }
  return probs;
}

interface Pointers {
  qPtr: number;
  kPtr: number;
  vPtr: number;
  outPtr: number;
  rangesPtr: number;
  weightsPtr: number;
}

function attendHead(
  head: HeadMask,
  n: number,
  d: number,
  kernel: KernelExports,
  floats: Float32Array,
  ints: Int32Array,
  at: Pointers,
  h: number,
  buffers: AttentionBuffers,
  options: CpuAttentionOptions,
): SparseProbs | undefined {
  const scale = 1 / Math.sqrt(d);
  const list = new RangeList();
  const rowPtr = options.withProbs ? new Int32Array(n + 1) : undefined;
  const cols: number[] = [];
  const values: number[] = [];
  const weights = at.weightsPtr / 4;
  for (let i = 0; i < n; i++) {
    if ((i & 255) === 0 && options.cancel?.cancelled) throw new CancelledError();
    head.row(i, list);
    const nr = list.length;
    for (let r = 0; r < nr; r++) {
      ints[at.rangesPtr / 4 + 2 * r] = list.starts[r];
      ints[at.rangesPtr / 4 + 2 * r + 1] = list.ends[r];
    }
    const rowOut = at.outPtr + i * d * 4;
    const max = kernel.scores(at.qPtr + i * d * 4, at.kPtr, at.rangesPtr, nr, d, scale, at.weightsPtr);
    const count = list.count();
    let sum = 0;
    for (let t = 0; t < count; t++) {
      const w = Math.exp(floats[weights + t] - max);
      floats[weights + t] = w;
      sum += w;
    }
    const inv = count ? 1 / sum : 0;
    kernel.accumulate(at.vPtr, at.rangesPtr, nr, d, at.weightsPtr, inv, rowOut);
    buffers.lse[h * n + i] = count ? max + Math.log(sum) : -Infinity;
    if (rowPtr) {
      let t = 0;
      for (let r = 0; r < nr; r++) {
        for (let j = list.starts[r]; j < list.ends[r]; j++) {
          cols.push(j);
          values.push(floats[weights + t++] * inv);
        }
      }
      rowPtr[i + 1] = cols.length;
    }
  }
  return rowPtr ? { rowPtr, cols: Int32Array.from(cols), values: Float32Array.from(values) } : undefined;
}
