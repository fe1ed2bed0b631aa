// The env file's lock for one read-modify-write: `<real path>.lock`, created exclusively and holding who made it
// (pid, host, time). It is held for milliseconds, so a holder that is gone (kill -9) must not stall the next run:
// a lock whose process no longer exists on this host is taken over at once, and one older than STALE_MS whoever
// made it. Failing to create it for lack of permission is an input error, never "locked by someone else".
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import fs from "node:fs/promises";
import { hostname } from "node:os";
import { ExitCode, InfraError, InputError } from "./errors.js";

export interface LockOwner {
  pid: number;
  host: string;
  at: number;
}

export interface LockOptions {
  /** How long to wait for a live holder before giving up. */
  waitMs?: number;
  /** Told when a dead holder's lock is taken over. */
  onTakeOver?: (owner: LockOwner) => void;
  /** A lock held for as long as its process lives (the sandbox account's) is never stale by age, only by death. */
  heldWhileAlive?: boolean;
  /** The error when a live holder keeps the lock past waitMs. */
  busy?: (holder: LockOwner | undefined) => InfraError;
}

const STALE_MS = 30_000;
const me = (): LockOwner => ({ pid: process.pid, host: hostname(), at: Date.now() });

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // it exists, under another user
  }
}

/** The owner of a lock file with nothing in it. */
const EMPTY: LockOwner = { pid: 0, host: "", at: 0 };
const dead = (o: LockOwner) => o.host === hostname() && !isAlive(o.pid);

/** Runs work holding `<path>.lock`. */
export async function withLock<T>(path: string, work: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const release = await lock(`${path}.lock`, opts);
  try {
    return await work();
  } finally {
    await release();
  }
}

/** Takes lockPath, waiting for a live holder up to waitMs; returns what lets it go. */
export async function lock(lockPath: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  const held = { path: lockPath, owner: await acquire(lockPath, opts) };
  heldLocks.add(held);
  removeHeldLocksOnExit();
  return async () => {
    heldLocks.delete(held);
    removeIfOwn(held);
  };
}

/**
 * The locks this process holds. A process that exits holding one (Ctrl-C exits once its stack claims are let go,
 * not waiting for the sandbox to close) removes those still its own: the next run would take a dead process's lock
 * over anyway, but would find it left in the folder first.
 */
const heldLocks = new Set<{ path: string; owner: LockOwner }>();
let removingOnExit = false;
function removeHeldLocksOnExit(): void {
  if (removingOnExit) return;
  removingOnExit = true;
  process.on("exit", () => {
    for (const held of heldLocks) removeIfOwn(held);
  });
}

/**
 * Removes the lock if it is still the one this holder made: after a takeover by someone who thought us dead, theirs
 * is not ours to remove. Synchronous, like its creation, so that no exit falls between reading and removing it.
 */
function removeIfOwn({ path, owner }: { path: string; owner: LockOwner }): void {
  try {
    const found = JSON.parse(readFileSync(path, "utf8")) as LockOwner;
    if (found.pid === owner.pid && found.at === owner.at) rmSync(path, { force: true });
  } catch {
    // gone, or not readable: nothing of ours to remove
  }
}

async function acquire(lockPath: string, opts: LockOptions): Promise<LockOwner> {
  const isGone = (o: LockOwner) =>
    o.pid === EMPTY.pid || dead(o) || (!opts.heldWhileAlive && Date.now() - o.at > STALE_MS);
  const deadline = Date.now() + (opts.waitMs ?? 10_000);
  let delay = 10;
  for (;;) {
    const owner = me();
    try {
      // Synchronous: from the moment the file is there until lock() counts it held, no signal handler runs, so a
      // process exiting at once (Ctrl-C twice) knows every lock it made and removes it.
      writeFileSync(lockPath, JSON.stringify(owner), { flag: "wx" });
      return owner;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") throw unwritable(lockPath, err);
    }
    const holder = (await readOwner(lockPath)) ?? (await emptyLock(lockPath));
    if (holder && isGone(holder) && (await takeOver(lockPath, holder))) {
      opts.onTakeOver?.(holder);
      continue;
    }
    if (Date.now() >= deadline) {
      if (opts.busy) throw opts.busy(holder);
      const who = holder ? `infra process ${holder.pid} on ${holder.host}` : "another infra process";
      throw new InfraError(
        `env file ${lockPath.replace(/\.lock$/, "")} is locked by ${who} (${lockPath})`,
        ExitCode.input,
        "wait for the other infra command to finish, then run this one again",
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 250);
  }
}

/** Moves the dead holder's lock aside (rename is atomic), and keeps it only if it is still that holder's. */
async function takeOver(lockPath: string, holder: LockOwner): Promise<boolean> {
  const aside = `${lockPath}.${process.pid}.stale`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return false; // someone else moved it first
  }
  const moved = (await readOwner(aside)) ?? EMPTY;
  if (moved.pid === holder.pid && moved.at === holder.at) {
    await fs.rm(aside, { force: true });
    return true;
  }
  await fs.rename(aside, lockPath).catch(() => undefined); // a live lock taken by mistake: put it back
  return false;
}

/** A lock file left empty by a process killed between creating and writing it: its owner is its age. */
async function emptyLock(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const st = await fs.stat(lockPath);
    return st.size === 0 && Date.now() - st.mtimeMs > 2_000 ? EMPTY : undefined;
  } catch {
    return undefined;
  }
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await fs.readFile(lockPath, "utf8")) as LockOwner;
    return typeof owner.pid === "number" ? owner : undefined;
  } catch {
    return undefined; // gone, or being written this instant
  }
}

export function unwritable(path: string, err: unknown): InfraError {
  const code = (err as NodeJS.ErrnoException).code ?? "error";
  return new InputError(
    `cannot write ${path} (${code}): infra records what it makes in the env file, next to it`,
    "run infra as a user who can write the env file and its folder, or point -f at a copy that can be written",
  );
}
