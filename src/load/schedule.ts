// The load itself: an open model. Request i of a step is due at the step's start + i/rate and starts then,
// whether or not earlier ones have answered. It goes on a socket as soon as one of the run's connections is free;
// until then it waits in the generator's own queue, first in first out, and that wait is measured apart from the
// service's latency (and from the generator's own lateness in starting it). Each request has --request-timeout from when it was due: one that waits that long for a
// connection is never sent ("queued"), one on a socket is aborted. One already handed to undici but not yet on
// its socket (a connection opening) is let through and counted as a timeout: aborting it then would make undici
// destroy the socket, and every request behind it would wait for a new one. An aborted signal (Ctrl-C) ends the schedule
// and cancels what is queued or in flight (cancelled, not errors); a stop (a ramp's broken step, --abort-on) ends
// the schedule and lets what is in flight finish within its timeout.
import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import { type Exchange, exchange, failureKind } from "./exchange.js";
import type { Measurements } from "./measure.js";
import { pathPicker } from "./paths.js";
import type { LoadPlan } from "./plan.js";

export interface ScheduleHooks {
  /** Where a request of this step is counted: the run's measurements, and its step's. */
  countIn(step: number): Measurements[];
  /** After a request of this step has answered, failed or been cancelled. */
  settled?(step: number): void;
  /** Asked before each request starts: a reason to stop sending, once there is one. */
  stop?(): string | undefined;
}

export interface ScheduleResult {
  elapsedMs: number;
  /** Why the schedule ended early, other than Ctrl-C. */
  stoppedBy?: string;
}

interface Request {
  step: number;
  due: number;
  /** When the generator started it: its due time, or later when the generator itself lagged. */
  startedAt: number;
  state: "queued" | "on its way" | "done";
  writtenAt?: number;
  /** Its timeout passed before it was written to its socket. */
  expired?: boolean;
  exchange?: Exchange;
  timer?: NodeJS.Timeout;
}

const TIMED_OUT = Symbol("timed out");
const CANCELLED = Symbol("cancelled");

/** Runs the plan's steps; resolves once every request it started has answered, failed or been cancelled. */
export async function runSchedule(plan: LoadPlan, hooks: ScheduleHooks, signal: AbortSignal): Promise<ScheduleResult> {
  const pool = new Pool(plan.origin, {
    connections: plan.connections,
    connect: { timeout: plan.requestTimeoutMs },
    headersTimeout: plan.requestTimeoutMs,
    bodyTimeout: plan.requestTimeoutMs,
  });
  const next = pathPicker(plan.paths);
  const queue: Request[] = [];
  const open = new Set<Request>();
  const pending = new Set<Promise<void>>();
  let inUse = 0;
  const start = performance.now();
  let end = start;

  const settle = (r: Request) => {
    r.state = "done";
    clearTimeout(r.timer);
    open.delete(r);
    end = Math.max(end, performance.now());
    hooks.settled?.(r.step);
  };
  const count = (r: Request, f: (m: Measurements) => void) => {
    for (const m of hooks.countIn(r.step)) f(m);
  };
  const send = (r: Request) => {
    r.state = "on its way";
    inUse++;
    count(r, (m) => m.using(inUse));
    r.exchange = exchange(pool, next(), () => {
      r.writtenAt = performance.now();
      count(r, (m) => m.written((r.writtenAt as number) - r.startedAt));
    });
    const serviceMs = () => (r.writtenAt === undefined ? {} : { serviceMs: performance.now() - r.writtenAt });
    const timedOut = () => count(r, (m) => m.failure("timeout", { latencyMs: plan.requestTimeoutMs, ...serviceMs() }));
    const finished = r.exchange.done.then(
      (a) => {
        const now = performance.now();
        if (r.expired) timedOut();
        else count(r, (m) => m.answer(a.status, now - r.due, now - (r.writtenAt ?? now), a.bytes, a.location));
      },
      (err) => {
        if (err === CANCELLED) count(r, (m) => m.cancelled++);
        else if (err === TIMED_OUT) timedOut();
        else count(r, (m) => m.failure(failureKind(err), serviceMs()));
      },
    );
    const tracked = finished.finally(() => {
      inUse--;
      settle(r);
      pending.delete(tracked);
      sendWhatWaits();
    });
    pending.add(tracked);
  };
  const sendWhatWaits = () => {
    while (inUse < plan.connections && queue.length > 0) {
      const r = queue.shift() as Request;
      if (r.state === "queued") send(r);
    }
  };
  const expire = (r: Request) => {
    if (r.state === "queued") {
      const waitedMs = performance.now() - r.startedAt;
      count(r, (m) => m.failure("queued", { latencyMs: plan.requestTimeoutMs, waitedMs }));
      settle(r);
    } else if (r.state === "on its way") {
      if (r.writtenAt === undefined) r.expired = true;
      else r.exchange?.abort(TIMED_OUT);
    }
  };
  /** On Ctrl-C, everything; on a stop, what has not been sent yet. */
  const cancel = (inFlightToo: boolean) => {
    for (const r of open)
      if (r.state === "queued") {
        count(r, (m) => m.cancelled++);
        settle(r);
      } else if (inFlightToo) r.exchange?.abort(CANCELLED);
  };
  const cancelAll = () => cancel(true);
  signal.addEventListener("abort", cancelAll, { once: true });

  let stoppedBy: string | undefined;
  try {
    let stepStart = start;
    steps: for (const [step, { rate, durationMs }] of plan.steps.entries()) {
      const requests = Math.ceil((rate * durationMs) / 1000);
      for (let i = 0; i < requests; i++) {
        const due = stepStart + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => {});
        stoppedBy = hooks.stop?.();
        if (signal.aborted || stoppedBy) break steps;
        const r: Request = { step, due, startedAt: performance.now(), state: "queued" };
        count(r, (m) => m.started(r.startedAt - due));
        r.timer = setTimeout(() => expire(r), due + plan.requestTimeoutMs - performance.now());
        open.add(r);
        queue.push(r);
        sendWhatWaits();
      }
      stepStart += durationMs;
    }
    if (stoppedBy) cancel(false);
    // Requests still queued are sent as connections free up, or expire; then every exchange settles.
    while (open.size > 0) await Promise.race([...pending, sleep(50)]);
  } finally {
    signal.removeEventListener("abort", cancelAll);
    await (signal.aborted ? pool.destroy() : pool.close());
  }
  const elapsedMs = (signal.aborted ? performance.now() : end) - start;
  return { elapsedMs, ...(stoppedBy ? { stoppedBy } : {}) };
}
