/** The kernel's WebAssembly module (kernel.wat, committed as base64) and its memories, shared by both SIMD paths. */
import { KERNEL_WASM_BASE64 } from './kernel-wasm';

/** The WebAssembly API both browsers and Node provide, typed here so the core needs no DOM or Node typings. */
export interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
}
export const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: WasmModule | null | undefined;

export function decodeBase64(text: string): Uint8Array {
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
export function kernelModule(): WasmModule | null {
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

/**
 * WebAssembly memory could not be reserved: V8 reserves several GiB of address space per memory
 * (guard regions), which an address-space limit (`ulimit -v`) forbids. The caller falls back.
 */
export class WasmMemoryError extends Error {
  constructor(readonly bytes: number, cause: unknown) {
    super(`WebAssembly memory of ${(bytes / 2 ** 20).toFixed(1)} MiB could not be reserved (${cause instanceof Error ? cause.message : String(cause)}; an address-space limit such as ulimit -v?)`);
    this.name = 'WasmMemoryError';
  }
}

/** A memory of at least `bytes`, or WasmMemoryError. */
export function reserveMemory(bytes: number): { readonly buffer: ArrayBuffer } {
  try {
    return new wasm!.Memory({ initial: Math.ceil(bytes / 65536) });
  } catch (e) {
    throw new WasmMemoryError(bytes, e);
  }
}

/** A fresh instance of the kernel over `memory`. */
export function instantiate<T>(module: WasmModule, memory: { readonly buffer: ArrayBuffer }): T {
  return new wasm!.Instance(module, { env: { memory } }).exports as T;
}
