// The sandbox account: what the earlier phases of the plan left in it (a VPC with public and private subnets,
// the backend security group, the ECS cluster, the task roles, the database secret, an ECR repository with a few
// image tags, the migration task definition and the domain's hosted zone), the env file that points at it with
// every input filled, its state on disk between commands, and the server that answers for it (one process at a
// time holds an account: its lock).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import lockfile from "proper-lockfile";
import writeFileAtomic from "write-file-atomic";
import { type Clock, systemClock } from "../core/clock.js";
import { InfraError, InputError } from "../core/errors.js";
import { AwsFake, DEFAULT_LATENCY, type Fake, scaleLatency } from "./aws/aws-fake.js";
import { INPUTS } from "./aws/inputs.js";
import { restore, type Snapshot, snapshot } from "./aws/snapshot.js";
import { SANDBOX_KEY, SANDBOX_URL_VARIABLE } from "./files.js";
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

export function sandboxEnvText(): string {
  return `# The sandbox's env file: the ids below are those of the local AWS that \`infra --sandbox\` runs against, not
# of any AWS account. infra refuses this file without --sandbox, and refuses --sandbox with any other file.
# \`infra sandbox reset\` starts the sandbox account and this file over.
${SANDBOX_KEY}="true"
${INPUTS}# Optional inputs, filled so that every command has something to do.
HEALTH_CHECK_PATH="/health"
ECS_TASK_DEFINITION_FAMILY="${MIGRATION_FAMILY}"
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

/** A new sandbox account, as the earlier phases left it. */
export async function seededAccount(clock: Clock): Promise<AwsFake<Clock>> {
  const fake = new AwsFake<Clock>(clock);
  Object.assign(fake.latency, scaleLatency(DEFAULT_LATENCY, SANDBOX_LATENCY_FACTOR));
  // The fake starts with the VPC's subnets, the backend security group, the cluster, the database secret and the
  // repository with :latest; the rest is made here.
  fake.route53.addZone(DOMAIN);
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
  fake.calls.length = 0; // the earlier phases' calls are not this sandbox's history
  return fake;
}

interface StateFile {
  about: string;
  savedAt: string;
  state: Snapshot;
}

/** The account saved at `path`, or a new one when there is none. */
export async function loadAccount(path: string, clock: Clock): Promise<AwsFake<Clock>> {
  const fake = await seededAccount(clock);
  if (!existsSync(path)) return fake;
  try {
    const saved = JSON.parse(await readFile(path, "utf8")) as StateFile;
    restore(fake, saved.state);
  } catch (err) {
    throw new InputError(
      `the sandbox state in ${path} cannot be read: ${(err as Error).message}`,
      "run `infra sandbox reset` to start the sandbox over",
    );
  }
  return fake;
}

export async function saveAccount(path: string, fake: AwsFake<Clock>): Promise<void> {
  const file: StateFile = {
    about: "infra's sandbox account (a local, fake AWS): not a real stack's state. `infra sandbox reset` removes it.",
    savedAt: new Date(fake.clock.now()).toISOString(),
    state: snapshot(fake),
  };
  // Atomic (a killed process leaves the last whole state), not synced: it is a sandbox, not a database.
  await writeFileAtomic(path, `${JSON.stringify(file)}\n`, { fsync: false });
}

/**
 * The account in `statePath`, locked for this process and served on a free port (or `port`); every call AWS
 * applied is saved before its answer goes out. close() saves, stops serving and lets go of the lock.
 */
export async function serveAccount(
  statePath: string,
  options: { port?: number; log?: (line: string) => void } = {},
): Promise<{ fake: Fake; server: WireServer }> {
  const release = await lockfile
    .lock(statePath, { realpath: false, stale: 10_000, retries: { retries: 20, minTimeout: 100, maxTimeout: 500 } })
    .catch(() => {
      throw new InfraError(
        `the sandbox account in ${statePath} is in use by another infra process`,
        2,
        `wait for it to finish; to share one sandbox between processes, run \`infra sandbox serve\` and set ${SANDBOX_URL_VARIABLE}`,
      );
    });
  try {
    const fake = await loadAccount(statePath, systemClock);
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
