/**
 * Files the CLI writes: every output path is checked before any work starts (one line, exit 2);
 * each is then written atomically (src/atomicWrite.ts), through symbolic links, and in place where
 * it is a device or pipe (`/dev/null`, `/dev/stdout`).
 */
import { accessSync, constants, statSync } from 'fs';
import { dirname, extname } from 'path';
import { outputTarget } from '../atomicWrite';
import { stdioDescriptor } from '../stdio';
import { UsageError } from './args';

export { OutputError, writeAtomically } from '../atomicWrite';

/** Endings that promise another format than a .npy array (an image, text, a PyTorch or safetensors file). */
const NOT_NPY = ['.png', '.jpg', '.jpeg', '.json', '.csv', '.txt', '.py', '.pt', '.pth', '.safetensors'];

/**
 * Refuses, before any work, output paths that cannot be written or that name the same file twice;
 * with `npy`, also names whose ending promises another format (a .npy array in `attn.png`).
 */
export function checkOutputPaths(outputs: ReadonlyArray<{ flag: string; path: string }>, options: { npy?: boolean } = {}): void {
  const seen = new Map<string, string>();
  for (const { flag, path } of outputs) {
    if (!path.trim()) throw new UsageError(`--${flag} needs a file name`);
    const ending = extname(path).toLowerCase();
    if (options.npy && NOT_NPY.includes(ending)) throw new UsageError(`--${flag} ${path}: this writes a .npy array, not ${ending}; end the name in .npy`);
    let target: ReturnType<typeof outputTarget>;
    try {
      target = outputTarget(path);
    } catch (e) {
      throw new UsageError(`--${flag} ${(e as Error).message.replace(/^could not write /, '')}`);
    }
    const full = target.file;
    if (target.inPlace) {
      // A device or pipe: written as it is, so only its own permission counts (and /dev/null may take several outputs).
      try {
        accessSync(full, constants.W_OK);
      } catch {
        throw new UsageError(`--${flag} ${path}: no permission to write ${full}`);
      }
      continue;
    }
    const other = seen.get(full);
    if (other) throw new UsageError(`--${other} and --${flag} name the same file (${path}): give each its own`);
    seen.set(full, flag);
    const folder = dirname(full);
    let folderStat;
    try {
      folderStat = statSync(folder);
    } catch {
      throw new UsageError(`--${flag} ${path}: the folder ${folder} does not exist`);
    }
    if (!folderStat.isDirectory()) throw new UsageError(`--${flag} ${path}: ${folder} is not a folder`);
    if (target.existing?.isDirectory()) throw new UsageError(`--${flag} ${path} is a folder: name a file in it`);
    try {
      accessSync(folder, constants.W_OK);
    } catch {
      throw new UsageError(`--${flag} ${path}: no permission to write in ${folder}`);
    }
  }
}

const OUTPUT_FLAGS = ['out', 'probs', 'lse', 'dense-probs'];

/**
 * Whether an output in `argv` is this process's standard output (`--out /dev/stdout | python …`):
 * the CLI's own lines then go to standard error, so that the pipe carries only the file.
 */
export function outputsToStdout(argv: readonly string[]): boolean {
  return argv.some((arg, k) => {
    const flag = /^--([\w-]+)(?:=([\s\S]*))?$/.exec(arg);
    return !!flag && OUTPUT_FLAGS.includes(flag[1]) && stdioDescriptor(flag[2] ?? argv[k + 1] ?? '', [1]) === 1;
  });
}
