// One small poller for every wait: capped exponential backoff with jitter, a mandatory time limit that ends with what to
// do next, a progress event per poll, and the clock injected so tests never sleep. (The SDK's own waiters
// sleep on the real clock, retry unexpected errors silently and cannot report progress.)
import { type Clock, randomOf } from "./clock.js";
import { awsErrorCode, isAwsError, isThrottling, WaitTimeoutError } from "./errors.js";
import type { InfraEvent, ResourceEvents } from "./events.js";

export interface WaitContext {
  clock: Clock;
}

export interface WaitOptions {
  /** What is awaited, for the progress line and the timeout message: "load balancer startupwebapp-alb active". */
  what: string;
  timeoutMs: number;
  /** What the user should do when the time runs out. */
  suggestion: string;
  /** The longest pause between two polls (default 15 s). */
  maxDelayMs?: number;
}

/** What a poll found: done, or still pending in some state (with, for a terminal, what that state holds). */
export type Poll<T> =
  | { done: true; value: T }
  | { done: false; state: string; detail?: WaitDetail; capMs?: number | undefined };
export type WaitDetail = Pick<InfraEvent, "deployment">;

export const done = <T>(value: T): Poll<T> => ({ done: true, value });
/**
 * Still waiting. capMs: the state found lasts a while whatever is read meanwhile (old tasks draining for the
 * deregistration delay), so the backoff may grow to this longer pause while it lasts. Growing, not jumping: where
 * delays are short (an emulator, the sandbox) the state ends after a few short polls.
 */
export const pending = (state: string, detail?: WaitDetail, capMs?: number): Poll<never> => ({
  done: false,
  state,
  ...(detail ? { detail } : {}),
  ...(capMs ? { capMs } : {}),
});

const FIRST_DELAY_MS = 250;

/**
 * A pause between half and all of delay, at random ("equal jitter"): the steps of one run, and the runs of several
 * CI jobs on one account, that started together do not keep polling AWS in step (and being throttled together).
 */
export const jittered = (delay: number, random = Math.random) => Math.round(delay / 2 + (random() * delay) / 2);

export async function waitUntil<T>(
  ctx: WaitContext,
  events: ResourceEvents,
  opts: WaitOptions,
  poll: () => Promise<Poll<T>>,
): Promise<T> {
  const start = ctx.clock.now();
  // Poll early (many waits end within seconds, on an emulator all of them), then back off to the cap.
  let delay = FIRST_DELAY_MS;
  for (;;) {
    let result: Poll<T>;
    try {
      result = await poll();
    } catch (err) {
      // Throttling while polling is AWS asking us to slow down, not a failure of the thing awaited.
      if (!isThrottling(err)) throw err;
      result = pending("throttled");
    }
    if (result.done) return result.value;
    const elapsed = ctx.clock.now() - start;
    if (elapsed >= opts.timeoutMs) throw new WaitTimeoutError(opts.what, elapsed, opts.suggestion);
    events.waiting(opts.what, result.state, elapsed, result.detail);
    const cap = Math.max(opts.maxDelayMs ?? 15_000, result.capMs ?? 0);
    delay = Math.min(delay, cap);
    await ctx.clock.sleep(
      Math.min(
        jittered(delay, () => randomOf(ctx.clock)),
        opts.timeoutMs - elapsed,
      ),
    );
    delay = Math.min(cap, Math.round(delay * 1.5));
  }
}

/**
 * An error AWS documents as passing (eventual consistency): its code, in either spelling, and - where the same code
 * also means a mistake that no retry will fix - the message that tells the passing case apart.
 */
export type Transient = string | { code: string; message: RegExp };

export function isTransient(err: unknown, transient: readonly Transient[]): boolean {
  return transient.some((t) =>
    typeof t === "string"
      ? isAwsError(err, t)
      : isAwsError(err, t.code) && t.message.test((err as Error).message ?? ""),
  );
}

/** Repeats call while AWS answers with a transient error, up to the time limit; any other error ends it at once. */
export function retryWhile<T>(
  ctx: WaitContext,
  events: ResourceEvents,
  opts: WaitOptions & { transient: readonly Transient[] },
  call: () => Promise<T>,
): Promise<T> {
  return waitUntil(ctx, events, opts, async () => {
    try {
      return done(await call());
    } catch (err) {
      if (isTransient(err, opts.transient)) return pending(awsErrorCode(err) ?? "retrying");
      throw err;
    }
  });
}

/** The usual wait: under the command's --timeout, and on timeout the advice to run again. */
export function waitOptions(ctx: { options: { timeoutMs: number } }, what: string): WaitOptions {
  return {
    what,
    timeoutMs: ctx.options.timeoutMs,
    suggestion: "run the same command again to keep waiting, or raise --timeout",
  };
}
