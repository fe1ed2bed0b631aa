// What a load test will do, checked before it sends anything: the target (target.ts), the paths, the steps (one
// rate for a duration, or a ramp), connections within caps that only --lift-caps raises, and when to stop.
import { parseDuration } from "../core/duration.js";
import { InputError } from "../core/errors.js";
import { type EnvReader, readInputs } from "../core/inputs.js";
import { DEFAULT_OBSERVE_MS } from "./observation.js";
import type { WeightedPath } from "./paths.js";
import { parseRamp, parseStopWhen } from "./ramp.js";
import { pathsOf, target } from "./target.js";
import { type Expectation, parseExpect } from "./thresholds.js";

/** The options of `infra load-test`, as commander gives them. */
export interface LoadOptions {
  /** Undefined when not given: a ramp sets the rate and the duration itself. */
  rate?: string;
  duration?: string;
  ramp?: string;
  steps?: string;
  stopWhen?: string;
  expect?: string;
  abortOn?: string;
  observe?: string;
  /** false with --no-sample: nothing is read in AWS, so nothing is watched after the load. */
  sample?: boolean;
  connections: string;
  requestTimeout: string;
  path?: string[];
  pathsFile?: string;
  target?: string;
  outsideStack?: boolean;
  liftCaps?: boolean;
  allowRedirects?: boolean;
}

/** A rate held for a while: a run is one step, a ramp several. */
export interface Step {
  rate: number;
  durationMs: number;
}

export interface LoadPlan {
  /** scheme://host[:port], no path. */
  origin: string;
  paths: WeightedPath[];
  /** Arrivals per second, step after step: requests start on this schedule whether or not earlier ones have answered. */
  steps: Step[];
  /** The highest rate of any step. */
  rate: number;
  /** All steps together. */
  durationMs: number;
  /** The most connections (so requests in flight) open at once. */
  connections: number;
  /** How long a request may take, counted from its scheduled start. */
  requestTimeoutMs: number;
  /** How many requests the schedule holds. */
  total: number;
  /** The target is not the stack's own endpoint (API_DOMAIN_NAME or ALB_DNS_NAME). */
  outsideStack: boolean;
  /** A redirect counts as an answer, not an error. */
  allowRedirects: boolean;
  /** With --ramp: a step breaks when one of these holds, and the ramp stops there. */
  ramp?: { stopWhen: Expectation[] };
  /** The run stops when one of these holds for the requests of its last seconds. */
  abortOn: Expectation[];
  /** How long to keep watching the stack after the load before saying what auto scaling and the alarms did. */
  observeMs: number;
}

export const DEFAULTS = { rate: "10", duration: "30s", connections: "10", requestTimeout: "10s" };
/** What a run may do without --lift-caps, and with it. */
export const CAPS = {
  normal: { rate: 200, durationMs: 10 * 60_000, connections: 100 },
  lifted: { rate: 2_000, durationMs: 60 * 60_000, connections: 1_000 },
};
const MAX_REQUEST_TIMEOUT_MS = 60_000;
const MAX_OBSERVE_MS = 30 * 60_000;

function positive(option: string, text: string, integer: boolean): number {
  const ok = integer ? /^\d+$/.test(text) : /^\d+(\.\d+)?$/.test(text);
  const n = Number(text);
  if (!ok || n <= 0)
    throw new InputError(`${option} ${text} is not ${integer ? "a whole number" : "a number"} above 0`);
  return n;
}

