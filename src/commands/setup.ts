// Turns parsed options into a Context, checking every input before the first AWS call.
import { AwsClients, type AwsSettings, type ClientMap } from "../core/aws.js";
import { ciRunOf } from "../core/claim.js";
import { type Clock, systemClock } from "../core/clock.js";
import type { Context, DnsResolver, HttpProbe } from "../core/context.js";
import { CLAIM_LEASE_MS, EnvFile } from "../core/env-file.js";
import { InputError, MissingInputsError } from "../core/errors.js";
import { type EventSink, Events, type InfraEvent } from "../core/events.js";
import { type EnvReader, withPendingRecords } from "../core/inputs.js";
import type { Interrupt } from "../core/interrupt.js";
import { carryInvocation, type Invocation } from "../core/invocation.js";
import { drillRecords } from "../recovery/record.js";
import { checkResourceNames, RESOURCES, selectResources } from "../resources/registry.js";
import type { Action, Resource } from "../resources/resource.js";
import { storeUrlFor } from "../store/location.js";
import { checkEndpoint, type GlobalOptions, parseClaimWait, parseDuration, resolveRegion } from "./options.js";
import { type Io, progressRenderer } from "./render.js";

/** What the CLI gets from its surroundings; tests pass their own. */
export interface Deps {
  io: Io;
  env: Record<string, string | undefined>;
  clock?: Clock;
  clients?: Partial<ClientMap>;
  /** Fixed credentials instead of the SDK's chain (the sandbox's). */
  credentials?: AwsSettings["credentials"];
  dns?: DnsResolver;
  http?: HttpProbe;
  /** Ctrl-C, for commands that clean up after themselves (tests pass their own and call handle()). */
  interrupt?: Interrupt;
  /** How often `load-test` samples the stack in AWS (30 s; tests pass less). */
  sampleEveryMs?: number;
  /** How long a stack claim lives unrenewed (5 minutes; the sandbox's are seconds). */
  claimLeaseMs?: number;
  /** The options this run was given that say where it runs: carried into every command it prints. */
  invocation?: Invocation;
}

/**
 * What a command does with the stack's record and claim before its first AWS call: nothing (plan, cost: offline),
 * read what other machines recorded (status, verify), or claim the stack (every command that changes it).
 */
export type RecordUse = "offline" | "read" | { claim: string };

/** Every key infra records: what a store of the stack's record carries. */
export const RECORDED_KEYS = [...new Set([...RESOURCES.flatMap((r) => r.records), ...drillRecords.records])];

export interface Selected {
  // biome-ignore lint/suspicious/noExplicitAny: each resource has its own config type.
  resource: Resource<any>;
  config: unknown;
}

export interface Prepared {
  ctx: Context;
  selected: Selected[];
}

/**
 * Selects the resources, reads the env file and validates all inputs: any mistake ends here, before AWS. Then, as
 * `use` says, the stack is claimed or what other machines recorded is read (with a store, src/store/: inputs it may
 * fill are checked once it has); `check` validates the command's own inputs at the same points.
 */
export async function loadInputs(
  names: string[],
  opts: GlobalOptions,
  action: Action,
  deps?: Deps,
  use: RecordUse = "offline",
  check?: (env: EnvReader) => void,
) {
  if (names.length > 0) checkResourceNames(names);
  const timeoutMs = parseDuration(opts.timeout);
  const endpoint = checkEndpoint(opts.endpointUrl);
  const waitMs = parseClaimWait(opts.waitForClaim);
  const env = await EnvFile.load(opts.envFile);
  const resources = names.length > 0 ? selectResources(names, env) : [];
  // Each step is checked against the env file as it will be when its turn comes: what the other steps of the run
  // record is "known after" them.
  const configure = () => {
    check?.(env);
    return resources.map((resource) => ({
      resource,
      config: resource.config(
        action === "destroy"
          ? env
          : withPendingRecords(
              env,
              resources.filter((r) => r !== resource),
            ),
        action,
      ),
    }));
  };
  const url = use === "offline" || !deps ? undefined : storeUrlFor(opts.state, env, deps.env);
  let selected: ReturnType<typeof configure> | undefined;
  if (!url) selected = configure();
  else {
    // Keys the store may fill are not missing yet; a malformed value is still a mistake to stop on now.
    try {
      configure();
    } catch (err) {
      if (!(err instanceof MissingInputsError)) throw err;
    }
  }
  if (deps && use !== "offline") {
    const { aws } = sessionFor(env, opts, deps, endpoint, timeoutMs);
    if (url) {
      const { openStore } = await import("../store/open.js");
      env.useRemote(openStore({ url, env, aws, region: aws.settings.region, recorded: RECORDED_KEYS }));
    }
    if (typeof use === "object") await env.claim(use.claim, waitMs);
    else await env.pull();
  }
  selected ??= configure();
  return { env, selected, timeoutMs, endpoint };
}

