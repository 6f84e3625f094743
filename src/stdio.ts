/**
 * `/dev/stdin`, `/dev/stdout` and `/dev/stderr` named as files (Node only; the CLI and the host).
 * Node's child processes get sockets for their standard streams, and a socket cannot be opened by
 * name (ENXIO): such a path is used through the descriptor the process already holds.
 */
import { fstatSync, statSync } from 'fs';

/** The descriptor among `fds` that is the file at `path`, if any. */
export function stdioDescriptor(path: string, fds: readonly number[]): number | undefined {
  let target;
  try {
    target = statSync(path);
  } catch {
    return undefined;
  }
  return fds.find((fd) => {
    try {
      const stdio = fstatSync(fd);
      return stdio.dev === target.dev && stdio.ino === target.ino;
    } catch {
      return false;
    }
  });
}
