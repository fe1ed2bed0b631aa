// `npm run bench`: what a command costs. API calls per command against the AWS fake, the time each spends
// waiting on the fake's clock (to set against AWS's own times, modelled in the fake), what going over the wire
// costs against the in-process adapter, the sandbox's create all on the real clock, and CLI start-up time.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../src/commands/program.js";
import { CLAIM_LEASE_MS } from "../src/core/env-file.js";
import { AwsFake, DEFAULT_LATENCY, type Latency } from "../src/sandbox/aws/aws-fake.js";
import { INPUTS } from "../src/sandbox/aws/inputs.js";
import { FakeInternet } from "../src/sandbox/aws/internet.js";
import { SANDBOX_CREDENTIALS } from "../src/sandbox/session.js";
import { start } from "../src/sandbox/wire/server.js";
import { CROWD, crowd } from "../test/support/crowded-account.js";
import { installInProcess } from "../test/support/in-process.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** Runs the CLI in-process against the fake, as `infra <args>` would run against AWS. */
async function cli(fake: AwsFake, args: string[], credentials?: typeof SANDBOX_CREDENTIALS) {
  const code = await main(args, {
    env: {},
    ...(credentials ? { credentials } : {}),
    clock: fake.clock,
    dns: { resolveNs: (domain) => fake.dns.resolveNs(domain) },
    http: { get: (url) => new FakeInternet(fake).get(url) },
    io: { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, stdinIsTTY: false, ask: async () => "" },
  });
  if (code !== 0) throw new Error(`infra ${args.join(" ")} exited ${code}`);
}

/** AWS-like times for the waits that matter: ALB ~150 s to active, certificate ~240 s to ISSUED
 * after its CNAME exists, service ~180 s to stable (tasks start in 85 s, then the health checks). */
const AWS_LIKE: Partial<Latency> = { albActiveMs: 150_000, certificateIssuedMs: 240_000, taskStartMs: 85_000 };

/** An emulator's times: every wait AWS makes about 2 s (nothing longer). */
const SHORT: Partial<Latency> = Object.fromEntries(
  Object.entries(DEFAULT_LATENCY).map(([k, v]) => [k, Math.min(v as number, 2_000)]),
);

/** The critical path of AWS's own waits in create all: the ALB provisions while the certificate validates (its
 * records appear, then it is ISSUED), the HTTPS listener needs both, then the service's first deployment: tasks
 * start, targets pass their health checks, steady state. */
function criticalPath(l: Latency) {
  const listenerMs = Math.max(l.albActiveMs, l.certificateRecordsMs + l.certificateIssuedMs);
  const serviceMs = l.taskStartMs + l.taskStaggerMs + l.targetHealthCheckMs + l.deploymentSteadyMs;
  return {
    ms: listenerMs + serviceMs,
    text: `max(ALB active ${l.albActiveMs / 1000} s, certificate ISSUED ${(l.certificateRecordsMs + l.certificateIssuedMs) / 1000} s) + service stable ${serviceMs / 1000} s`,
  };
}

async function apiCalls(latency: Partial<Latency>) {
  const fake = installInProcess(new AwsFake());
  Object.assign(fake.latency, latency);
  fake.route53.addZone("startupwebapp.com");
  const path = join(mkdtempSync(join(tmpdir(), "infra-bench-")), "aws-resources.env");
  writeFileSync(path, INPUTS);
  const rows: { command: string; calls: number; mutating: number; targetHealth: number; waitedS: number }[] = [];
  const measure = async (args: string[]) => {
    const calls = fake.calls.length;
    const start = fake.clock.now();
    await cli(fake, [...args, "--file", path, "--yes"]);
    rows.push({
      command: `infra ${args.join(" ")}`,
      calls: fake.calls.length - calls,
      mutating: fake.mutatingCalls(calls).length,
      // Following a deployment reads its targets' health each poll once tasks run, for the terminal's view of it.
      targetHealth: fake.calls.slice(calls).filter((c) => c.op === "DescribeTargetHealth").length,
      waitedS: (fake.clock.now() - start) / 1000,
    });
  };
  await measure(["create", "all"]);
  await measure(["create", "all"]);
  await measure(["verify", "all"]);
  fake.ecr.push("startupwebapp", "v2");
  await measure(["deploy", "--image", ":v2"]);
  await measure(["destroy", "all"]);
  await measure(["destroy", "all"]);
  await measure(["create", "all"]);
  fake.restore();
  return { rows, critical: criticalPath(fake.latency) };
}

