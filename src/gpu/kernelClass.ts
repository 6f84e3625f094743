/**
 * Which gpu.js kernel class a kernel is, by `instanceof` against gpu.js's exports: class names
 * do not survive minification (the shipped bundle renames `WebGL2Kernel` to two letters), the
 * exported property names do.
 */
import * as gpujs from 'gpu.js';

// Subclasses before their parents (WebGL2Kernel and HeadlessGLKernel extend WebGLKernel).
const KERNEL_CLASSES = ['WebGPUKernel', 'WebAssemblyKernel', 'HeadlessGLKernel', 'WebGL2Kernel', 'WebGLKernel', 'CPUKernel'] as const;
export type KernelClassName = (typeof KERNEL_CLASSES)[number];

/** The class each gpu.js mode compiles to when it works (anything else is a silent fallback). */
export const EXPECTED_KERNEL_CLASS: Record<string, KernelClassName> = {
  webgpu: 'WebGPUKernel',
  webasm: 'WebAssemblyKernel',
  headlessgl: 'HeadlessGLKernel',
  webgl2: 'WebGL2Kernel',
  webgl: 'WebGLKernel',
  cpu: 'CPUKernel',
};

function exported(name: string): unknown {
  // Node's gpu.js exports an object of classes; the browser bundle hangs them on GPU.
  const lib = gpujs as unknown as Record<string, unknown>;
  return lib[name] ?? (lib.GPU as Record<string, unknown> | undefined)?.[name] ?? (lib.default as Record<string, unknown> | undefined)?.[name];
}

export function kernelClassOf(kernel: object | undefined): KernelClassName | 'none' | 'unknown' {
  if (!kernel) return 'none';
  for (const name of KERNEL_CLASSES) {
    const cls = exported(name);
    if (typeof cls === 'function' && kernel instanceof cls) return name;
  }
  return 'unknown';
}
