/**
 * Runs a user's mask function with their Python, in a child process with a time and memory limit,
 * and reads back what it returned as a 0/1 mask. The caller checks workspace trust first: importing
 * the file runs its module-level code.
 */
import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { decodeNpy, npyToMask } from '../core/npy';

/**
 * Imports the file as a module, calls the function with the keyword arguments, and saves the result
 * as a bool .npy: a torch tensor is moved to NumPy, leading size-1 axes are dropped ([1, 1, n, n]),
 * and an additive float mask (0 allowed, -inf masked) is read as its zeros.
 */
const RUNNER = String.raw`
import importlib.util, json, os, sys
path, name, kwargs, out, limit = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], int(sys.argv[5])
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except (ImportError, ValueError, OSError):
    pass
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
spec = importlib.util.spec_from_file_location("sparse_attn_user_module", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
result = getattr(module, name)(**kwargs)
note = ""
if hasattr(result, "detach"):
    result = result.detach().cpu().numpy()
mask = np.asarray(result)
while mask.ndim > 3 and mask.shape[0] == 1:
    mask = mask[0]
if mask.dtype.kind == "f":
    values = np.unique(mask)
    if np.all(np.isin(values, [0.0, 1.0])):
        mask = mask != 0
    elif np.all(np.isin(values, [0.0, -np.inf])) or (values.size <= 2 and values.max() == 0 and values.min() <= -1e4):
        mask = mask == 0
        note = "read as an additive mask: 0 is allowed, " + str(values.min()) + " masked"
    else:
        raise SystemExit("SPARSE_ATTN: " + name + " returned floats other than 0/1 or an additive 0/-inf mask: " + str(values[:6]))
np.save(out, mask, allow_pickle=False)
print(json.dumps({"shape": list(mask.shape), "dtype": str(mask.dtype), "note": note}))
`;

export interface PythonMask {
  /** [heads, n, n] or [n, n] as 0/1 bytes in C order. */
  cells: Uint8Array;
  shape: number[];
  /** How the returned value was read, when it needed reading (an additive mask). */
  note?: string;
}

export interface PythonMaskRequest {
  python: string;
  file: string;
  functionName: string;
  kwargs: Record<string, number | boolean | string>;
  timeoutMs: number;
  memoryBytes: number;
  signal?: AbortSignal;
}

export class PythonMaskError extends Error {
  constructor(message: string, readonly detail = '') {
    super(message);
    this.name = 'PythonMaskError';
  }
}

export async function runPythonMask(request: PythonMaskRequest): Promise<PythonMask> {
  const folder = mkdtempSync(join(tmpdir(), 'sparse-attn-mask-'));
  const out = join(folder, 'mask.npy');
  try {
    const stdout = await run(request, out);
    const info = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { note?: string };
    const npy = decodeNpy(new Uint8Array(readFileSync(out)), `what ${request.functionName} returned`);
    return { cells: npyToMask(npy, `what ${request.functionName} returned`), shape: npy.shape, note: info.note || undefined };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function run(request: PythonMaskRequest, out: string): Promise<string> {
  const { python, file, functionName, kwargs, timeoutMs, memoryBytes, signal } = request;
  const call = `${functionName}(${Object.entries(kwargs).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})`;
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-c', RUNNER, file, functionName, JSON.stringify(kwargs), out, String(memoryBytes)], {
      cwd: dirname(file),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let stdout = '';
    let stderr = '';
    let why: string | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-65536)));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-65536)));
    const stop = (reason: string) => {
      why ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`${call} did not return within ${timeoutMs / 1000} s (raise sparseAttention.maskCheck.timeoutSeconds if it needs longer)`), timeoutMs);
    const onAbort = () => stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new PythonMaskError(`could not start Python "${python}": ${e.message}; choose an interpreter with the Python extension or set sparseAttention.pythonPath`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (why) return reject(new PythonMaskError(why, stderr));
      if (code === 0) return resolve(stdout);
      reject(new PythonMaskError(`${call} failed in ${python}: ${lastLine(stderr, memoryBytes)}`, stderr));
    });
  });
}

/** The line of a traceback that says what went wrong (our own refusals carry a marker). */
function lastLine(stderr: string, memoryBytes: number): string {
  const lines = stderr.trim().split('\n').filter((l) => l.trim());
  const ours = lines.find((l) => l.startsWith('SPARSE_ATTN: '));
  if (ours) return ours.slice('SPARSE_ATTN: '.length);
  const last = lines[lines.length - 1] ?? 'it exited without a message';
  if (/MemoryError/.test(last)) return `${last.trim()} (the limit is ${(memoryBytes / 2 ** 30).toFixed(1)} GiB of address space: sparseAttention.maskCheck.memoryLimitMB)`;
  return last.trim();
}
