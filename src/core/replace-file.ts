// A small file replaced whole (a stack's claim, the sandbox's account): written beside it, `<path>.<pid>.tmp`, and
// renamed over it, so a reader, or a process killed meanwhile, finds the old content or the new, never half.
// Synchronous: a process exiting at once (Ctrl-C twice) cannot fall between the two and leave the temporary file,
// which no later process (another pid) would remove. The env file, which keeps its mode and is synced, has its own
// (env-file.ts).
import { renameSync, rmSync, writeFileSync } from "node:fs";

export function replaceFileSync(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
