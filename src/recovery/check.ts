// Proves the restored database is usable, and that it is the restored one that was read. The check runs once as a
// one-off task in the private subnets with the backend security group, from a task definition of its own
// (<migration family>-dr-drill, deregistered when the drill ends; the migration family is never changed):
// - by default, a PostgreSQL client image (DR_CHECK_IMAGE) running check-script.ts with PGHOST set to the restored
//   endpoint and PGUSER/PGPASSWORD injected from the database secret's `username` and `password` keys (ECS hands a
//   container one JSON key of a secret): it connects to that host itself, whatever the app's settings do;
// - with a check command, the migration task's container with that command and DATABASE_HOST/DATABASE_PORT pointed
//   at the restored instance. An app may read its host elsewhere (the earlier scripts' settings read every database
//   setting from the secret), so such a check proves which host it read only by printing "dr-check connected
//   <host> <port>"; one that does not is "unverified", never "passed".
// ECS refuses a name that is both an environment variable and a secret of one container (docs/aws-behaviours.md,
// "Environment variables and secrets"), so DATABASE_HOST moves from the secrets to the environment in the copy.
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  type ContainerDefinition,
  DeregisterTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  StopTaskCommand,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { awsStep, isAwsError } from "../core/errors.js";
import type { ResourceEvents } from "../core/events.js";
import { taskDefinition } from "../deploy/checks.js";
import { type OneOffResult, runOnce } from "../deploy/migrate.js";
import { mainContainer, registerRevision, shortName, variantOf } from "../deploy/revision.js";
import type { Tag } from "../resources/common/tags.js";
import { CHECK_SCRIPT, type CheckFindings, parseCheckOutput } from "./check-script.js";
import type { DrillConfig } from "./config.js";

const POINTED = ["DATABASE_HOST", "DATABASE_PORT"];
/** CloudWatch Logs takes a few seconds to ingest what a task wrote: the log is read again until the check's end. */
const LOG_INGESTION_MS = 30_000;
const LOG_PAGES = 50;

export interface Endpoint {
  host: string;
  port: number;
}

export type CheckStatus = "passed" | "failed" | "unverified";

export interface CheckResult extends OneOffResult {
  /** What ran: the command, as the report shows it. */
  command: string[];
  findings: CheckFindings;
  status: CheckStatus;
  /** Why it failed or is unverified; what it read when it passed. */
  why: string;
}