/**
 * What the store of the stack's record (INFRA_STATE) adds to each command: S3 calls, as a command makes them on the
 * machine that wrote last, on another machine (CI: no record in its env file) and on one whose file is stale.
 */
async function storeCalls() {
  const fake = installInProcess(new AwsFake());
  fake.route53.addZone("startupwebapp.com");
  fake.ecr.push("startupwebapp", "v2");
  const folder = () => join(mkdtempSync(join(tmpdir(), "infra-bench-")), "aws-resources.env");
  const laptop = folder();
  writeFileSync(laptop, INPUTS);
  await cli(fake, ["create", "all", "--file", laptop, "--yes"]);
  await cli(fake, ["state", "init", "--file", laptop]);
  const ci = folder();
  writeFileSync(ci, `${INPUTS}INFRA_STATE="s3://infra-state-123456789012-us-east-1/stacks/startupwebapp.json"\n`);
  const rows: { command: string; where: string; calls: string[] }[] = [];
  const measure = async (where: string, path: string, args: string[]) => {
    const since = fake.calls.length;
    await cli(fake, [...args, "--file", path, "--yes"]);
    const calls = fake.calls.slice(since).filter((c) => c.service === "S3");
    rows.push({ command: `infra ${args.join(" ")}`, where, calls: calls.map((c) => c.op) });
  };
  await measure("any machine", laptop, ["plan", "all"]);
  await measure("any machine", laptop, ["cost"]);
  await measure("the one that wrote last", laptop, ["create", "all"]);
  await measure("the one that wrote last", laptop, ["deploy", "--image", ":v2"]);
  await measure("another one (CI)", ci, ["deploy", "--image", ":latest"]);
  await measure("one whose file is stale", laptop, ["create", "all"]);
  await measure("any machine", laptop, ["status"]);
  await measure("any machine", laptop, ["verify", "all"]);
  fake.restore();
  return rows;
}

/** One create all on a fresh fake (fake clock, default latencies): in process, or over HTTP through the wire. */
async function createAll(adapter: "in process" | "wire") {
  const fake = new AwsFake();
  fake.route53.addZone("startupwebapp.com");
  const path = join(mkdtempSync(join(tmpdir(), "infra-bench-")), "aws-resources.env");
  writeFileSync(path, INPUTS);
  const t = process.hrtime.bigint();
  if (adapter === "wire") {
    const server = await start(fake);
    await cli(fake, ["create", "all", "--file", path, "--endpoint-url", server.url], SANDBOX_CREDENTIALS);
    await server.close();
  } else {
    const installed = installInProcess(fake);
    await cli(installed, ["create", "all", "--file", path]);
    installed.restore();
  }
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, calls: fake.calls.length };
}

/** The median of `runs` create all (after one to warm up), for each adapter. */
async function wireCost(runs = 5) {
  const out: Record<string, { ms: number; calls: number }> = {};
  for (const adapter of ["in process", "wire"] as const) {
    await createAll(adapter);
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await createAll(adapter));
    samples.sort((a, b) => a.ms - b.ms);
    out[adapter] = samples[Math.floor(runs / 2)] as { ms: number; calls: number };
  }
  return out as Record<"in process" | "wire", { ms: number; calls: number }>;
}

