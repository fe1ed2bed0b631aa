// The claim that keeps two runs from changing one stack at once. A claim names its owner (what it runs, its host and
// process, the CI run behind it), when it was taken, and a lease its run renews while it lives: a claim whose lease
// ran out, or whose process is gone from this host, is taken over with a line saying whose it was, so a killed run
// (kill -9, a cancelled CI container) never wedges the stack. It lives in a slot with compare-and-swap writes: the
// env file's `<file>.run.lock` on one machine, or the stack's object in S3 for several (src/store/).
import { randomBytes } from "node:crypto";
import { type Clock, randomOf } from "./clock.js";
import { ExitCode, InfraError, InputError } from "./errors.js";

export interface ClaimOwner {
  /** What `infra unlock` names. */
  id: string;
  /** The command that holds it: "deploy", "create all". */
  command: string;
  host: string;
  pid: number;
  /** The CI run behind the process, when there is one. */
  ciRun?: string;
  /** ISO dates: when it was taken, and when its lease runs out unless renewed. */
  takenAt: string;
  expiresAt: string;
}

/** Where a claim lives: read it, and replace it only if it is still what was read. */
export interface ClaimSlot<V> {
  /** For messages: the lock file, or the S3 URL. */
  where: string;
  read(): Promise<{ owner: ClaimOwner | undefined; version: V }>;
  /** Replaces the claim (undefined: none) if the slot is still at `version`: the new version, or undefined if it moved. */
  swap(version: V, owner: ClaimOwner | undefined): Promise<V | undefined>;
  /** A version to try before reading, when the slot can tell what it holds without asking (see src/store/). */
  guess?(): V | undefined;
}

/** What a claim needs from the process around it. */
export interface ClaimContext {
  clock: Clock;
  /** How long a claim lives without renewal; renewed every third of it. */
  leaseMs: number;
  host: string;
  isAlive: (pid: number) => boolean;
  /** A line for the user (a takeover, a claim lost). */
  notice: (message: string) => void;
  /** A progress line while waiting for another run's claim. */
  waiting: (what: string, state: string, elapsedMs: number) => void;
}

/** The CI run a process belongs to, from the variables each CI system sets (GitHub Actions first). */
export function ciRunOf(env: Record<string, string | undefined>): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run, GITHUB_RUN_ATTEMPT: attempt } = env;
  if (server && repo && run) return `${server}/${repo}/actions/runs/${run}${attempt ? `/attempts/${attempt}` : ""}`;
  return env.CI_JOB_URL ?? env.CIRCLE_BUILD_URL ?? env.BUILDKITE_BUILD_URL ?? env.BUILD_URL;
}

