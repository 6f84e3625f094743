/**
 * gpu.js in Node: the webasm backend always, WebGPU through the optional `webgpu` package
 * (Dawn) when a Vulkan driver answers. Software adapters (SwiftShader, llvmpipe) are reported
 * so that `auto` can prefer the CPU path on them. gpu.js itself loads on first use (`gpuJs`): the
 * CPU path never needs it.
 */
import type { GPU } from 'gpu.js';
import { UsageError } from './args';

export interface NodeGpu {
  gpu: GPU;
  /** What ran: e.g. "webgpu on google swiftshader" or "webasm". */
  device: string;
  software: boolean;
  dispose(): void;
}

function gpuJs(): typeof import('gpu.js') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('gpu.js');
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software/i;

interface Adapter {
  info?: { vendor?: string; architecture?: string; description?: string };
}

/** Resolves to an adapter, or to a sentence saying why there is none. */
async function webgpuAdapter(): Promise<{ adapter?: Adapter; why?: string; cleanup: () => void }> {
  let dawn: { create(flags: string[]): unknown; globals: object };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    dawn = require('webgpu');
  } catch {
    return { why: 'the optional npm package `webgpu` is not installed (npm install webgpu@0.6)', cleanup: () => {} };
  }
  const scope = globalThis as { navigator?: unknown };
  const hadNavigator = 'navigator' in scope;
  Object.assign(globalThis, dawn.globals);
  scope.navigator = { gpu: dawn.create([]) };
  // A leftover navigator keeps Node alive: remove it when done.
  const cleanup = () => {
    if (!hadNavigator) delete scope.navigator;
  };
  const adapter = (await (scope.navigator as { gpu: { requestAdapter(): Promise<Adapter | null> } }).gpu.requestAdapter()) ?? undefined;
  if (!adapter) {
    return {
      why: 'no WebGPU adapter: install libvulkan1 and a Vulkan driver, or set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json for SwiftShader',
      cleanup,
    };
  }
  return { adapter, cleanup };
}

function describe(adapter: Adapter): string {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
}

export async function nodeWebGpu(): Promise<NodeGpu> {
  const { adapter, why, cleanup } = await webgpuAdapter();
  if (!adapter) {
    cleanup();
    throw new UsageError(`--backend webgpu is unavailable: ${why}`);
  }
  const device = describe(adapter);
  const gpu = new (gpuJs().GPU)({ mode: 'webgpu' });
  return { gpu, device: `webgpu on ${device}`, software: SOFTWARE.test(device), dispose: () => (gpu.destroy(), cleanup()) };
}

/** A hardware WebGPU adapter if there is one; otherwise the reason `auto` chose the CPU. */
export async function hardwareWebGpu(): Promise<NodeGpu | string> {
  try {
    const gpu = await nodeWebGpu();
    if (!gpu.software) return gpu;
    gpu.dispose();
    return `the only WebGPU adapter is a software renderer (${gpu.device}), slower than the CPU path`;
  } catch (e) {
    return (e as Error).message.replace(/^--backend webgpu is unavailable: /, '');
  }
}

export function nodeWebAssembly(): NodeGpu {
  const gpu = new (gpuJs().GPU)({ mode: 'webasm' });
  return { gpu, device: 'webasm (WebAssembly SIMD)', software: true, dispose: () => gpu.destroy() };
}

/**
 * Runs `fn` with console output collected instead of printed: gpu.js prints whole generated
 * shaders and "falling back" warnings, which belong in a --verbose report, not on the terminal.
 */
export async function withQuietConsole<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const saved = { log: console.log, warn: console.warn, error: console.error };
  const keep = (...parts: unknown[]) => lines.push(parts.map(String).join(' '));
  Object.assign(console, { log: keep, warn: keep, error: keep });
  try {
    return { value: await fn(), lines };
  } catch (e) {
    if (e instanceof Error && lines.length) e.stack = `${e.stack ?? e.message}\n${lines.join('\n')}`;
    throw e;
  } finally {
    Object.assign(console, saved);
  }
}