/** The AWS clients and the progress of one command, made once per env file: the store's calls share them. */
const sessions = new WeakMap<EnvFile, { aws: AwsClients; events: Events }>();

// Each AWS call, retries included, is bounded by the run's --timeout (the first one given, when the session is shared).
function sessionFor(env: EnvFile, opts: GlobalOptions, deps: Deps, endpoint: string | undefined, timeoutMs: number) {
  const made = sessions.get(env);
  if (made) return made;
  const region = resolveRegion(opts.region, env.get("AWS_REGION"), deps.env.AWS_REGION);
  const aws = new AwsClients(
    {
      region,
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(deps.credentials ? { credentials: deps.credentials } : {}),
      callTimeoutMs: timeoutMs,
    },
    deps.clients,
  );
  // --json: one JSON document on stdout, and the progress as newline-delimited JSON events on stderr. Hints in them
  // carry the options this run was given; the commands infra writes out (runbook, delete lines) its file and region.
  const clock = deps.clock ?? systemClock;
  const render: EventSink = opts.json
    ? (e: InfraEvent) => deps.io.stderr(`${JSON.stringify(e)}\n`)
    : progressRenderer(deps.io, clock);
  // A region that came from the shell (neither --region nor the env file says it) is carried too: pasted into
  // another shell, the hint must not act in that shell's default region.
  const fromShell = !opts.region && !env.get("AWS_REGION");
  const hints = deps.invocation && fromShell ? { ...deps.invocation, region } : deps.invocation;
  const carried: EventSink = (e) => render({ ...e, message: carryInvocation(e.message, hints) });
  carried.end = () => render.end?.();
  const events = new Events(carried);
  env.notice = events.for("env file").warning;
  env.say = events.for("state").step;
  const claims = events.for("claim");
  env.claims = {
    clock,
    leaseMs: deps.claimLeaseMs ?? CLAIM_LEASE_MS,
    ...(ciRunOf(deps.env) ? { ciRun: ciRunOf(deps.env) as string } : {}),
    waiting: claims.waiting,
  };
  const session = { aws, events };
  sessions.set(env, session);
  return session;
}

/** A step's inputs as its turn will see them: what the other steps of the run record is "known after" them. */
export function readAsStep(resource: Resource, env: EnvReader, run: readonly Resource[], action: Action): unknown {
  const others = run.filter((r) => r !== resource);
  return resource.config(action === "destroy" ? env : withPendingRecords(env, others), action);
}

/** For `status`: every resource, those whose inputs are missing or wrong reported instead of stopping the run. */
export function configureEach(env: EnvFile, action: Action) {
  // Opt-in resources (waf) only when enabled or when they recorded something.
  const shown = RESOURCES.filter((r) => (r.inAll?.(env) ?? true) || r.records.some((k) => env.get(k)));
  return shown.map((resource) => {
    try {
      return { resource, config: resource.config(env, action) as unknown, inputError: undefined };
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      return { resource, config: undefined, inputError: err.message };
    }
  });
}

export async function prepare(names: string[], opts: GlobalOptions, action: Action, deps: Deps): Promise<Prepared> {
  const changes = action === "create" || action === "destroy";
  const use: RecordUse = changes ? { claim: `${action} ${names.join(" ")}` } : "read";
  const { env, selected, timeoutMs, endpoint } = await loadInputs(names, opts, action, deps, use);
  return { ctx: makeContext(env, opts, deps, timeoutMs, endpoint), selected };
}

export function makeContext(
  env: EnvFile,
  opts: GlobalOptions,
  deps: Deps,
  timeoutMs: number,
  endpoint?: string,
): Context {
  const { aws, events } = sessionFor(env, opts, deps, endpoint, timeoutMs);
  const { region } = aws.settings;
  return {
    env,
    aws,
    clock: deps.clock ?? systemClock,
    events,
    options: { wait: opts.wait, timeoutMs, keepLogs: Boolean(opts.keepLogs) },
    invocation: { ...deps.invocation, file: opts.envFile, region },
    dns: deps.dns ?? { resolveNs: async (domain) => (await import("node:dns/promises")).resolveNs(domain) },
    steps: { has: () => false, finished: async () => {} },
    http: deps.http ?? {
      get: async (url, timeoutMs) => ({
        status: (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).status,
      }),
    },
  };
}
