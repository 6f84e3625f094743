/**
 * The most a WebAssembly SIMD kernel can do on one core of this machine in this engine: f32x4
 * fused multiply-adds (relaxed SIMD, as our block kernel uses) on 12 independent accumulators,
 * nothing loaded or stored, counted as 8 flops each. No attention kernel can exceed it; the bench
 * sets the targets of issue 12 against it. Assembled here with wabt (a dev dependency), so nothing
 * of it ships.
 */
import { enableRelaxedSimd } from '../../src/cli/relaxedSimd';

const ACCUMULATORS = 12;

/** The engine's WebAssembly (the project's typings have no DOM or WebAssembly namespace). */
const wasm = (globalThis as unknown as {
  WebAssembly: {
    validate(bytes: Uint8Array): boolean;
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: unknown };
  };
}).WebAssembly;

function ceilingWat(): string {
  const locals = Array.from({ length: ACCUMULATORS }, (_, i) => `(local $a${i} v128)`).join(' ');
  const body = Array.from({ length: ACCUMULATORS }, (_, i) => `(local.set $a${i} (f32x4.relaxed_madd (local.get $a${i}) (local.get $m) (local.get $c)))`).join('\n');
  let sum = '(local.get $a0)';
  for (let i = 1; i < ACCUMULATORS; i++) sum = `(f32x4.add ${sum} (local.get $a${i}))`;
  return `(module (func (export "run") (param $n i32) (result f32) (local $m v128) (local $c v128) ${locals}
    (local.set $m (f32x4.splat (f32.const 0.999))) (local.set $c (f32x4.splat (f32.const 0.001)))
    (loop $l ${body}
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (f32x4.extract_lane 0 ${sum})))`;
}

export interface SimdCeiling {
  /** One measurement, GFLOP/s; about 0.1 s each. */
  measure(): number;
}

/** The probe, compiled and warmed up (past V8's baseline tier), or undefined without relaxed SIMD. */
export async function simdCeiling(): Promise<SimdCeiling | undefined> {
  const wabt = await require('wabt')();
  // Node 20 has relaxed SIMD behind a flag (the CLI sets it the same way); the validation below decides.
  enableRelaxedSimd();
  const bytes = wabt.parseWat('ceiling.wat', ceilingWat(), { simd: true, relaxed_simd: true }).toBinary({}).buffer as Uint8Array;
  if (!wasm.validate(bytes)) return undefined;
  const run = (new wasm.Instance(new wasm.Module(bytes), {}).exports as { run(n: number): number }).run;
  const iterations = 40_000_000;
  for (let warm = 0; warm < 3; warm++) run(iterations);
  return {
    measure() {
      const t0 = process.hrtime.bigint();
      run(iterations);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      return (iterations * ACCUMULATORS * 8) / seconds / 1e9;
    },
  };
}
