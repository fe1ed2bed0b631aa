// The env file on disk: read once per command, and every update is read-modify-write under a lock,
// replaced atomically (temp file + rename), so two `infra` processes never lose each other's keys
// and a crash mid-write leaves the old file whole.
import { readFile } from "node:fs/promises";
import lockfile from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import { EnvDocument } from "./env-document.js";
import { InfraError, InputError } from "./errors.js";

export class EnvFile {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private doc: EnvDocument,
  ) {}

  static async load(path: string): Promise<EnvFile> {
    return new EnvFile(path, await readDocument(path));
  }

  /** The value of key, or undefined when it is absent or empty (the template's `KEY=""` means "not set"). */
  get(key: string): string | undefined {
    const value = this.doc.get(key)?.trim();
    return value ? value : undefined;
  }

  /**
   * Records values (an empty string empties a key), atomically, under the file's lock. Values the file already
   * holds are not written again: a re-run of a finished stack leaves the file, and its timestamp, alone.
   */
  record(updates: Record<string, string>): Promise<void> {
    if (Object.entries(updates).every(([key, value]) => (this.doc.get(key) ?? "") === value))
      return this.queue.then(() => {});
    // Steps of one command may record at the same time: serialise them here, and other processes by the lock.
    const run = this.queue.then(() => this.recordLocked(updates));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async recordLocked(updates: Record<string, string>): Promise<void> {
    const release = await lockfile
      .lock(this.path, { realpath: false, stale: 15_000, retries: { retries: 60, minTimeout: 25, maxTimeout: 500 } })
      .catch((err: unknown) => {
        throw new InfraError(
          `env file ${this.path} is locked by another infra process (${(err as Error).message})`,
          2,
          "wait for the other infra command to finish, then run this one again",
        );
      });
    try {
      const doc = await readDocument(this.path); // pick up what another process recorded since we read it
      for (const [key, value] of Object.entries(updates)) doc.set(key, value);
      await writeFileAtomic(this.path, doc.toString());
      this.doc = doc;
    } finally {
      await release();
    }
  }
}

async function readDocument(path: string): Promise<EnvDocument> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new InputError(
        `env file ${path} not found`,
        "pass -f <path>, or copy aws-resources.env.example to aws-resources.env and fill in the inputs",
      );
    }
    throw new InputError(`cannot read env file ${path}: ${(err as Error).message}`);
  }
  return EnvDocument.parse(text, path);
}