/** Registers the check's task definition: the PostgreSQL client, or the migration container with the command. */
export async function registerCheck(
  ctx: Context,
  ev: ResourceEvents,
  c: DrillConfig,
  database: Endpoint,
  tags: Tag[],
): Promise<TaskDefinition> {
  const migration = await taskDefinition(ctx, c.family);
  const main = mainContainer(migration);
  const check = c.check;
  let input: ReturnType<typeof variantOf>;
  if (check.kind === "psql") {
    // One container of its own; the migration definition lends its roles, network mode, size and log group.
    const container: ContainerDefinition = {
      name: "dr-check",
      image: check.image,
      essential: true,
      command: ["sh", "-c", CHECK_SCRIPT],
      environment: [
        { name: "PGHOST", value: database.host },
        { name: "PGPORT", value: String(database.port) },
        { name: "PGDATABASE", value: c.databaseName },
        // RDS for PostgreSQL 15 and later refuses connections without TLS (rds.force_ssl); the check never writes.
        { name: "PGSSLMODE", value: "require" },
        { name: "PGCONNECT_TIMEOUT", value: "10" },
        { name: "PGOPTIONS", value: "-c default_transaction_read_only=on -c statement_timeout=600000" },
        { name: "DR_CHECK_TABLES", value: check.tables.join(" ") },
        { name: "DR_FRESHNESS_QUERY", value: check.freshnessQuery ?? "" },
      ],
      secrets: [
        { name: "PGUSER", valueFrom: `${c.secretArn}:username::` },
        { name: "PGPASSWORD", valueFrom: `${c.secretArn}:password::` },
      ],
      ...(main?.logConfiguration
        ? {
            logConfiguration: {
              ...main.logConfiguration,
              options: { ...main.logConfiguration.options, "awslogs-stream-prefix": "dr-check" },
            },
          }
        : {}),
    };
    input = { ...variantOf(migration, () => container, c.checkFamily), containerDefinitions: [container] };
  } else {
    const names = [...(main?.environment ?? []), ...(main?.secrets ?? [])].map((v) => v.name);
    if (!names.includes("DATABASE_HOST"))
      ev.warning(
        `${shortName(migration.taskDefinitionArn)} sets no DATABASE_HOST: the check gets one, but if the app finds its database another way it checks that one instead`,
      );
    const pointed = (container: ContainerDefinition): ContainerDefinition => ({
      ...container,
      command: check.command,
      environment: [
        ...(container.environment ?? []).filter((e) => !POINTED.includes(e.name ?? "")),
        { name: "DATABASE_HOST", value: database.host },
        { name: "DATABASE_PORT", value: String(database.port) },
      ],
      secrets: (container.secrets ?? []).filter((s) => !POINTED.includes(s.name ?? "")),
    });
    input = variantOf(migration, pointed, c.checkFamily);
  }
  const td = await registerRevision(
    ctx,
    { ...input, tags: tags.map((t) => ({ key: t.Key, value: t.Value })) },
    c.checkFamily,
    "register check task definition",
  );
  ev.created(
    `check task definition ${shortName(td.taskDefinitionArn)} (${check.kind === "psql" ? check.image : `from ${shortName(migration.taskDefinitionArn)}`})`,
  );
  return td;
}

/** Runs the check once, reads what it printed, and judges it. `onStarted` hears of the task as soon as it runs. */
export async function runCheck(
  ctx: Context,
  c: DrillConfig,
  td: TaskDefinition,
  database: Endpoint,
  onStarted: (taskArn: string) => void,
): Promise<CheckResult> {
  const run = {
    cluster: c.cluster,
    subnets: c.subnets,
    securityGroup: c.securityGroup,
    startedBy: "infra-dr-drill",
    label: "check",
    resource: "dr-drill",
    onStarted,
    showLog: c.check.kind === "command",
  };
  const result = await runOnce(ctx, run, td);
  const lines =
    result.stopCode === "TaskFailedToStart" ? [] : await readLog(ctx, td, result.taskArn, c.check.kind === "psql");
  const findings = parseCheckOutput(lines);
  const command = c.check.kind === "psql" ? [`psql check (${c.check.image})`] : c.check.command;
  return { ...result, command, findings, ...judge(c, database, result, findings) };
}

/** Whether the check passed, read the restored instance, and found what the drill expects. */
export function judge(
  c: DrillConfig,
  database: Endpoint,
  run: Pick<OneOffResult, "exitCode" | "why">,
  f: CheckFindings,
): { status: CheckStatus; why: string } {
  const failed = (why: string) => ({ status: "failed" as const, why });
  const reached = f.connected ? `${f.connected.host}:${f.connected.port}` : undefined;
  if (reached && f.connected?.host !== database.host)
    return failed(`it read ${reached}, not the restored instance ${database.host}`);
  if (run.exitCode !== 0)
    return failed(
      run.exitCode === undefined
        ? `the task never ran${run.why ? ` (${run.why})` : ""}`
        : `exit ${run.exitCode}${f.failed.length ? ` (could not ${f.failed.join(", ")})` : ""}`,
    );
  if (c.check.kind === "command") {
    if (!reached)
      return {
        status: "unverified",
        why: `exit 0, but it did not say which database host it read (print "dr-check connected <host> <port>"), and the app may read its host from elsewhere than DATABASE_HOST`,
      };
    return { status: "passed", why: `exit 0, read ${reached}` };
  }
  if (!f.done || !reached) return failed("its output ended before the check did");
  if (f.failed.length) return failed(`could not ${f.failed.join(", ")}`);
  if (!f.databases.includes(c.databaseName) || f.unreadable.includes(c.databaseName))
    return failed(
      `the app's database ${c.databaseName} is ${f.unreadable.includes(c.databaseName) ? "not readable" : "missing"}`,
    );
  const counted = new Set(f.tables.map((t) => `${t.database}:${t.table}`));
  const missing = c.check.tables.filter((t) => !counted.has(t));
  if (missing.length) return failed(`missing table(s) ${missing.join(", ")}`);
  const rows = f.tables.reduce((n, t) => n + t.rows, 0);
  return {
    status: "passed",
    why: `read ${reached}: ${f.databases.length} database(s), ${f.tables.length} table(s), ${rows} row(s)`,
  };
}

