// What the tests share: an env file in a temp folder, a context wired to the fake, and the CLI run in-process.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { main } from "../src/commands/program.js";
import type { Io } from "../src/commands/render.js";
import { AwsClients } from "../src/core/aws.js";
import type { Context } from "../src/core/context.js";
import { EnvFile } from "../src/core/env-file.js";
import { Events } from "../src/core/events.js";
import { AwsFake } from "./fake/aws-fake.js";
import { BACKEND_SG, SUBNETS, VPC_ID } from "./fake/ec2.js";
import { FakeInternet } from "./fake/internet.js";

/** The inputs an earlier phase left in the env file, pointing at what the fake has. */
export const INPUTS = `# Configuration
AWS_REGION="us-east-1"
PROJECT_NAME="startupwebapp"
ENVIRONMENT="production"
VPC_ID="${VPC_ID}"
PUBLIC_SUBNET_1_ID="${SUBNETS[0]}"
PUBLIC_SUBNET_2_ID="${SUBNETS[1]}"
BACKEND_SECURITY_GROUP_ID="${BACKEND_SG}"
DOMAIN_NAME="startupwebapp.com"
API_DOMAIN_NAME="api.startupwebapp.com"
PRIVATE_SUBNET_1_ID="subnet-0c1c2c3c4c5c60001"
PRIVATE_SUBNET_2_ID="subnet-0c1c2c3c4c5c60002"
ECS_CLUSTER_NAME="startupwebapp-cluster"
ECR_REPOSITORY_URI="123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp"
ECS_TASK_EXECUTION_ROLE_ARN="arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
ECS_TASK_ROLE_ARN="arn:aws:iam::123456789012:role/startupwebapp-task-role"
DB_SECRET_NAME="rds/startupwebapp/multi-tenant/master"
DB_SECRET_ARN="arn:aws:secretsmanager:us-east-1:123456789012:secret:rds/startupwebapp/multi-tenant/master-AbCdEf"
DATABASE_NAME="startupwebapp"
`;

/** The line number a line appended to INPUTS gets. */
export const APPENDED_LINE = INPUTS.split("\n").length;

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

/** A fresh fake for each test, installed on every SDK client class and removed afterwards. */
export function useFake(): { current: AwsFake } {
  const holder = {} as { current: AwsFake };
  beforeEach(() => {
    holder.current = new AwsFake().install();
  });
  afterEach(() => holder.current.restore());
  return holder;
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
    dns: { resolveNs: async (domain) => fake.delegationOf(domain) },
    http: { get: (url) => internetOf(fake).get(url) },
  };
  return ctx;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as a user would from a terminal-less shell, against the fake. */
export async function runCli(argv: string[], fake: AwsFake, io: Partial<Io> = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    env: {},
    clock: fake.clock,
    dns: { resolveNs: async (domain) => fake.delegationOf(domain) },
    http: { get: (url) => internetOf(fake).get(url) },
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      stderrIsTTY: false,
      stdinIsTTY: false,
      ask: async () => "",
      ...io,
    },
  });
  return { code, stdout, stderr };
}
