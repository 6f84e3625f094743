/**
 * What the webview can compute on: WebGPU and WebGL2 adapters, and whether they are software
 * renderers (SwiftShader, llvmpipe), where the CPU path is faster than any gpu.js kernel.
 */
export type BackendName = 'cpu' | 'webasm' | 'webgl2' | 'webgpu';
export type BackendPreference = 'auto' | BackendName;

export interface Adapter {
  description: string;
  software: boolean;
}

export interface DeviceReport {
  webgpu?: Adapter;
  webgl2?: Adapter;
  wasm: boolean;
}

/** Renderer names of software rasterizers (shaders run on the CPU there). */
export const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|software|basic render/i;

function webgl2Adapter(): Adapter | undefined {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return undefined;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const description = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { description, software: SOFTWARE_RENDERER.test(description) };
}

async function webgpuAdapter(): Promise<Adapter | undefined> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
  if (!gpu) return undefined;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return undefined;
  const info = adapter.info ?? {};
  const description = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter';
  return { description, software: SOFTWARE_RENDERER.test(description) };
}

export async function detectDevice(): Promise<DeviceReport> {
  return { webgpu: await webgpuAdapter(), webgl2: webgl2Adapter(), wasm: typeof WebAssembly === 'object' };
}

/**
 * The backend to run and why. `auto` prefers a hardware WebGPU, then hardware WebGL2, else the
 * CPU path (which beats gpu.js on software renderers); a forced choice that is unavailable is an error.
 */
export function chooseBackend(preference: BackendPreference, device: DeviceReport): { backend: BackendName; reason: string } {
  if (preference !== 'auto') {
    const missing =
      (preference === 'webgpu' && !device.webgpu) || (preference === 'webgl2' && !device.webgl2) || (preference === 'webasm' && !device.wasm);
    if (missing) throw new Error(`the ${preference} backend is not available in this webview: set sparseAttention.computeBackend to auto`);
    return { backend: preference, reason: 'set by sparseAttention.computeBackend' };
  }
  if (device.webgpu && !device.webgpu.software) return { backend: 'webgpu', reason: `hardware WebGPU: ${device.webgpu.description}` };
  if (device.webgl2 && !device.webgl2.software) return { backend: 'webgl2', reason: `hardware WebGL2: ${device.webgl2.description}` };
  const software = device.webgpu?.description ?? device.webgl2?.description;
  return { backend: 'cpu', reason: software ? `software renderer (${software}): the CPU path is faster` : 'no GPU adapter' };
}

/**
 * What to try when `backend` fails: WebGPU moves to WebGL2 (when there is one), and every gpu.js
 * backend ends on the CPU path, which always runs.
 */
export function fallbackChain(backend: BackendName, device: DeviceReport): BackendName[] {
  if (backend === 'webgpu') return device.webgl2 ? ['webgl2', 'cpu'] : ['cpu'];
  return backend === 'cpu' ? [] : ['cpu'];
}
