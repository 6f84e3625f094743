/**
 * Writing a user's file without ever losing it (Node only; the CLI and the extension host): the
 * bytes go to a temporary name in the same folder, are flushed, and are renamed over the target,
 * so a write cut short (a full disk, a size limit) leaves the old file as it was.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'fs';
import { basename, dirname, join, resolve } from 'path';

/** An I/O failure after the work was done (exit 1, one line, no stack trace). */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/**
 * Writes `bytes` (or a sequence of chunks, so large text never exists as one string) to a
 * temporary file beside `path`, flushes it, and renames it over `path`.
 */
export function writeAtomically(path: string, bytes: Uint8Array | string | Iterable<Uint8Array | string>): void {
  const chunks = typeof bytes === 'string' || bytes instanceof Uint8Array ? [bytes] : bytes;
  const temp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.partial`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    for (const chunk of chunks) {
      const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    // Errors of the producer (a size refusal) are the caller's; only I/O failures are OutputErrors.
    const err = e as NodeJS.ErrnoException;
    const ioFailure = typeof err.syscall === 'string';
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    if (!ioFailure) throw e;
    throw new OutputError(`could not write ${path}: ${err.code ? `${err.code} (${err.message.replace(/^\w+: /, '').split(',')[0]})` : err.message}; ${path} was left as it was`);
  }
}
