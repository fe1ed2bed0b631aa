// Turns parsed options into a Context, checking every input before the first AWS call.
import { AwsClients, type AwsSettings, type ClientMap } from "../core/aws.js";
import { type Clock, systemClock } from "../core/clock.js";
import type { Context, DnsResolver, HttpProbe } from "../core/context.js";
import { EnvFile } from "../core/env-file.js";
import { InputError } from "../core/errors.js";
import { type EventSink, Events, type InfraEvent } from "../core/events.js";
import { type EnvReader, withPendingRecords } from "../core/inputs.js";
import type { Interrupt } from "../core/interrupt.js";
import { carryInvocation, type Invocation } from "../core/invocation.js";
import { checkResourceNames, RESOURCES, selectResources } from "../resources/registry.js";
import type { Action, Resource } from "../resources/resource.js";
import { checkEndpoint, type GlobalOptions, parseDuration, resolveRegion } from "./options.js";
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
  /** The options this run was given that say where it runs: carried into every command it prints. */
  invocation?: Invocation;
}

export interface Selected {
  // biome-ignore lint/suspicious/noExplicitAny: each resource has its own config type.
  resource: Resource<any>;
  config: unknown;
}

export interface Prepared {
  ctx: Context;
  selected: Selected[];
}

/** Selects the resources, reads the env file and validates all inputs: any mistake ends here, before AWS. */
export async function loadInputs(names: string[], opts: GlobalOptions, action: Action) {
  if (names.length > 0) checkResourceNames(names);
  const timeoutMs = parseDuration(opts.timeout);
  const endpoint = checkEndpoint(opts.endpointUrl);
  const env = await EnvFile.load(opts.envFile);
  const resources = names.length > 0 ? selectResources(names, env) : [];
  // Each step is checked against the env file as it will be when its turn comes: what the other steps of the run
  // record is "known after" them.
  const selected = resources.map((resource) => ({
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
  return { env, selected, timeoutMs, endpoint };
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
  const { env, selected, timeoutMs, endpoint } = await loadInputs(names, opts, action);
  if (action === "create" || action === "destroy") await env.claim();
  return { ctx: makeContext(env, opts, deps, timeoutMs, endpoint), selected };
}

export function makeContext(
  env: EnvFile,
  opts: GlobalOptions,
  deps: Deps,
  timeoutMs: number,
  endpoint?: string,
): Context {
  const region = resolveRegion(opts.region, env.get("AWS_REGION"), deps.env.AWS_REGION);
  const aws = new AwsClients(
    {
      region,
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(deps.credentials ? { credentials: deps.credentials } : {}),
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
  return {
    env,
    aws,
    clock,
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
