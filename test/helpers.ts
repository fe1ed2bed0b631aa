// What the tests share: an env file in a temp folder, a context wired to the fake, and the CLI run in-process.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, vi } from "vitest";
import { main } from "../src/commands/program.js";
import type { Io } from "../src/commands/render.js";
import type { Deps } from "../src/commands/setup.js";
import { AwsClients } from "../src/core/aws.js";
import type { Context } from "../src/core/context.js";
import { EnvFile } from "../src/core/env-file.js";
import { Events } from "../src/core/events.js";
import { actionsFor } from "../src/iam/policy.js";
import type { Action, Resource } from "../src/resources/resource.js";
import { AwsFake, type Call } from "../src/sandbox/aws/aws-fake.js";
import { INPUTS } from "../src/sandbox/aws/inputs.js";
import { FakeInternet } from "../src/sandbox/aws/internet.js";
import { assess, createResource, destroyResource, verifyResource } from "../src/state/lifecycle.js";
import { installInProcess } from "./support/in-process.js";

export { APPENDED_LINE, INPUTS } from "../src/sandbox/aws/inputs.js";

export function tempEnvFile(text = INPUTS, name = "aws-resources.env"): string {
  const path = join(mkdtempSync(join(tmpdir(), "infra-test-")), name);
  writeFileSync(path, text);
  return path;
}

export const readText = (path: string) => readFileSync(path, "utf8");

const internets = new WeakMap<AwsFake, FakeInternet>();

/** The public internet in front of a fake (one per fake, so tests can break paths on it). */
export function internetOf(fake: AwsFake): FakeInternet {
  let internet = internets.get(fake);
  if (!internet) {
    internet = new FakeInternet(fake);
    internets.set(fake, internet);
  }
  return internet;
}

/**
 * A fresh fake for each test, installed on every SDK client class and removed afterwards. With
 * INFRA_FAKE_ADAPTER=wire the same tests run through the wire adapter instead: every SDK client made in the test
 * reaches the fake over HTTP (AWS_ENDPOINT_URL), so the suites also check that both adapters agree.
 */
export function useFake(opts: { iamPolicy?: boolean } = {}): { current: AwsFake & { restore(): void } } {
  const holder = {} as { current: AwsFake & { restore(): void } };
  // Every call infra made in the test must be allowed by the policy `infra iam-policy all` prints (a test of the
  // fake itself, which calls AWS directly, opts out).
  if (opts.iamPolicy !== false) afterEach(() => expectCoveredByPolicy(holder.current.calls));
  if (process.env.INFRA_FAKE_ADAPTER === "wire") {
    beforeEach(async () => {
      const { DUMMY_CREDENTIALS, openWire } = await import("./support/wire.js");
      const { fake, server } = await openWire();
      vi.stubEnv("AWS_ENDPOINT_URL", server.url);
      vi.stubEnv("AWS_ACCESS_KEY_ID", DUMMY_CREDENTIALS.accessKeyId);
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", DUMMY_CREDENTIALS.secretAccessKey);
      holder.current = Object.assign(fake, {
        restore() {
          vi.unstubAllEnvs();
          void server.close();
        },
      });
    });
    afterEach(() => holder.current.restore());
    return holder;
  }
  beforeEach(() => {
    holder.current = installInProcess(new AwsFake());
  });
  afterEach(() => holder.current.restore());
  return holder;
}

/**
 * Every call the fake received is one whose authorization the fake models (src/sandbox/aws/authorization/), and
 * every action AWS authorizes for it is one the IAM policy for everything lists (test/iam-evaluation.test.ts
 * evaluates them on their resources and conditions).
 */
export function expectCoveredByPolicy(calls: readonly Call[]): void {
  const allowed = new Set(actionsFor(["all"]));
  const unmodeled = [
    ...new Set(calls.filter((c) => !c.authorization && !c.refused).map((c) => `${c.service}:${c.op}`)),
  ];
  expect(unmodeled, "calls src/sandbox/aws/authorization/ does not authorize").toEqual([]);
  const actions = calls.flatMap((c) => (c.authorization ?? []).map((a) => a.action));
  const missing = [...new Set(actions.filter((a) => !allowed.has(a)))];
  expect(missing, "actions infra used that src/iam/policy.ts does not allow").toEqual([]);
}

export async function contextFor(fake: AwsFake, envPath: string, options: Partial<Context["options"]> = {}) {
  const env = await EnvFile.load(envPath);
  const events = new Events();
  const ctx: Context = {
    env,
    aws: new AwsClients({ region: "us-east-1" }),
    clock: fake.clock,
    events,
    options: { wait: true, timeoutMs: 45 * 60_000, ...options },
    dns: { resolveNs: (domain) => fake.dns.resolveNs(domain) },
    http: { get: (url) => internetOf(fake).get(url) },
    steps: { has: () => false, finished: async () => {} },
  };
  return ctx;
}

/** One resource's commands, as `infra <command> <resource>` runs them, on a context. */
export function lifecycleOf<C>(resource: Resource<C>) {
  const assessed = async (ctx: Context, action: Action) => assess(ctx, resource, resource.config(ctx.env, action));
  return {
    plan: (ctx: Context) => assessed(ctx, "plan"),
    create: async (ctx: Context) => createResource(ctx, await assessed(ctx, "create")),
    verify: async (ctx: Context) => verifyResource(ctx, await assessed(ctx, "verify")),
    destroy: (ctx: Context) => destroyResource(ctx, resource, resource.config(ctx.env, "destroy")),
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A terminal-less shell's stdio: what infra writes is kept in `written`, stdin answers nothing. */
export function capturedIo(): { io: Io; written: { stdout: string; stderr: string } } {
  const written = { stdout: "", stderr: "" };
  const io: Io = {
    stdout: (t) => {
      written.stdout += t;
    },
    stderr: (t) => {
      written.stderr += t;
    },
    stderrIsTTY: false,
    stdinIsTTY: false,
    ask: async () => "",
  };
  return { io, written };
}

/** Runs the CLI in-process, as a user would from a terminal-less shell, against the fake. */
export async function runCli(
  argv: string[],
  fake: AwsFake,
  io: Partial<Io> = {},
  deps: Partial<Pick<Deps, "interrupt" | "sampleEveryMs" | "env">> = {},
): Promise<CliResult> {
  const captured = capturedIo();
  const code = await main(argv, {
    ...deps,
    env: deps.env ?? {},
    clock: fake.clock,
    dns: { resolveNs: (domain) => fake.dns.resolveNs(domain) },
    http: { get: (url) => internetOf(fake).get(url) },
    io: { ...captured.io, ...io },
  });
  return { code, ...captured.written };
}
