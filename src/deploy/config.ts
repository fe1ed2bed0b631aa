// What `deploy` and `rollback` read from the env file, checked before any AWS call.
import { parseCommand } from "../core/command.js";
import { InputError } from "../core/errors.js";
import { type EnvReader, readInputs } from "../core/inputs.js";
import { defaultOf } from "../core/keys.js";
import { type RolloutSettings, rolloutTime } from "../resources/common/rollout-time.js";

export interface DeployConfig {
  cluster: string;
  serviceName: string;
  ecrRepository: string | undefined;
  /** `--migrate`: the migration, and where its task runs. */
  migration: Migration | undefined;
  /** Where the deployed service is probed: HEALTH_CHECK_URL, else https://<API_DOMAIN_NAME><HEALTH_CHECK_PATH>. */
  probeUrl: string | undefined;
}

/**
 * The migration task: the family's newest revision, run with this command against this database (set at RunTask:
 * the family may hold revisions registered to run other commands on other databases), in the private subnets.
 */
export interface Migration {
  family: string;
  command: string[];
  databaseName: string;
  subnets: string[];
  securityGroup: string;
}

/** RunTask takes 8192 characters of overrides, JSON included (docs/aws-behaviours.md, "One-off tasks"). */
const OVERRIDES_MAX_CHARS = 8192;
/** The longest container name ECS accepts: the migration container's is known only once its revision is read. */
const CONTAINER_NAME_MAX = 255;

export function deployConfig(env: EnvReader, opts: { migrate: boolean }): DeployConfig {
  const input = readInputs(env, opts.migrate ? "deploy --migrate" : "deploy");
  input.need("PROJECT_NAME"); // checked: ECS_SERVICE_NAME's default is made of it
  const cluster = input.need("ECS_CLUSTER_NAME");
  const serviceName = input.need("ECS_SERVICE_NAME");
  const ecrRepository = input.maybe("ECR_REPOSITORY_URI");
  const migration = opts.migrate
    ? {
        family: input.need("ECS_TASK_DEFINITION_FAMILY"),
        command: input.need("MIGRATE_COMMAND"),
        databaseName: input.need("DATABASE_NAME"),
        subnets: [input.need("PRIVATE_SUBNET_1_ID"), input.need("PRIVATE_SUBNET_2_ID")],
        securityGroup: input.need("BACKEND_SECURITY_GROUP_ID"),
      }
    : undefined;
  const explicit = input.maybe("HEALTH_CHECK_URL"); // an http(s) URL: src/core/keys.ts checks it as it is read
  const domain = input.maybe("API_DOMAIN_NAME");
  const path = input.need("HEALTH_CHECK_PATH");
  input.done();
  return {
    cluster,
    serviceName,
    ecrRepository,
    migration: migration && {
      ...migration,
      command: migrateCommand(migration.command, migration.databaseName),
    },
    probeUrl: explicit ?? (domain ? `https://${domain}${path}` : undefined),
  };
}

/** The migration's command as words, refused when it and the database name would not fit in RunTask's overrides. */
function migrateCommand(text: string, databaseName: string): string[] {
  const command = parseCommand("MIGRATE_COMMAND", text, defaultOf("MIGRATE_COMMAND", () => undefined) as string);
  const longest = migrationOverrides("x".repeat(CONTAINER_NAME_MAX), command, databaseName);
  if (JSON.stringify(longest).length > OVERRIDES_MAX_CHARS)
    throw new InputError(
      `MIGRATE_COMMAND is too long: with DATABASE_NAME it must fit in the ${OVERRIDES_MAX_CHARS} characters ECS takes when a task is started`,
    );
  return command;
}

/** What the migration task is started with: the command, and the database it migrates. No secret goes here. */
export function migrationOverrides(container: string, command: string[], databaseName: string) {
  return {
    containerOverrides: [{ name: container, command, environment: [{ name: "DATABASE_NAME", value: databaseName }] }],
  };
}

/**
 * The settings a deployment's duration follows, from the env file: the default limit of each wait of `deploy` and
 * `rollback` (read only when --timeout is not given). A deployment may start with as few tasks as auto scaling's
 * minimum, and the fewer the tasks, the more rounds of failures the circuit breaker waits for.
 */
export function rolloutSettings(env: EnvReader): RolloutSettings {
  const input = readInputs(env, "the default --timeout");
  const settings = {
    deregistrationDelaySeconds: Number(input.need("TARGET_DEREGISTRATION_DELAY")),
    gracePeriodSeconds: Number(input.need("HEALTH_CHECK_GRACE_PERIOD")),
    fewestTasks: Math.min(Number(input.need("DESIRED_COUNT")), Number(input.need("AUTOSCALING_MIN_CAPACITY"))),
  };
  input.done();
  return settings;
}

/** The default limit of each wait of `deploy` and `rollback`, sized from the env file (rollout-time.ts). */
export const defaultTimeoutMs = (env: EnvReader) => rolloutTime(rolloutSettings(env)).limitMs;

/** What --help says of the default: how it is sized, and what it comes to with every setting at its default. */
export function defaultTimeoutHelp(): string {
  const minutes = defaultTimeoutMs({ get: () => undefined }) / 60_000;
  return [
    "--timeout bounds each wait: the migration task, the deployment, the way back after a failure. By default it",
    "is sized from the env file, long enough for a deployment to drain its old tasks (TARGET_DEREGISTRATION_DELAY)",
    "and for a failing one to trip the circuit breaker (HEALTH_CHECK_GRACE_PERIOD, and the fewest tasks of",
    `AUTOSCALING_MIN_CAPACITY and DESIRED_COUNT): ${minutes}m with their defaults.`,
  ].join("\n");
}