export function newOwner(ctx: ClaimContext, command: string, pid: number, ciRun: string | undefined): ClaimOwner {
  const now = ctx.clock.now();
  return {
    id: randomBytes(4).toString("hex"),
    command,
    host: ctx.host,
    pid,
    ...(ciRun ? { ciRun } : {}),
    takenAt: iso(now),
    expiresAt: iso(now + ctx.leaseMs),
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** "infra deploy (process 4242 on ci-7, https://...), claim 3f9a1c2e taken 2026-12-03T10:15:02Z" */
export function describeOwner(o: ClaimOwner): string {
  const where = [`process ${o.pid} on ${o.host}`, ...(o.ciRun ? [o.ciRun] : [])].join(", ");
  return `infra ${o.command} (${where}), claim ${o.id} taken ${o.takenAt}`;
}

/** Why a claim no longer holds: its lease ran out, or its process is gone from this host; undefined while it holds. */
export function whyOver(o: ClaimOwner, ctx: Pick<ClaimContext, "clock" | "host" | "isAlive">): string | undefined {
  if (o.host === ctx.host && !ctx.isAlive(o.pid)) return "its process is gone";
  const expires = Date.parse(o.expiresAt);
  if (!(expires > ctx.clock.now())) return `its lease ran out at ${o.expiresAt}`;
  return undefined;
}

/**
 * Takes the claim for `me`: at once when it is free or over (saying whose it was), else waiting up to waitMs for a
 * live holder, polling, then refusing with the holder's name and date.
 */
export async function takeClaim<V>(
  slot: ClaimSlot<V>,
  me: ClaimOwner,
  ctx: ClaimContext,
  waitMs: number,
): Promise<HeldClaim<V>> {
  const start = ctx.clock.now();
  const guess = slot.guess?.();
  if (guess !== undefined) {
    const version = await slot.swap(guess, me);
    if (version !== undefined) return new HeldClaim(slot, me, version, ctx);
  }
  let delay = 500;
  for (;;) {
    const { owner, version } = await slot.read();
    const over = owner && whyOver(owner, ctx);
    if (!owner || over) {
      const mine = fresh(me, ctx);
      const taken = await slot.swap(version, mine);
      if (taken === undefined) {
        // Another run wrote first: look again, after a moment (a store that keeps answering 409 is not hammered).
        await ctx.clock.sleep(50 + Math.floor(randomOf(ctx.clock) * 200));
        continue;
      }
      if (owner) ctx.notice(`took over the stack's claim of ${describeOwner(owner)}: ${over}`);
      return new HeldClaim(slot, mine, taken, ctx);
    }
    const elapsed = ctx.clock.now() - start;
    if (elapsed >= waitMs) throw busy(owner, slot.where, waitMs);
    ctx.waiting(`the stack's claim, held by ${describeOwner(owner)}`, `lease until ${owner.expiresAt}`, elapsed);
    await ctx.clock.sleep(Math.min(delay, waitMs - elapsed));
    delay = Math.min(delay * 2, 5_000);
  }
}

/** The same owner, its lease counted from now. */
const fresh = (me: ClaimOwner, ctx: ClaimContext): ClaimOwner => ({
  ...me,
  expiresAt: iso(ctx.clock.now() + ctx.leaseMs),
});

function busy(owner: ClaimOwner, where: string, waitMs: number): InfraError {
  const waited = waitMs > 0 ? ` after waiting ${Math.round(waitMs / 1000)} s` : "";
  return new InfraError(
    `the stack is claimed by ${describeOwner(owner)}, its lease renewed until ${owner.expiresAt} (${where})${waited}`,
    ExitCode.input,
    `wait for it to finish (--wait-for-claim 15m queues behind it); if that run is gone its claim lapses when the lease runs out, or \`infra unlock ${owner.id}\` removes it now`,
  );
}

/** A claim this process holds: renewed every third of its lease until released. */
export class HeldClaim<V> {
  /** Set when another run took the claim over (this run's lease ran out unrenewed): whose it is now. */
  lost: string | undefined;
  private released = false;
  private queue: Promise<unknown> = Promise.resolve();
  private stop: () => void = () => {};

  constructor(
    private readonly slot: ClaimSlot<V>,
    public owner: ClaimOwner,
    private version: V,
    private readonly ctx: ClaimContext,
  ) {
    this.renewing();
  }

  /**
   * Renews every third of the lease on the process's own timers (not the context's clock: a test's fake clock jumps
   * whenever everyone sleeps, and a renewal always sleeping would make it race), which never keep the process alive.
   */
  private renewing(): void {
    const timer = setInterval(() => {
      if (this.released || this.lost) return clearInterval(timer);
      this.renew().catch((err: Error) =>
        this.ctx.notice(`could not renew the stack's claim ${this.owner.id} (${err.message}): trying again`),
      );
    }, this.ctx.leaseMs / 3);
    timer.unref();
    this.stop = () => clearInterval(timer);
  }

  /** Writes the claim again with a lease counted from now (and, in S3, what the run has recorded so far). */
  renew(): Promise<void> {
    return this.serially(async () => {
      if (this.released || this.lost) return;
      const renewed = fresh(this.owner, this.ctx);
      const next = await this.slot.swap(this.version, renewed);
      if (next === undefined) await this.noteLost();
      else [this.version, this.owner] = [next, renewed];
    });
  }

  /** Lets go of the claim; says (returns) whose it is when another run took it over meanwhile. */
  release(): Promise<string | undefined> {
    this.stop();
    return this.serially(async () => {
      if (this.released) return this.lost;
      this.released = true;
      if (this.lost) return this.lost;
      if ((await this.slot.swap(this.version, undefined)) === undefined) await this.noteLost();
      return this.lost;
    });
  }

  private async noteLost(): Promise<void> {
    const { owner } = await this.slot.read().catch(() => ({ owner: undefined }));
    this.lost = owner ? describeOwner(owner) : "no one (it was removed)";
    this.ctx.notice(
      `the stack's claim ${this.owner.id} was taken over while this run held it (its lease ran out unrenewed): now ${this.lost}`,
    );
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * `infra unlock <id>`: removes the claim with that id, unless its lease is live and its process not known to be
 * gone (then only with force). Returns the line that says what it removed.
 */
export async function unlockClaim<V>(
  slot: ClaimSlot<V>,
  id: string,
  force: boolean,
  ctx: Pick<ClaimContext, "clock" | "host" | "isAlive">,
): Promise<string> {
  const { owner, version } = await slot.read();
  if (!owner) throw new InputError(`the stack has no claim to remove (${slot.where})`);
  if (owner.id !== id)
    throw new InputError(`the stack's claim is ${owner.id}, not ${id}: ${describeOwner(owner)} (${slot.where})`);
  const over = whyOver(owner, ctx);
  if (!over && !force)
    throw new InputError(
      `claim ${id} is live: ${describeOwner(owner)}, its lease renewed until ${owner.expiresAt}`,
      "it may still be changing the stack; pass --force only if you know that run is gone",
    );
  if ((await slot.swap(version, undefined)) === undefined)
    throw new InfraError(
      `the stack's claim changed while it was being removed (${slot.where})`,
      ExitCode.aws,
      "run it again",
    );
  return `removed the stack's claim of ${describeOwner(owner)}${over ? `: ${over}` : " (its lease was live: --force)"}`;
}
