/** The kernel's WebAssembly module (kernel.wat, committed as base64) and its memories, shared by both SIMD paths. */
import { KERNEL_RELAXED_WASM_BASE64, KERNEL_WASM_BASE64 } from './kernel-wasm';

/** The WebAssembly API both browsers and Node provide, typed here so the core needs no DOM or Node typings. */
export interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
}
export const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * `relaxed`: the kernel with fused multiply-adds (relaxed SIMD: Chromium 114+, Node 22+, Node 20
 * with --experimental-wasm-relaxed-simd); `plain`: SIMD only. `auto` takes relaxed where valid.
 */
export type KernelVariant = 'relaxed' | 'plain';

const compiled = new Map<KernelVariant, WasmModule | null>();
// Stryker disable next-line StringLiteral: `preferred` is only ever compared with 'plain', so any other start value is 'auto'
let preferred: KernelVariant | 'auto' = 'auto';

export function decodeBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  // Stryker disable next-line Regex: '=' occurs in base64 only as the trailing padding, so the first run of '=' is the last; `/=$/` is killed
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

/** One variant's compiled module, or null where the engine lacks it (or a CSP blocks WebAssembly). */
export function kernelModuleOf(variant: KernelVariant): WasmModule | null {
  let module = compiled.get(variant);
  if (module === undefined) {
    module = null;
    // Stryker disable BlockStatement: module is already null when anything in the try throws, so an emptied catch block is the same (an emptied try block is killed)
    try {
      const bytes = decodeBase64(variant === 'relaxed' ? KERNEL_RELAXED_WASM_BASE64 : KERNEL_WASM_BASE64);
      // validate() first: an engine without relaxed SIMD refuses the module, which is no error here.
      if (wasm && wasm.validate(bytes)) module = new wasm.Module(bytes);
    } catch {
      module = null;
    }
    // Stryker restore BlockStatement
    compiled.set(variant, module);
  }
  return module;
}

/** The variant the kernels use: the preferred one where the engine has it, else plain SIMD, else null. */
export function kernelVariant(): KernelVariant | null {
  if (preferred !== 'plain' && kernelModuleOf('relaxed')) return 'relaxed';
  return kernelModuleOf('plain') ? 'plain' : null;
}

/** Looks again for variants found missing (after a host enabled relaxed SIMD: src/cli/relaxedSimd.ts). */
export function recheckKernelVariants(): void {
  for (const [variant, module] of compiled) if (module === null) compiled.delete(variant);
}

/** Chooses the variant (tests compare both; `auto` is the default). */
export function preferKernelVariant(variant: KernelVariant | 'auto'): void {
  preferred = variant;
}

/** The compiled module the kernels use, or null where WebAssembly SIMD is unavailable. */
export function kernelModule(): WasmModule | null {
  const variant = kernelVariant();
  return variant ? kernelModuleOf(variant) : null;
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
