/**
 * When a gpu.js backend fails (a shader that does not compile, a kernel that throws, gpu.js
 * quietly swapping in its CPU kernel, results that disagree with float64), the run moves on to
 * the next backend and finally to the CPU path. The user reads one sentence; the compiler's
 * whole text is kept for the log.
 */

export const BACKEND_LABELS: Record<string, string> = {
  webgpu: 'WebGPU',
  webgl2: 'WebGL2',
  webasm: 'gpu.js WebAssembly',
  cpu: 'the CPU path',
};

const label = (backend: string) => BACKEND_LABELS[backend] ?? backend;

/** Why a backend failed, in a few words (`stage`) and in full (`detail`). */
export class BackendFailure extends Error {
  constructor(
    readonly backend: string,
    readonly stage: string,
    readonly detail: string,
  ) {
    super(`${label(backend)} failed (${stage})`);
    this.name = 'BackendFailure';
  }
}

/** Thrown by a run whose kernels ran but are not the kind asked for, or whose numbers are wrong. */
export class BackendMisbehaved extends Error {
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(message);
    this.name = 'BackendMisbehaved';
  }
}

/** The few words that say where a backend's error came from. */
export function failureStage(error: unknown): string {
  if (error instanceof BackendMisbehaved) return error.stage;
  const text = error instanceof Error ? `${error.message}` : String(error);
  if (/compil|WGSL|GLSL|shader|redeclar|redefinition|syntax error|parse/i.test(text)) return 'shader compile';
  if (/device (was )?lost|context lost|CONTEXT_LOST/i.test(text)) return 'device lost';
  if (/out of memory|allocat|too large|exceeds|over this device's limit/i.test(text) || /\bOOM\b/.test(text)) return 'out of memory';
  if (/not (yet )?support|unavailable|not available|no .*adapter/i.test(text)) return 'unsupported';
  return 'kernel run';
}

export function backendFailure(backend: string, error: unknown): BackendFailure {
  if (error instanceof BackendFailure) return error;
  const detail = error instanceof Error ? error.stack ?? error.message : String(error);
  return new BackendFailure(backend, failureStage(error), detail);
}

/** "WebGPU failed (shader compile), used the CPU path"; several failures are joined by "and". */
export function fallbackSentence(failures: readonly BackendFailure[], used: string): string {
  if (!failures.length) return '';
  const what = failures.map((f) => f.message);
  const joined = what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what[what.length - 1]}`;
  return `${joined}, used ${label(used)}`;
}

export interface BackendAttempt<T> {
  backend: string;
  run(): Promise<T>;
}

/**
 * Runs the attempts in order until one succeeds. `isCancel` errors end the chain at once (a
 * cancelled run is not a failed backend); the last attempt's failure is thrown as is.
 */
export async function firstThatRuns<T>(
  attempts: readonly BackendAttempt<T>[],
  isCancel: (error: unknown) => boolean,
  onFailure?: (failure: BackendFailure) => void,
): Promise<{ value: T; backend: string; failures: BackendFailure[] }> {
  const failures: BackendFailure[] = [];
  for (let a = 0; a < attempts.length; a++) {
    const attempt = attempts[a];
    try {
      return { value: await attempt.run(), backend: attempt.backend, failures };
    } catch (e) {
      if (isCancel(e) || a === attempts.length - 1) throw e;
      const failure = backendFailure(attempt.backend, e);
      failures.push(failure);
      onFailure?.(failure);
    }
  }
  throw new Error('no backend to run');
}
