// What a load test will do, checked before it sends anything: the target (the stack's own endpoint unless
// another is named, and then only with --outside-stack), the paths, the rate, duration and connections within
// caps that only --lift-caps raises.
import { parseDuration } from "../core/duration.js";
import { InputError } from "../core/errors.js";
import { type EnvReader, readInputs } from "../core/inputs.js";
import { checkPath, readPathsFile, type WeightedPath } from "./paths.js";

/** The options of `infra load-test`, as commander gives them. */
export interface LoadOptions {
  rate: string;
  duration: string;
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
}

export const DEFAULTS = { rate: "10", duration: "30s", connections: "10", requestTimeout: "10s" };
/** What a run may do without --lift-caps, and with it. */
export const CAPS = {
  normal: { rate: 200, durationMs: 10 * 60_000, connections: 100 },
  lifted: { rate: 2_000, durationMs: 60 * 60_000, connections: 1_000 },
};
const MAX_REQUEST_TIMEOUT_MS = 60_000;

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
const minutes: Unit = (ms) => `${ms / 60_000}m`;
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
  const rate = positive("--rate", o.rate, false);
  const durationMs = parseDuration(o.duration, "--duration");
  const connections = positive("--connections", o.connections, true);
  const requestTimeoutMs = parseDuration(o.requestTimeout, "--request-timeout");
  const { normal, lifted } = CAPS;
  capped("--rate", rate, normal.rate, lifted.rate, liftCaps, `${o.rate} req/s`, perSecond);
  capped("--duration", durationMs, normal.durationMs, lifted.durationMs, liftCaps, o.duration, minutes);
  capped("--connections", connections, normal.connections, lifted.connections, liftCaps, o.connections, plain);
  if (requestTimeoutMs > MAX_REQUEST_TIMEOUT_MS)
    throw new InputError(`--request-timeout ${o.requestTimeout} is above ${MAX_REQUEST_TIMEOUT_MS / 1000}s`);
  const total = Math.ceil((rate * durationMs) / 1000);
  const { origin, outsideStack } = target(o, env);
  const paths = await pathsOf(o, env);
  const steps = [{ rate, durationMs }];
  const allowRedirects = Boolean(o.allowRedirects);
  return { origin, paths, steps, rate, durationMs, connections, requestTimeoutMs, total, outsideStack, allowRedirects };
}

/** The stack's endpoint, https://<API_DOMAIN_NAME>; another only when named with --target and --outside-stack. */
function target(o: LoadOptions, env: EnvReader): { origin: string; outsideStack: boolean } {
  const input = readInputs(env, "load-test");
  const domain = input.maybe("API_DOMAIN_NAME")?.toLowerCase();
  const albName = input.maybe("ALB_DNS_NAME")?.toLowerCase();
  if (o.target === undefined) {
    if (!domain)
      throw new InputError(
        "load-test needs API_DOMAIN_NAME, which is not set in the env file",
        "set it, or name another target with --target <url> --outside-stack",
      );
    return { origin: `https://${domain}`, outsideStack: false };
  }
  let url: URL;
  try {
    url = new URL(o.target);
  } catch {
    throw new InputError(`--target ${o.target} is not a URL`, "write it like https://api.example.com");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new InputError(`--target ${o.target} is not an http(s) URL`);
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password)
    throw new InputError(`--target ${o.target} must be scheme://host[:port] only`, "give paths with --path");
  const host = url.hostname.toLowerCase();
  const outsideStack = host !== domain && host !== albName;
  if (outsideStack && !o.outsideStack)
    throw new InputError(
      `--target ${url.origin} is not this stack's endpoint (API_DOMAIN_NAME=${domain ?? "unset"})`,
      "pass --outside-stack as well to load another host",
    );
  return { origin: url.origin, outsideStack };
}

async function pathsOf(o: LoadOptions, env: EnvReader): Promise<WeightedPath[]> {
  const given = (o.path ?? []).map((p) => ({ path: checkPath(p, "--path"), weight: 1 }));
  const fromFile = o.pathsFile ? await readPathsFile(o.pathsFile) : [];
  if (given.length + fromFile.length > 0) return [...given, ...fromFile];
  return [{ path: readInputs(env, "load-test").need("HEALTH_CHECK_PATH"), weight: 1 }];
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
