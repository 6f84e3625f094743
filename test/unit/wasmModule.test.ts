/**
 * wasmModule.ts: which kernel variant runs, compiled once, rechecked when asked; memories and the
 * error when one cannot be reserved; instances over a memory. On the real engine, and on a fake
 * WebAssembly object (a fresh copy of the module loaded with it) that says which bytes it was given,
 * so that an engine without relaxed SIMD, a failing compile, refused memory, or no WebAssembly at
 * all can be played.
 */
import { strict as assert } from 'assert';
import { decodeBase64, WasmMemoryError } from '../../src/core/attention/wasmModule';
import { KERNEL_RELAXED_WASM_BASE64, KERNEL_WASM_BASE64 } from '../../src/core/attention/kernel-wasm';
import { enableRelaxedSimd } from '../../src/cli/relaxedSimd';
import { freshAttention } from '../support/smallAttention';

type Variant = 'relaxed' | 'plain';

/** A WebAssembly stand-in: validate answers per variant, Module remembers which bytes it compiled. */
function fakeEngine(valid: Record<Variant, boolean>, options: { compileThrows?: boolean; memoryThrows?: unknown } = {}) {
  const relaxed = decodeBase64(KERNEL_RELAXED_WASM_BASE64);
  const plain = decodeBase64(KERNEL_WASM_BASE64);
  const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  const which = (bytes: Uint8Array): Variant => (same(bytes, relaxed) ? 'relaxed' : same(bytes, plain) ? 'plain' : (assert.fail('unknown bytes') as never));
  const log = { validated: [] as Variant[], compiled: [] as Variant[], memories: [] as number[], instances: [] as Array<{ module: unknown; imports: unknown }> };
  const api = {
    validate(bytes: Uint8Array) {
      const variant = which(bytes);
      log.validated.push(variant);
      return valid[variant];
    },
    Module: class {
      readonly variant: Variant;
      constructor(bytes: Uint8Array) {
        if (options.compileThrows) throw new Error('compile failed');
        this.variant = which(bytes);
        log.compiled.push(this.variant);
      }
    },
    Memory: class {
      readonly buffer: ArrayBuffer;
      constructor({ initial }: { initial: number }) {
        if (options.memoryThrows !== undefined) throw options.memoryThrows;
        log.memories.push(initial);
        this.buffer = new ArrayBuffer(initial * 65536);
      }
    },
    Instance: class {
      readonly exports = { fake: true };
      constructor(module: unknown, imports: unknown) {
        log.instances.push({ module, imports });
      }
    },
  };
  return { api, log, ...freshAttention(api) };
}

const variantOf = (module: unknown) => (module as { variant?: Variant } | null)?.variant ?? null;

