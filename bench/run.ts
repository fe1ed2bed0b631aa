// `npm run bench`: what a command costs. API calls per command against the AWS fake, the time each spends
// waiting on the fake's clock (to set against AWS's own times, modelled in the fake), and CLI start-up time.

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../src/commands/program.js";
import { RECORDS_AFTER_MS } from "../src/sandbox/aws/acm.js";
import { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { STEADY_AFTER_MS, TASK_STAGGER_MS } from "../src/sandbox/aws/ecs-state.js";
import { TARGET_HEALTH_CHECK_MS } from "../src/sandbox/aws/elbv2.js";
import { INPUTS } from "../src/sandbox/aws/inputs.js";
import { FakeInternet } from "../src/sandbox/aws/internet.js";
import { installInProcess } from "../test/support/in-process.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** Runs the CLI in-process against the fake, as `infra <args>` would run against AWS. */
async function cli(fake: AwsFake, args: string[]) {
  const code = await main(args, {
    env: {},
    clock: fake.clock,
    dns: { resolveNs: (domain) => fake.dns.resolveNs(domain) },
    http: { get: (url) => new FakeInternet(fake).get(url) },
    io: { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, stdinIsTTY: false, ask: async () => "" },
  });
  if (code !== 0) throw new Error(`infra ${args.join(" ")} exited ${code}`);
}

/** AWS-like times for the waits that matter: ALB ~150 s to active, certificate ~240 s to ISSUED
 * after its CNAME exists, service ~180 s to stable (tasks start in 85 s, then the health checks). */
const LATENCY = { albActiveMs: 150_000, certificateIssuedMs: 240_000, taskStartMs: 85_000 };

async function apiCalls() {
  const fake = installInProcess(new AwsFake());
  Object.assign(fake.latency, LATENCY);
  fake.route53.addZone("startupwebapp.com");
  const path = join(mkdtempSync(join(tmpdir(), "infra-bench-")), "aws-resources.env");
  writeFileSync(path, INPUTS);
  const rows: { command: string; calls: number; mutating: number; waitedS: number }[] = [];
  const measure = async (args: string[]) => {
    const calls = fake.calls.length;
    const start = fake.clock.now();
    await cli(fake, [...args, "--file", path, "--yes"]);
    rows.push({
      command: `infra ${args.join(" ")}`,
      calls: fake.calls.length - calls,
      mutating: fake.mutatingCalls(calls).length,
      waitedS: (fake.clock.now() - start) / 1000,
    });
  };
  await measure(["create", "all"]);
  await measure(["create", "all"]);
  await measure(["verify", "all"]);
  await measure(["destroy", "all"]);
  await measure(["destroy", "all"]);
  await measure(["create", "all"]);
  fake.restore();
  return rows;
}

function startup(args: string[], runs = 15): number {
  const cli = fileURLToPath(new URL("../src/cli.js", import.meta.url));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`infra ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

// The critical path of AWS's own waits: the ALB provisions while the certificate validates (its records appear,
// then it is ISSUED), the HTTPS listener needs both, then the service's first deployment: tasks start, targets
// pass their health checks, steady state.
const serviceMs = LATENCY.taskStartMs + TASK_STAGGER_MS + TARGET_HEALTH_CHECK_MS + STEADY_AFTER_MS;
const listenerMs = Math.max(LATENCY.albActiveMs, RECORDS_AFTER_MS + LATENCY.certificateIssuedMs);
const criticalS = (listenerMs + serviceMs) / 1000;
const rows = await apiCalls();
console.log("API calls per command against the AWS fake, and the time each waited on the fake's clock");
console.log(
  `critical path of AWS's own waits for create all: max(ALB active ${LATENCY.albActiveMs / 1000} s, certificate ISSUED ${(RECORDS_AFTER_MS + LATENCY.certificateIssuedMs) / 1000} s) + service stable ${serviceMs / 1000} s = ${criticalS} s`,
);
console.log(`${"command".padEnd(34)} calls  mutating   waited  vs critical path`);
for (const r of rows) {
  const ratio =
    r.command.startsWith("infra create all") && r.mutating > 0 ? `${(r.waitedS / criticalS).toFixed(2)}x` : "";
  console.log(
    `${r.command.padEnd(34)} ${String(r.calls).padStart(5)} ${String(r.mutating).padStart(9)} ${`${r.waitedS} s`.padStart(8)}  ${ratio}`,
  );
}
const example = fileURLToPath(new URL("../../aws-resources.env.example", import.meta.url));
console.log("\nCLI start-up, median of 15 runs");
console.log(`infra --help                  ${startup(["--help"]).toFixed(0)} ms`);
console.log(`infra plan all (example env)  ${startup(["plan", "all", "--file", example]).toFixed(0)} ms`);
