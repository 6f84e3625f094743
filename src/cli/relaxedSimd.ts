/**
 * Relaxed SIMD (fused multiply-add in the block-GEMM kernel) for Node 20, whose V8 (11.3) has it
 * behind --experimental-wasm-relaxed-simd; Node 22+ and Chromium ship it. V8 flags are per process,
 * so setting it on the main thread before any worker starts serves the workers too; it only adds a
 * WebAssembly feature and is set before any kernel compiles.
 */
import { setFlagsFromString } from 'v8';
import { recheckKernelVariants, wasm } from '../core/attention/wasmModule';

/** (module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))) */
const PROBE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

export function relaxedSimdValid(): boolean {
  try {
    return wasm?.validate(PROBE) ?? false;
  } catch {
    return false;
  }
}

/** True when relaxed SIMD is on afterwards (already, or by the flag). */
export function enableRelaxedSimd(): boolean {
  if (relaxedSimdValid()) return true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  const on = relaxedSimdValid();
  if (on) recheckKernelVariants();
  return on;
}