/** `infra --sandbox create all` then `status`, as the README's first command runs them, in a new folder. */
function sandboxRun(): { createMs: number; statusMs: number } {
  const cli = fileURLToPath(new URL("../bin/infra.js", import.meta.url));
  const cwd = mkdtempSync(join(tmpdir(), "infra-bench-sandbox-"));
  const timed = (args: string[]) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["--", cli, ...args], { cwd, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`infra ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  return { createMs: timed(["--sandbox", "create", "all"]), statusMs: timed(["--sandbox", "status"]) };
}

function startup(args: string[], runs = 15, env?: NodeJS.ProcessEnv, program: "infra" | "node" = "infra"): number {
  const times = Array.from({ length: runs }, () => timedStart(args, env, program));
  return median(times);
}

/** The median start of each case, the cases run in turn round after round. */
function startupMedians(cases: [string, string[], "infra" | "node"][], env: NodeJS.ProcessEnv, runs = 21): number[] {
  const times: number[][] = cases.map(() => []);
  for (let round = 0; round < runs; round++)
    for (const [i, [, args, program]] of cases.entries()) times[i]?.push(timedStart(args, env, program));
  return times.map(median);
}

function timedStart(args: string[], env: NodeJS.ProcessEnv | undefined, program: "infra" | "node"): number {
  const cli = fileURLToPath(new URL("../bin/infra.js", import.meta.url));
  const t = process.hrtime.bigint();
  const argv = program === "infra" ? ["--", cli, ...args] : args;
  const r = spawnSync(process.execPath, argv, { encoding: "utf8", ...(env ? { env } : {}) });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`infra ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

for (const [regime, latency] of [
  ["AWS-like waits", AWS_LIKE],
  ["short waits, as on an emulator", SHORT],
] as const) {
  const { rows, critical } = await apiCalls(latency);
  console.log(`API calls per command against the AWS fake (${regime}), and the time each waited on the fake's clock`);
  console.log(`critical path of AWS's own waits for create all: ${critical.text} = ${critical.ms / 1000} s`);
  console.log(`${"command".padEnd(34)} calls  mutating  target health   waited  vs critical path`);
  for (const r of rows) {
    const ratio =
      r.command.startsWith("infra create all") && r.mutating > 0
        ? `${(r.waitedS / (critical.ms / 1000)).toFixed(2)}x`
        : "";
    console.log(
      `${r.command.padEnd(34)} ${String(r.calls).padStart(5)} ${String(r.mutating).padStart(9)} ${String(r.targetHealth).padStart(14)} ${`${r.waitedS} s`.padStart(8)}  ${ratio}`,
    );
  }
  console.log("");
}

/** The calls of a create all that finds the stack as it should be, on an account holding the stack only or beside
 * CROWD unrelated topics, alarms and certificates: the same when each object is read once, whatever else is there. */
async function noOpCreateAll(crowded: boolean) {
  const fake = installInProcess(new AwsFake());
  fake.route53.addZone("startupwebapp.com");
  if (crowded) await crowd(fake);
  const path = join(mkdtempSync(join(tmpdir(), "infra-bench-")), "aws-resources.env");
  writeFileSync(path, INPUTS);
  await cli(fake, ["create", "all", "--file", path, "--yes"]);
  const before = fake.calls.length;
  await cli(fake, ["create", "all", "--file", path, "--yes"]);
  const calls = fake.calls.slice(before);
  fake.restore();
  const asked = calls.map((c) => `${c.service}:${c.op} ${JSON.stringify(c.input)}`);
  return { calls: calls.length, repeated: asked.filter((a, i) => asked.indexOf(a) !== i).length };
}

console.log("A no-op create all (the stack as it should be): its calls, and how many of them asked the same again");
for (const [account, crowded] of [
  ["the stack only", false],
  [`beside ${CROWD} unrelated topics, alarms and certificates`, true],
] as const) {
  const r = await noOpCreateAll(crowded);
  console.log(`${account.padEnd(58)} ${String(r.calls).padStart(4)} calls  ${r.repeated} repeated`);
}
console.log("");

const store = await storeCalls();
console.log("Calls the store of the stack's record (INFRA_STATE, S3) adds to each command");
console.log(`${"command".padEnd(30)} ${"from".padEnd(24)} calls  which`);
for (const r of store) {
  const which = r.calls.length ? r.calls.join(", ") : "-";
  console.log(`${r.command.padEnd(30)} ${r.where.padEnd(24)} ${String(r.calls.length).padStart(5)}  ${which}`);
}
console.log(
  `plus, while a command runs, one PutObject every ${CLAIM_LEASE_MS / 3 / 1000} s renewing its claim (a ${CLAIM_LEASE_MS / 60_000}-minute lease)\n`,
);

const wire = await wireCost();
const overhead = (wire.wire.ms - wire["in process"].ms) / wire.wire.calls;
console.log("create all over the wire against in process (fake clock, default latencies; median of 5 runs)");
for (const [adapter, r] of Object.entries(wire))
  console.log(`${adapter.padEnd(12)} ${String(r.calls).padStart(4)} calls  ${r.ms.toFixed(0).padStart(6)} ms`);
console.log(
  `the wire costs ${overhead.toFixed(1)} ms a call (HTTP, the SDK's serialisation and signing, and the parsing)`,
);
const sandbox = sandboxRun();
console.log("\nThe sandbox on the real clock, in a new folder (the README's first command)");
console.log(`infra --sandbox create all    ${(sandbox.createMs / 1000).toFixed(1)} s`);
console.log(`infra --sandbox status        ${(sandbox.statusMs / 1000).toFixed(1)} s`);
const example = fileURLToPath(new URL("../../aws-resources.env.example", import.meta.url));
// Start-up: each case run in turn, 21 rounds, so that a machine getting busier slows all of them alike.
const startupCases: [string, string[], "infra" | "node"][] = [
  ['node -e ""', ["-e", ""], "node"],
  ["infra --help", ["--help"], "infra"],
  ["infra deploy --help", ["deploy", "--help"], "infra"],
  ["infra plan all (example env)", ["plan", "all", "--file", example], "infra"],
];
// NODE_EXTRA_CA_CERTS (a CA bundle a proxy needs) makes Node read and parse that file before anything runs: on this
// machine's bundle, tens of milliseconds of every start, infra's or not. Shown both ways when it is set.
const environments: [string, NodeJS.ProcessEnv][] = [["as this shell runs Node", process.env]];
if (process.env.NODE_EXTRA_CA_CERTS) {
  const { NODE_EXTRA_CA_CERTS: _, ...without } = process.env;
  environments.push(["without NODE_EXTRA_CA_CERTS", without]);
}
const medians = environments.map(([, env]) => startupMedians(startupCases, env));
console.log(
  "\nCLI start-up, median of 21 runs (node itself, starting an empty script, for scale: a busy machine slows all)",
);
console.log(`${"".padEnd(30)} ${environments.map(([label]) => label.padStart(30)).join(" ")}`);
// Beside each of infra's figures, its share beyond node's own start (the first case) in the same rounds.
for (const [i, [label, , program]] of startupCases.entries())
  console.log(
    `${label.padEnd(30)} ${medians
      .map((m) => {
        const ms = m[i] as number;
        const beyond = program === "infra" ? ` (node + ${(ms - (m[0] as number)).toFixed(0)})` : "";
        return `${ms.toFixed(0)} ms${beyond}`.padStart(30);
      })
      .join(" ")}`,
  );

// plan with no credentials anywhere: the SDK's chain ends at the instance metadata endpoint. One that takes the
// connection and never replies (this process's listening socket: spawnSync blocks it, the kernel still accepts),
// and one switched off.
const silent = createServer(() => {});
await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
const home = mkdtempSync(join(tmpdir(), "infra-bench-home-"));
const noCredentials = (extra: Record<string, string>) => ({
  PATH: process.env.PATH ?? "",
  HOME: home,
  AWS_CONFIG_FILE: join(home, "config"),
  AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
  ...extra,
});
const port = (silent.address() as { port: number }).port;
console.log("\nplan all with no AWS credentials, median of 5 runs");
console.log(
  `metadata endpoint silent         ${startup(["plan", "all", "--file", example], 5, noCredentials({ AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${port}` })).toFixed(0)} ms`,
);
console.log(
  `metadata endpoint switched off   ${startup(["plan", "all", "--file", example], 5, noCredentials({ AWS_EC2_METADATA_DISABLED: "true" })).toFixed(0)} ms`,
);
silent.close();
