// The env file on disk: read once per command; every update is a read-modify-write under a lock on the real file
// (a symlink and its target are one file), compared and applied against the file as read under that lock, and
// written to a temp file beside it then renamed over it, so two `infra` processes never lose each other's keys and a
// crash mid-write leaves the old file whole.
import { readFileSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { EnvDocument } from "./env-document.js";
import { ExitCode, InfraError, InputError } from "./errors.js";
import { isAlive, type LockOwner, lock, unwritable, withLock } from "./file-lock.js";
import { MIB, readRegularFile } from "./user-file.js";

const TEMP = /^(.*)\.(\d+)\.infra-tmp$/;
/** The template with every key is some 10 KiB: a file a hundred times that is not an env file. */
const MAX_ENV_FILE_BYTES = MIB;

export class EnvFile {
  private queue: Promise<unknown> = Promise.resolve();
  /** Told of what a write had to clean up after another process (a lock or temp file it left). */
  notice: (message: string) => void = () => {};

  private constructor(
    readonly path: string,
    /** The file itself, symlinks resolved: what is locked and replaced. */
    readonly realPath: string,
    private doc: EnvDocument,
  ) {}

  static async load(path: string): Promise<EnvFile> {
    const realPath = await fs.realpath(path).catch(() => path);
    return new EnvFile(path, realPath, await readDocument(path));
  }

  /** The value of key, or undefined when it is absent or empty (the template's `KEY=""` means "not set"). */
  get(key: string): string | undefined {
    const value = this.doc.get(key)?.trim();
    return value ? value : undefined;
  }

  /**
   * Before the first AWS call of a command that changes the stack: the file and its folder are writable, and no
   * other infra process is changing the stack this file records (two `create all` at once would race on AWS).
   * Held until the command ends (`releaseClaims`); a holder that is gone (kill -9) is taken over at once.
   */
  async claim(): Promise<void> {
    await this.checkWritable();
    const lockPath = `${this.realPath}.run.lock`;
    if (claims.has(lockPath)) return;
    const release = await lock(lockPath, {
      waitMs: 0,
      heldWhileAlive: true,
      onTakeOver: (o) => this.notice(`took over the stack claim of infra process ${o.pid || "?"}, which is gone`),
      busy: (holder) =>
        new InfraError(
          `another infra process${holder ? ` (${holder.pid}, since ${new Date(holder.at).toISOString().slice(11, 19)} UTC)` : ""} is changing the stack of env file ${this.path}`,
          ExitCode.input,
          "wait for it to finish, or stop it, then run this command again",
        ),
    });
    claims.set(lockPath, release);
  }

  /** Before the first AWS call of a command that records: the file and its folder (temp file, lock) are writable. */
  private async checkWritable(): Promise<void> {
    for (const target of [this.realPath, dirname(this.realPath)]) {
      await fs.access(target, fs.constants.W_OK).catch((err) => {
        throw unwritable(target, err);
      });
    }
  }

  /**
   * Records values (an empty string empties a key). Under the lock the file is read again, and written only when a
   * value differs from what it holds then: a re-run of a finished stack leaves the file, and its timestamp, alone.
   */
  record(updates: Record<string, string>): Promise<void> {
    // Steps of one command may record at the same time: serialise them here, and other processes by the lock.
    const run = this.queue.then(() => this.recordLocked(updates));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async recordLocked(updates: Record<string, string>): Promise<void> {
    const onTakeOver = (o: LockOwner) =>
      this.notice(
        `took over the env file lock ${o.pid ? `of infra process ${o.pid}, which is gone` : "a process left empty"}`,
      );
    await withLock(
      this.realPath,
      async () => {
        await this.removeDeadTempFiles();
        const doc = await readDocument(this.realPath); // what another process recorded since we read it
        const before = doc.toString();
        for (const [key, value] of Object.entries(updates)) doc.set(key, value);
        const text = doc.toString();
        if (text !== before) await replace(this.realPath, text);
        this.doc = doc;
      },
      { onTakeOver },
    );
  }

  /** Temp files of writers killed between writing and renaming. */
  private async removeDeadTempFiles(): Promise<void> {
    const folder = dirname(this.realPath);
    for (const name of await fs.readdir(folder).catch(() => [])) {
      const m = TEMP.exec(name);
      if (m?.[1] === basename(this.realPath) && !isAlive(Number(m[2]))) {
        await fs.rm(join(folder, name), { force: true });
        this.notice(`removed ${name}, left by infra process ${m[2]}, which is gone`);
      }
    }
  }
}

/** The stack claims this process holds: lock path -> what lets it go. */
const claims = new Map<string, () => Promise<void>>();

/** Lets go of every stack claim this process holds: at the end of each command. */
export async function releaseClaims(): Promise<void> {
  for (const [path, release] of [...claims]) {
    claims.delete(path);
    await release();
  }
}

/** The same, synchronously, for a process exiting at once (Ctrl-C): only the claims still ours. */
export function releaseClaimsNow(): void {
  for (const path of claims.keys()) {
    try {
      if (JSON.parse(readFileSync(path, "utf8")).pid === process.pid) rmSync(path, { force: true });
    } catch {}
  }
  claims.clear();
}

/** Writes beside the file (same folder, same file system, same mode), flushes, then renames over it. */
async function replace(realPath: string, text: string): Promise<void> {
  const temp = `${realPath}.${process.pid}.infra-tmp`;
  const { mode } = await fs.stat(realPath);
  try {
    const handle = await fs.open(temp, "w", mode & 0o777);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, realPath);
  } catch (err) {
    await fs.rm(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") throw unwritable(realPath, err);
    throw err;
  }
}

async function readDocument(path: string): Promise<EnvDocument> {
  let text: string;
  try {
    text = utf8(readRegularFile(path, "env file", MAX_ENV_FILE_BYTES), path);
  } catch (err) {
    if (err instanceof InputError) throw err;
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

/**
 * The file as UTF-8, or refused: decoding another encoding would turn its bytes into U+FFFD, and the next write
 * would replace them in the user's file for good.
 */
function utf8(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError(
      `env file ${path} is not UTF-8 (line ${badLine(bytes)})`,
      `convert it, for example: iconv -f latin1 -t utf-8 ${path} > ${path}.utf8 && mv ${path}.utf8 ${path}`,
    );
  }
}

/** The first line (from 1) that is not UTF-8: a newline byte never occurs inside a UTF-8 character. */
function badLine(bytes: Buffer): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  for (let line = 1; ; line++) {
    const end = bytes.indexOf(0x0a, start);
    try {
      decoder.decode(bytes.subarray(start, end === -1 ? bytes.length : end));
    } catch {
      return line;
    }
    if (end === -1) return line;
    start = end + 1;
  }
}