describe('the kernel WebAssembly module and its memories', () => {
  describe('on this engine', () => {
    // A fresh copy of the module for each run: its cache and preference start empty, whatever an
    // earlier test (or, under mutation testing, an earlier mutant in this process) left in the shared one.
    let engine: ReturnType<typeof freshAttention>['wasmModule'];
    before(() => {
      assert.ok(enableRelaxedSimd(), 'Node 20+ has relaxed SIMD (behind a flag on Node 20)');
      engine = freshAttention((globalThis as { WebAssembly?: unknown }).WebAssembly).wasmModule;
    });

    it('compiles each variant once; relaxed by default, plain when preferred', () => {
      const { kernelModule, kernelModuleOf, kernelVariant, preferKernelVariant, recheckKernelVariants } = engine;
      const plain = kernelModuleOf('plain');
      const relaxed = kernelModuleOf('relaxed');
      assert.ok(plain && relaxed && plain !== relaxed);
      assert.equal(kernelModuleOf('plain'), plain, 'the same module again');
      assert.equal(kernelVariant(), 'relaxed');
      assert.equal(kernelModule(), relaxed);
      preferKernelVariant('plain');
      assert.equal(kernelVariant(), 'plain');
      assert.equal(kernelModule(), plain);
      preferKernelVariant('relaxed');
      assert.equal(kernelModule(), relaxed);
      recheckKernelVariants();
      assert.equal(kernelModuleOf('plain'), plain, 'a module found is kept');
      assert.equal(kernelModuleOf('relaxed'), relaxed);
    });

    it('memories are whole 64 KiB pages, at least the bytes asked; an instance imports env.memory', () => {
      const { instantiate, kernelModuleOf, reserveMemory } = engine;
      assert.equal(reserveMemory(1).buffer.byteLength, 65536);
      assert.equal(reserveMemory(65536).buffer.byteLength, 65536);
      assert.equal(reserveMemory(65537).buffer.byteLength, 131072);
      const memory = reserveMemory(65536);
      const kernel = instantiate<{ scores: unknown }>(kernelModuleOf('plain')!, memory);
      assert.equal(typeof kernel.scores, 'function');
    });
  });

  describe('on a fake engine', () => {
    it('without relaxed SIMD: plain, whatever is preferred; each variant validated and compiled once', () => {
      const { log, wasmModule } = fakeEngine({ relaxed: false, plain: true });
      assert.equal(wasmModule.kernelVariant(), 'plain');
      assert.equal(variantOf(wasmModule.kernelModule()), 'plain');
      assert.equal(wasmModule.kernelModuleOf('relaxed'), null);
      wasmModule.preferKernelVariant('relaxed');
      assert.equal(wasmModule.kernelVariant(), 'plain');
      assert.deepEqual(log.validated, ['relaxed', 'plain']);
      assert.deepEqual(log.compiled, ['plain'], 'bytes that do not validate are not compiled');
    });

    it('a variant found missing is looked for again after recheckKernelVariants; one found is kept', () => {
      const valid = { relaxed: false, plain: true };
      const { log, wasmModule } = fakeEngine(valid);
      const plain = wasmModule.kernelModuleOf('plain');
      assert.equal(wasmModule.kernelVariant(), 'plain');
      valid.relaxed = true;
      assert.equal(wasmModule.kernelVariant(), 'plain', 'a missing variant stays missing until rechecked');
      wasmModule.recheckKernelVariants();
      assert.equal(wasmModule.kernelVariant(), 'relaxed');
      assert.equal(variantOf(wasmModule.kernelModule()), 'relaxed');
      assert.equal(wasmModule.kernelModuleOf('plain'), plain);
      assert.deepEqual(log.compiled, ['plain', 'relaxed']);
      wasmModule.preferKernelVariant('plain');
      assert.equal(wasmModule.kernelVariant(), 'plain');
      assert.equal(variantOf(wasmModule.kernelModule()), 'plain');
      wasmModule.preferKernelVariant('auto');
      assert.equal(wasmModule.kernelVariant(), 'relaxed');
    });

    it('no SIMD, a compile that throws, or no WebAssembly at all: no module', () => {
      const none = fakeEngine({ relaxed: false, plain: false }).wasmModule;
      assert.equal(none.kernelVariant(), null);
      assert.equal(none.kernelModule(), null);
      const failing = fakeEngine({ relaxed: true, plain: true }, { compileThrows: true });
      assert.equal(failing.wasmModule.kernelModuleOf('plain'), null);
      assert.equal(failing.wasmModule.kernelVariant(), null);
      assert.deepEqual(failing.log.validated, ['plain', 'relaxed'], 'a failed compile is remembered, not retried');
      const absent = freshAttention(undefined).wasmModule;
      assert.equal(absent.kernelModuleOf('relaxed'), null);
      assert.equal(absent.kernelVariant(), null);
      assert.equal(absent.kernelModule(), null);
    });

    it('memory in whole pages; instances get the memory as env.memory', () => {
      const { log, wasmModule } = fakeEngine({ relaxed: true, plain: true });
      for (const bytes of [0, 1, 65536, 65537, 3 * 65536]) wasmModule.reserveMemory(bytes);
      assert.deepEqual(log.memories, [0, 1, 1, 2, 3]);
      const memory = wasmModule.reserveMemory(10);
      const module = wasmModule.kernelModule()!;
      assert.deepEqual(wasmModule.instantiate(module, memory), { fake: true });
      assert.equal(log.instances.length, 1);
      assert.equal(log.instances[0].module, module);
      assert.deepEqual(Object.keys(log.instances[0].imports as object), ['env']);
      assert.deepEqual(Object.keys((log.instances[0].imports as { env: object }).env), ['memory']);
      assert.equal((log.instances[0].imports as { env: { memory: unknown } }).env.memory, memory);
    });

    it('memory refused: WasmMemoryError with the size in MiB and the cause', () => {
      const refused = fakeEngine({ relaxed: true, plain: true }, { memoryThrows: new RangeError('Out of memory: Cannot allocate Wasm memory') }).wasmModule;
      const error = (() => {
        try {
          refused.reserveMemory(1.5 * 2 ** 20);
        } catch (e) {
          return e;
        }
      })() as InstanceType<typeof refused.WasmMemoryError>;
      assert.ok(error instanceof refused.WasmMemoryError && error instanceof Error);
      assert.equal(error.name, 'WasmMemoryError');
      assert.equal(error.bytes, 1.5 * 2 ** 20);
      assert.equal(error.message, 'WebAssembly memory of 1.5 MiB could not be reserved (Out of memory: Cannot allocate Wasm memory; an address-space limit such as ulimit -v?)');
      const text = fakeEngine({ relaxed: true, plain: true }, { memoryThrows: 'no address space' }).wasmModule;
      assert.throws(() => text.reserveMemory(100), (e: Error) => e.message === 'WebAssembly memory of 0.0 MiB could not be reserved (no address space; an address-space limit such as ulimit -v?)');
      assert.equal(new WasmMemoryError(3 * 2 ** 20 + 2 ** 19, 42).message, 'WebAssembly memory of 3.5 MiB could not be reserved (42; an address-space limit such as ulimit -v?)');
    });
  });
});
