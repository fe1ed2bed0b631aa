// The sandbox account: the prerequisites infra builds on (docs/earlier-scripts.md: a VPC with public and private
// subnets, the backend security group, the ECS cluster, the task roles, the database and its secret, an ECR
// repository with a few image tags, the migration task definition and the domain's hosted zone), the env file that
// points at it with every input filled, and the server that answers for it (its state on disk: account-file.ts).
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { type Clock, systemClock } from "../core/clock.js";
import { loadAccount, lockAccount, saveAccount } from "./account-file.js";
import { AwsFake, DEFAULT_LATENCY, type Fake, scaleLatency } from "./aws/aws-fake.js";
import { INPUTS } from "./aws/inputs.js";
import { DB_SECRET_ARN } from "./aws/secrets.js";
import { SANDBOX_KEY } from "./files.js";
import { start, type WireServer } from "./wire/server.js";

/**
 * AWS's own times, shortened for a run on the real clock: the load balancer is active in about 2 s, the
 * certificate issued in under 1 s, the service stable in about 3 s; so `create all` shows every wait, briefly.
 */
export const SANDBOX_LATENCY_FACTOR = 1 / 40;

export const DOMAIN = "startupwebapp.com";
export const IMAGE_TAGS = ["latest", "v1", "v2", "v3"];
const REPOSITORY = "startupwebapp";
const MIGRATION_FAMILY = "startupwebapp-migration-task";
const MIGRATION_LOGS = "/ecs/startupwebapp-migrations";
const DATABASE = "startupwebapp-multi-tenant-prod";
const HOUR = 3_600_000;

export function sandboxEnvText(): string {
  return `# The sandbox's env file: the ids below are those of the local AWS that \`infra --sandbox\` runs against, not
# of any AWS account. infra refuses this file without --sandbox, and refuses --sandbox with any other file.
# \`infra sandbox reset\` starts the sandbox account and this file over.
${SANDBOX_KEY}="true"
${INPUTS.replace(/^DATABASE_NAME=.*$/m, 'DATABASE_NAME="startupwebapp_prod"')}# Optional inputs, filled so that every command has something to do.
ECS_TASK_DEFINITION_FAMILY="${MIGRATION_FAMILY}"
RDS_INSTANCE_ID="${DATABASE}"
ALARM_EMAIL="ops@${DOMAIN}"
WAF_ENABLED="false"
`;
}

async function apply(fake: Fake, Command: new (input: never) => object, input: object): Promise<void> {
  for (const model of fake.models) {
    const found = model.handlers.find(([c]) => c === Command);
    if (found) {
      await fake.dispatch(model.name, Command.name.replace(/Command$/, ""), input, found[1]);
      return;
    }
  }
  throw new Error(`no model answers ${Command.name}`);
}

/** A new sandbox account, holding the prerequisites only. */
export async function seededAccount(clock: Clock): Promise<AwsFake<Clock>> {
  const fake = new AwsFake<Clock>(clock);
  Object.assign(fake.latency, scaleLatency(DEFAULT_LATENCY, SANDBOX_LATENCY_FACTOR));
  for (const [k, ms] of Object.entries(fake.rds.timings))
    fake.rds.timings[k as keyof typeof fake.rds.timings] = Math.round(ms * SANDBOX_LATENCY_FACTOR);
  // The fake starts with the VPC's subnets, the backend security group, the cluster, the database secret and the
  // repository with :latest; the rest is made here.
  fake.route53.addZone(DOMAIN);
  fake.rds.addDatabase({ id: DATABASE, snapshotsAgoMs: [27 * HOUR, 3 * HOUR] });
  // A shop's history for a drill to find: orders and members over the last two days.
  const now = clock.now();
  fake.rds.write(
    DATABASE,
    "startupwebapp_prod",
    "order_order",
    [40, 30, 20, 5, 1].map((h) => now - h * HOUR),
  );
  fake.rds.write(
    DATABASE,
    "startupwebapp_prod",
    "user_member",
    [48, 26].map((h) => now - h * HOUR),
  );
  for (const tag of IMAGE_TAGS) fake.ecr.push(REPOSITORY, tag);
  await apply(fake, CreateLogGroupCommand, { logGroupName: MIGRATION_LOGS });
  await apply(fake, RegisterTaskDefinitionCommand, {
    family: MIGRATION_FAMILY,
    executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    taskRoleArn: "arn:aws:iam::123456789012:role/startupwebapp-task-role",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [
      {
        name: "migrate",
        image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${REPOSITORY}:latest`,
        command: ["python", "manage.py", "migrate"],
        environment: [{ name: "DJANGO_SETTINGS_MODULE", value: "StartupWebApp.settings_production" }],
        secrets: [
          { name: "DATABASE_HOST", valueFrom: `${DB_SECRET_ARN}:host::` },
          { name: "DATABASE_PASSWORD", valueFrom: `${DB_SECRET_ARN}:password::` },
        ],
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": MIGRATION_LOGS,
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "migration",
          },
        },
      },
    ],
  });
  fake.calls.length = 0; // making the prerequisites is not this sandbox's history
  return fake;
}

/**
 * The account in `statePath`, locked for this process and served on a free port (or `port`); every call AWS
 * applied is saved before its answer goes out. close() saves, stops serving and lets go of the lock.
 */
export async function serveAccount(
  statePath: string,
  options: { port?: number; log?: (line: string) => void } = {},
): Promise<{ fake: Fake; server: WireServer }> {
  const release = await lockAccount(statePath);
  try {
    const fake = await seededAccount(systemClock);
    await loadAccount(statePath, fake);
    let saving: Promise<void> = Promise.resolve();
    const save = () => {
      saving = saving.then(() => saveAccount(statePath, fake));
      return saving;
    };
    const server = await start(fake, {
      ...options,
      onApplied: (call) => (call.mutating ? save() : undefined),
    });
    await save();
    return {
      fake,
      server: {
        url: server.url,
        close: async () => {
          await server.close();
          await save();
          await release();
        },
      },
    };
  } catch (err) {
    await release();
    throw err;
  }
}
