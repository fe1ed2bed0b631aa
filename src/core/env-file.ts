// The env file on disk: read once per command; every update is a read-modify-write under a lock on the real file
// (a symlink and its target are one file), compared and applied against the file as read under that lock, and
// written to a temp file beside it then renamed over it, so two `infra` processes never lose each other's keys and a
// crash mid-write leaves the old file whole. The stack's claim is `<file>.run.lock` (run-lock.ts), or, when the
// stack's record is kept in a store all machines reach (src/store/), the store's: claim() then also takes what other
// machines recorded into this file, and releasing the claim writes what this run recorded back.
import fs from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { type ClaimContext, type ClaimSlot, describeOwner, newOwner, takeClaim } from "./claim.js";
import { systemClock } from "./clock.js";
import { EnvDocument } from "./env-document.js";
import { InputError } from "./errors.js";
import { isAlive, type LockOwner, unwritable, withLock } from "./file-lock.js";
import { hold, isHeld } from "./held-claims.js";
import type { EnvReader } from "./inputs.js";
import { RunLock } from "./run-lock.js";
import { MIB, readRegularFile } from "./user-file.js";

/** How long a claim lives unrenewed: a run killed outright holds the stack this long at most. */
export const CLAIM_LEASE_MS = 5 * 60_000;

/** The stack's record and claim kept outside this machine (src/store/): a claim slot that also carries the record. */
export interface RemoteRecord<V = unknown> extends ClaimSlot<V> {
  /** What this file must change to mirror the store as last read (nothing when it was not read). */
  updatesFor(local: EnvReader): Record<string, string>;
  /** From now on the store's writes carry what `local` holds. */
  follow(local: EnvReader): void;
}

/** What a claim is made with besides the file: set by the command layer. */
export interface ClaimSettings {
  clock: ClaimContext["clock"];
  leaseMs: number;
  /** The CI run behind this process, when there is one. */
  ciRun?: string;
  /** Told while waiting for another run's claim. */
  waiting: ClaimContext["waiting"];
}

const TEMP = /^(.*)\.(\d+)\.infra-tmp$/;
/** The template with every key is some 10 KiB: a file a hundred times that is not an env file. */
const MAX_ENV_FILE_BYTES = MIB;

export class EnvFile {
  private queue: Promise<unknown> = Promise.resolve();
  private remote: RemoteRecord | undefined;
  /** Told of what a write had to clean up after another process (a lock or temp file it left), and of claims. */
  notice: (message: string) => void = () => {};
  /** Told once what the store holds for this run (where it is, what it changed here). */
  say: (message: string) => void = () => {};
  claims: ClaimSettings = { clock: systemClock, leaseMs: CLAIM_LEASE_MS, waiting: () => {} };

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

  /** Keeps the stack's record and claim in a store (src/store/) from now on. */
  useRemote(remote: RemoteRecord): void {
    this.remote = remote;
  }

  /**
   * Before the first AWS call of a command that changes the stack: the file and its folder are writable, and no
   * other infra process (on any machine that shares the store) is changing the stack. A claim that is over (its
   * lease ran out, or its process is gone from this host) is taken over; a live one is waited for up to waitMs.
   * Held, and renewed, until the command ends (`releaseClaims`). With a store, what other machines recorded is taken
   * into this file first.
   */
  async claim(command: string, waitMs = 0): Promise<void> {
    await this.checkWritable();
    if (isHeld(this.realPath)) return;
    const slot = this.remote ?? new RunLock(this.realPath);
    this.remote?.follow(this);
    const ctx: ClaimContext = {
      clock: this.claims.clock,
      leaseMs: this.claims.leaseMs,
      host: hostname(),
      isAlive,
      notice: (m) => this.notice(m),
      waiting: this.claims.waiting,
    };
    const claim = await takeClaim(slot, newOwner(ctx, command, process.pid, this.claims.ciRun), ctx, waitMs);
    hold(this.realPath, {
      release: async () => {
        const lost = await claim.release();
        return lost
          ? `the stack's claim was taken over while this run held it (now ${lost}): what this run recorded is in the env file${slot instanceof RunLock ? "" : ` but not in ${slot.where}`}; run the same command again once that run is done`
          : undefined;
      },
      releaseNow: () => {
        if (slot instanceof RunLock) slot.releaseNow(process.pid);
      },
    });
    if (this.remote) await this.takeRemote(`claim ${claim.owner.id} taken`);
  }

  /** Before a reading command's first AWS call: what other machines recorded, taken into this file. */
  async pull(): Promise<void> {
    if (!this.remote) return;
    const { owner } = await this.remote.read();
    await this.takeRemote(owner ? `read only; claimed now by ${describeOwner(owner)}` : "read only");
  }

  /** Applies what the store holds (as last read) to this file, says so once, and follows this file from then on. */
  private async takeRemote(how: string): Promise<void> {
    const remote = this.remote as RemoteRecord;
    const updates = remote.updatesFor(this);
    const changed = Object.keys(updates);
    if (changed.length) {
      await this.write(updates).catch((err) => {
        if (!(err instanceof InputError)) throw err;
        // A reading command on a file it may not write: this run uses the store's record, the file keeps its own.
        for (const [key, value] of Object.entries(updates)) this.doc.set(key, value);
        this.notice(`${err.message.split(":")[0]}: the store's record is used for this run only`);
      });
    }
    remote.follow(this);
    const took = changed.length
      ? `; ${changed.length} key(s) differed here and were taken from it: ${changed.slice(0, 6).join(", ")}${changed.length > 6 ? ", ..." : ""}`
      : "";
    this.say(`the stack's record is kept in ${remote.where} (${how})${took}`);
  }

  /** Before the first AWS call of a command that records: the file and its folder (temp file, lock) are writable. */
  async checkWritable(): Promise<void> {
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
    return this.write(updates);
  }

  private write(updates: Record<string, string>): Promise<void> {
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
