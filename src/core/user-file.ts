// Files infra reads by a name the user gives (the env file, --paths-file, CONTAINER_DEFINITION_FILE): regular files
// only (a symlink to one is one), and no bigger than such a file can sensibly be, so /dev/zero, a FIFO, a folder or a
// log named by mistake is refused at once (exit 2) instead of read until memory or patience runs out.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { InputError } from "./errors.js";

export const KIB = 1024;
export const MIB = 1024 * KIB;

const kind = (st: Stats) =>
  st.isDirectory()
    ? "a folder"
    : st.isFIFO()
      ? "a named pipe"
      : st.isCharacterDevice() || st.isBlockDevice()
        ? "a device"
        : st.isSocket()
          ? "a socket"
          : "not a file";

const size = (bytes: number) => (bytes >= MIB ? `${bytes / MIB} MiB` : `${bytes / KIB} KiB`);

/**
 * The bytes of the regular file at path, at most maxBytes of them. `what` names it in errors ("env file",
 * "--paths-file"). Failing to open it (ENOENT, EACCES) is thrown as the system's error, for the caller to word.
 */
export function readRegularFile(path: string, what: string, maxBytes: number): Buffer {
  // Non-blocking, so that opening a named pipe does not wait for a writer before it can be refused.
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputError(`${what} ${path} is ${kind(st)}, not a regular file`);
    const tooBig = () =>
      new InputError(
        `${what} ${path} is larger than ${size(maxBytes)}, more than such a file holds: is it the right file?`,
      );
    if (st.size > maxBytes) throw tooBig();
    // Read to the end rather than trust the size: a file may grow while it is read.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw tooBig();
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
