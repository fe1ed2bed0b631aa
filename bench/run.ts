// `npm run bench`: what a command costs. API calls per command against the AWS fake, time spent waiting
// beyond AWS's own provisioning time (on the fake's clock), and CLI start-up time (real processes).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AwsClients } from "../src/core/aws.js";
import type { Context } from "../src/core/context.js";
import { EnvFile } from "../src/core/env-file.js";
import { Events } from "../src/core/events.js";
import * as alb from "../src/resources/alb/actions.js";
import { albConfig } from "../src/resources/alb/config.js";
import { AwsFake } from "../test/fake/aws-fake.js";
import { BACKEND_SG, SUBNETS, VPC_ID } from "../test/fake/ec2.js";
import { PROVISIONING_MS } from "../test/fake/elbv2.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const INPUTS = `AWS_REGION="us-east-1"
PROJECT_NAME="startupwebapp"
ENVIRONMENT="production"
VPC_ID="${VPC_ID}"
PUBLIC_SUBNET_1_ID="${SUBNETS[0]}"
PUBLIC_SUBNET_2_ID="${SUBNETS[1]}"
BACKEND_SECURITY_GROUP_ID="${BACKEND_SG}"
`;

async function apiCalls() {
  const fake = new AwsFake().install();
  const path = join(mkdtempSync(join(tmpdir(), "infra-bench-")), "aws-resources.env");
  writeFileSync(path, INPUTS);
  const ctx: Context = {
    env: await EnvFile.load(path),
    aws: new AwsClients({ region: "us-east-1" }),
    clock: fake.clock,
    events: new Events(),
    options: { wait: true, timeoutMs: 45 * 60_000 },
    dns: { resolveNs: async () => [] },
  };
  const rows: { command: string; calls: number; mutating: number; waitedS: number; floorS: number }[] = [];
  const measure = async (command: string, floorMs: number, run: () => Promise<unknown>) => {
    const calls = fake.calls.length;
    const start = fake.clock.now();
    await run();
    rows.push({
      command,
      calls: fake.calls.length - calls,
      mutating: fake.mutatingCalls(calls).length,
      waitedS: (fake.clock.now() - start) / 1000,
      floorS: floorMs / 1000,
    });
  };
  await measure("create alb", PROVISIONING_MS, () => alb.create(ctx, albConfig(ctx.env, "create")));
  await measure("create alb (no-op re-run)", 0, () => alb.create(ctx, albConfig(ctx.env, "create")));
  await measure("verify alb", 0, () => alb.verify(ctx, albConfig(ctx.env, "verify")));
  // The floor of destroy: AWS keeps the ALB's network interfaces for a while after the ALB is gone.
  await measure("destroy alb", 120_000, () => alb.destroy(ctx, albConfig(ctx.env, "destroy")));
  await measure("destroy alb (no-op re-run)", 0, () => alb.destroy(ctx, albConfig(ctx.env, "destroy")));
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

const rows = await apiCalls();
console.log("API calls against the AWS fake (waits on the fake's clock; floor = AWS's own time for the step)");
console.log("command                       calls  mutating  waited   floor");
for (const r of rows) {
  console.log(
    `${r.command.padEnd(28)} ${String(r.calls).padStart(6)} ${String(r.mutating).padStart(9)} ${`${r.waitedS} s`.padStart(7)} ${`${r.floorS} s`.padStart(7)}`,
  );
}
const example = fileURLToPath(new URL("../../aws-resources.env.example", import.meta.url));
console.log("\nCLI start-up, median of 15 runs");
console.log(`infra --help                  ${startup(["--help"]).toFixed(0)} ms`);
console.log(`infra plan all (example env)  ${startup(["plan", "all", "--env-file", example]).toFixed(0)} ms`);
