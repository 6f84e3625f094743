/**
 * Writing a user's file without ever losing it (Node only; the CLI and the extension host): the
 * bytes go to a temporary name in the same folder, are flushed, and are renamed over the target,
 * so a write cut short (a full disk, a size limit) leaves the old file as it was. A symbolic link
 * is written through (the file it names is replaced, the link kept); a device, pipe or socket
 * (`/dev/null`, `/dev/stdout`, a FIFO) is written in place, as the shell's `>` does: renaming over
 * it would replace the device node itself (as root, `/dev/full` became a regular file).
 */
import { closeSync, fchmodSync, fsyncSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync, Stats, statSync, unlinkSync, writeSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { stdioDescriptor } from './stdio';

/** An I/O failure after the work was done (exit 1, one line, no stack trace). */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Linux's limit on symbolic links followed in one lookup (ELOOP past it). */
const MAX_LINKS = 40;

/**
 * Where writing `path` lands: the file at the end of its symbolic links (a dangling link names the
 * file it would create), or, for a device, pipe or socket, `path` itself, written in place (opening
 * it follows /proc's links to pipes, which have no name to follow by hand); `existing`: what is
 * there now, links followed.
 */
export function outputTarget(path: string): { file: string; inPlace: boolean; existing?: Stats } {
  let existing: Stats;
  try {
    existing = statSync(path);
  } catch {
    return { file: createdBy(path), inPlace: false };
  }
  if (!existing.isFile() && !existing.isDirectory()) return { file: resolve(path), inPlace: true, existing };
  return { file: realpathSync(path), inPlace: false, existing };
}

/** The file that writing `path`, which does not lead to one yet, creates: past any dangling links. */
function createdBy(path: string): string {
  let file = resolve(path);
  for (let hops = 0; ; hops++) {
    let isLink: boolean;
    try {
      isLink = lstatSync(file).isSymbolicLink();
    } catch {
      return file;
    }
    if (!isLink) return file;
    if (hops === MAX_LINKS) throw new OutputError(`could not write ${path}: ELOOP (too many levels of symbolic links)`);
    file = resolve(dirname(file), readlinkSync(file));
  }
}

type Chunks = Iterable<Uint8Array | string>;

const pause = new Int32Array(new SharedArrayBuffer(4));

function writeChunks(fd: number, chunks: Chunks): void {
  for (const chunk of chunks) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let at = 0; at < data.length; ) {
      try {
        at += writeSync(fd, data, at, data.length - at);
      } catch (e) {
        // Node makes a piped stdout non-blocking: a full pipe says EAGAIN until its reader catches up.
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(pause, 0, 0, 1);
      }
    }
  }
}

/** An I/O error as one line; `after` says what became of the target. */
function failure(path: string, e: unknown, after: string): unknown {
  // Errors of the producer (a size refusal) are the caller's; only I/O failures are OutputErrors.
  const err = e as NodeJS.ErrnoException;
  if (typeof err.syscall !== 'string') return e;
  return new OutputError(`could not write ${path}: ${err.code ? `${err.code} (${err.message.replace(/^\w+: /, '').split(',')[0]})` : err.message}${after}`);
}

/**
 * Writes `bytes` (or a sequence of chunks, so large text never exists as one string) to a
 * temporary file beside the target, flushes it, and renames it over the target.
 */
export function writeAtomically(path: string, bytes: Uint8Array | string | Chunks): void {
  const chunks = typeof bytes === 'string' || bytes instanceof Uint8Array ? [bytes] : bytes;
  const { file, inPlace, existing } = outputTarget(path);
  let fd: number | undefined;
  if (inPlace) {
    const stdio = stdioDescriptor(file, [1, 2]);
    try {
      if (stdio === undefined) fd = openSync(file, 'w');
      writeChunks(stdio ?? fd!, chunks);
    } catch (e) {
      throw failure(path, e, '');
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return;
  }
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now().toString(36)}.partial`);
  try {
    fd = openSync(temp, 'wx');
    // The replacement keeps the replaced file's permissions (a private 0600 file stays private); a
    // new file's are the umask's, as for any other.
    if (existing) fchmodSync(fd, existing.mode & 0o7777);
    writeChunks(fd, chunks);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    throw failure(path, e, `; ${path} was left as it was`);
  }
}