/**
 * Every line the check's container wrote (stream <prefix>/<container>/<task id>), from the start. The psql check's
 * last line is "dr-check done": until it shows, the log is read again for a while (ingestion lags the task).
 */
async function readLog(ctx: Context, td: TaskDefinition, taskArn: string, untilDone: boolean): Promise<string[]> {
  const container = mainContainer(td);
  const options = container?.logConfiguration?.logDriver === "awslogs" ? container.logConfiguration.options : undefined;
  const group = options?.["awslogs-group"];
  const prefix = options?.["awslogs-stream-prefix"];
  if (!group || !prefix || !container?.name) return [];
  const logs = await ctx.aws.logs();
  const logStreamName = `${prefix}/${container.name}/${taskArn.split("/").at(-1)}`;
  const read = async () => {
    const lines: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < LOG_PAGES; page++) {
      const out = await logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName,
          startFromHead: true,
          ...(token ? { nextToken: token } : {}),
        }),
      );
      lines.push(...(out.events ?? []).map((e) => e.message ?? ""));
      if (!out.nextForwardToken || out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }
    return lines;
  };
  const since = ctx.clock.now();
  for (;;) {
    let lines: string[];
    try {
      lines = await awsStep("read check log", logStreamName, read);
    } catch (err) {
      // No stream: the container wrote nothing (or the log group is gone).
      if (!isAwsError((err as { cause?: unknown }).cause ?? err, "ResourceNotFoundException")) throw err;
      lines = [];
    }
    const ended = !untilDone || lines.some((l) => l.startsWith("dr-check done"));
    if (ended || ctx.clock.now() - since >= LOG_INGESTION_MS) return lines;
    await ctx.clock.sleep(5_000);
  }
}

/** Deregisters every ACTIVE revision of a drill family: this run's, and any a killed run left. */
export async function removeRevisions(ctx: Context, ev: ResourceEvents, family: string): Promise<void> {
  const ecs = await ctx.aws.ecs();
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await awsStep("list drill task definitions", family, () =>
      ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: "ACTIVE", nextToken })),
    );
    arns.push(...(out.taskDefinitionArns ?? []).filter((a) => shortName(a).replace(/:\d+$/, "") === family));
    nextToken = out.nextToken;
  } while (nextToken);
  for (const arn of arns) {
    await awsStep("deregister drill task definition", shortName(arn), () =>
      ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })),
    );
    ev.deleted(`task definition ${shortName(arn)} (deregistered)`);
  }
}

/** Stops a one-off task the drill started (ECS sends it SIGTERM, then SIGKILL after its stop timeout). */
export async function stopTask(ctx: Context, ev: ResourceEvents, cluster: string, taskArn: string): Promise<void> {
  const ecs = await ctx.aws.ecs();
  await awsStep("stop task", shortName(taskArn), () =>
    ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: "infra dr-drill ended before the task did" })),
  );
  ev.deleted(`task ${taskArn.split("/").at(-1)} (stopped)`);
}
