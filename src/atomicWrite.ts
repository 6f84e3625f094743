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

/** Writes `bytes` to a temporary file beside `path`, flushes it, and renames it over `path`. */
export function writeAtomically(path: string, bytes: Uint8Array | string): void {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const temp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.partial`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already renamed
    }
    const err = e as NodeJS.ErrnoException;
    throw new OutputError(`could not write ${path}: ${err.code ? `${err.code} (${err.message.replace(/^\w+: /, '').split(',')[0]})` : err.message}; ${path} was left as it was`);
  }
}
