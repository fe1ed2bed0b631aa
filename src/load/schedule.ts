// The load itself: an open model. Request i is due at start + i/rate and starts then whether or not earlier
// ones have answered; when every connection is busy it waits in undici's queue, and its latency still counts
// from when it was due. Each request has --request-timeout from that moment, so what is in flight stays bounded
// (rate x timeout). An aborted signal (Ctrl-C) stops the schedule and cancels what is in flight: those requests
// are counted as cancelled, not as errors.
import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import type { FailureKind, Measurements } from "./measure.js";
import { pathPicker } from "./paths.js";
import type { LoadPlan } from "./plan.js";

export const USER_AGENT = "infra-load-test";

const TIMED_OUT = Symbol("timed out");
const CANCELLED = Symbol("cancelled");

const TIMEOUT_CODES = ["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT"];
const RESET_CODES = ["ECONNRESET", "UND_ERR_SOCKET", "EPIPE", "ECONNABORTED"];
const TLS_CODES = [
  "EPROTO",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
];

/** What kind of failure an error from undici or Node's sockets is. */
export function failureKind(err: unknown): FailureKind {
  const codes: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === "string") codes.push(e.code);
    e = e.cause as typeof e;
  }
  const any = (list: string[]) => codes.some((c) => list.includes(c));
  if (any(TIMEOUT_CODES)) return "timeout";
  if (codes.some((c) => c.startsWith("ERR_TLS_") || c.startsWith("ERR_SSL_")) || any(TLS_CODES)) return "tls";
  if (any(RESET_CODES)) return "reset";
  if (any(["ECONNREFUSED"])) return "refused";
  if (any(["ENOTFOUND", "EAI_AGAIN"])) return "dns";
  return "other";
}

/** Runs the plan's schedule; resolves once every request it started has answered, failed or been cancelled. */
export async function runSchedule(
  plan: LoadPlan,
  m: Measurements,
  signal: AbortSignal,
): Promise<{ elapsedMs: number }> {
  const pool = new Pool(plan.origin, {
    connections: plan.connections,
    connect: { timeout: plan.requestTimeoutMs },
    headersTimeout: plan.requestTimeoutMs,
    bodyTimeout: plan.requestTimeoutMs,
  });
  const inFlight = new Set<AbortController>();
  const cancelAll = () => {
    for (const c of inFlight) c.abort(CANCELLED);
  };
  signal.addEventListener("abort", cancelAll, { once: true });
  const next = pathPicker(plan.paths);
  const interval = 1000 / plan.rate;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  let end = start;
  const send = async (due: number) => {
    const controller = new AbortController();
    inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(TIMED_OUT), due + plan.requestTimeoutMs - performance.now());
    try {
      const res = await pool.request({
        path: next(),
        method: "GET",
        headers: { "user-agent": USER_AGENT },
        signal: controller.signal,
      });
      let bytes = 0;
      for await (const chunk of res.body) bytes += (chunk as Buffer).length;
      m.answer(res.statusCode, performance.now() - due, bytes);
    } catch (err) {
      const reason = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason === CANCELLED) m.cancelled++;
      else if (reason === TIMED_OUT) m.failure("timeout", plan.requestTimeoutMs);
      else m.failure(failureKind(err));
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
      end = Math.max(end, performance.now());
    }
  };
  try {
    for (let i = 0; i < plan.total && !signal.aborted; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => {});
      if (signal.aborted) break;
      m.started(performance.now() - due);
      const request = send(due);
      pending.add(request);
      request.finally(() => pending.delete(request));
    }
    await Promise.all(pending);
  } finally {
    signal.removeEventListener("abort", cancelAll);
    await (signal.aborted ? pool.destroy() : pool.close());
  }
  return { elapsedMs: (signal.aborted ? performance.now() : end) - start };
}