/** A cap as the option is written: 200 req/s, 10m, 100. */
type Unit = (n: number) => string;
const perSecond: Unit = (n) => `${n} req/s`;
const minutes: Unit = (ms) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`);
const plain: Unit = (n) => String(n);

function capped(
  option: string,
  value: number,
  normal: number,
  lifted: number,
  liftCaps: boolean,
  show: string,
  unit: Unit,
) {
  if (value > lifted) throw new InputError(`${option} ${show} is above the most infra sends (${unit(lifted)})`);
  if (value > normal && !liftCaps)
    throw new InputError(
      `${option} ${show} is above the cap of ${unit(normal)}`,
      "pass --lift-caps as well to go above it (the load goes to production)",
    );
}

export async function planLoad(o: LoadOptions, env: EnvReader): Promise<LoadPlan> {
  const liftCaps = Boolean(o.liftCaps);
  const steps = o.ramp === undefined ? [oneStep(o)] : rampSteps(o, o.ramp);
  const rate = Math.max(...steps.map((s) => s.rate));
  const durationMs = steps.reduce((ms, s) => ms + s.durationMs, 0);
  const connections = positive("--connections", o.connections, true);
  const requestTimeoutMs = parseDuration(o.requestTimeout, "--request-timeout");
  const { normal, lifted } = CAPS;
  const [rateOption, durationOption] =
    o.ramp === undefined ? ["--rate", "--duration"] : [`--ramp ${o.ramp}:`, `--ramp ${o.ramp}:`];
  capped(rateOption, rate, normal.rate, lifted.rate, liftCaps, `${rate} req/s`, perSecond);
  capped(durationOption, durationMs, normal.durationMs, lifted.durationMs, liftCaps, minutes(durationMs), minutes);
  capped("--connections", connections, normal.connections, lifted.connections, liftCaps, o.connections, plain);
  if (requestTimeoutMs > MAX_REQUEST_TIMEOUT_MS)
    throw new InputError(`--request-timeout ${o.requestTimeout} is above ${MAX_REQUEST_TIMEOUT_MS / 1000}s`);
  const total = steps.reduce((n, s) => n + requestsOf(s), 0);
  const { origin, outsideStack } = target(o, env);
  const paths = await pathsOf(o, env);
  return {
    origin,
    paths,
    steps,
    rate,
    durationMs,
    connections,
    requestTimeoutMs,
    total,
    outsideStack,
    allowRedirects: Boolean(o.allowRedirects),
    abortOn: parseExpect(o.abortOn, "--abort-on"),
    observeMs: observeOf(o),
    ...(o.ramp === undefined ? {} : { ramp: { stopWhen: parseStopWhen(o.stopWhen) } }),
  };
}

function observeOf(o: LoadOptions): number {
  if (o.observe === undefined) return o.sample === false ? 0 : DEFAULT_OBSERVE_MS;
  const ms = /^0+(\.0+)?[a-z]*$/.test(o.observe.trim()) ? 0 : parseDuration(o.observe, "--observe");
  if (ms > MAX_OBSERVE_MS) throw new InputError(`--observe ${o.observe} is above ${MAX_OBSERVE_MS / 60_000}m`);
  if (ms > 0 && o.sample === false)
    throw new InputError(`--observe ${o.observe} watches the stack in AWS, which --no-sample does not read`);
  return ms;
}

/** How many requests a step sends. */
export const requestsOf = (s: Step) => Math.ceil((s.rate * s.durationMs) / 1000);

function oneStep(o: LoadOptions): Step {
  if (o.steps !== undefined) throw new InputError(`--steps ${o.steps} needs --ramp`);
  if (o.stopWhen !== undefined) throw new InputError(`--stop-when ${o.stopWhen} needs --ramp`);
  const rate = positive("--rate", o.rate ?? DEFAULTS.rate, false);
  return { rate, durationMs: parseDuration(o.duration ?? DEFAULTS.duration, "--duration") };
}

function rampSteps(o: LoadOptions, ramp: string): Step[] {
  const given = [o.rate === undefined ? "" : "--rate", o.duration === undefined ? "" : "--duration"].filter(Boolean);
  if (given.length > 0)
    throw new InputError(`--ramp sets the rate and the duration itself: drop ${given.join(" and ")}`);
  if (o.expect !== undefined)
    throw new InputError(
      "--expect judges a run at one rate; a ramp stops at the first step that breaks --stop-when",
      "drop --expect, or run at one rate",
    );
  return parseRamp(ramp, o.steps);
}

/**
 * The opt-in WAF blocks an IP above WAF_RATE_LIMIT requests in 5 minutes (2000 unless set): a load test from one
 * machine that goes past it is answered 403 from then on, which says nothing about the service.
 */
export function wafWarning(plan: LoadPlan, env: EnvReader): string | undefined {
  const input = readInputs(env, "load-test");
  if (plan.outsideStack || input.maybe("WAF_ENABLED") !== "true") return undefined;
  const limit = Number(input.need("WAF_RATE_LIMIT"));
  const inFiveMinutes = plan.rate * (Math.min(plan.durationMs, 300_000) / 1000);
  if (!(inFiveMinutes > limit)) return undefined;
  return `the WAF blocks an IP above ${limit} requests in 5 minutes: this run sends ${Math.round(inFiveMinutes)} in its first 5 minutes, so from about ${Math.round(limit / plan.rate)} s on it will be answered 403`;
}
