// `deploy --migrate`: the migration family's newest revision, with the new image, run once in the private subnets
// with MIGRATE_COMMAND against DATABASE_NAME, both set when the task starts: that revision may have been registered
// to run anything (an admin command, another database). The deploy goes on only when it exits 0. Its exit code and
// the tail of its log are shown either way. `runOnce` is that one-off run on its own: `dr-drill` runs its check
// against a restored database with it.
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeTasksCommand,
  RunTaskCommand,
  type Task,
  type TaskDefinition,
  type TaskOverride,
} from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { AwsError, awsStep, isAwsError } from "../core/errors.js";
import { done, pending, waitOptions, waitUntil } from "../core/wait.js";
import type { Revision } from "../resources/common/ecs.js";
import { DeploymentFailed } from "../resources/ecs-service/deployment.js";
import { taskDefinition } from "./checks.js";
import { type DeployConfig, type Migration, migrationOverrides } from "./config.js";
import { mainContainer, registerRevision, shortName, variantOf } from "./revision.js";

const LOG_LINES = 20;
/** Pages read back from the tail at most: enough for a short task's output, bounded for a chatty one. */
const LOG_PAGES = 5;

export async function runMigration(ctx: Context, c: DeployConfig, image: string): Promise<void> {
  const ev = ctx.events.for("deploy");
  const m = c.migration as Migration;
  const td = await migrationRevision(ctx, m.family, image);
  const container = mainContainer(td)?.name as string;
  ev.step(`migration: ${m.command.join(" ")} on database ${m.databaseName} (${shortName(td.taskDefinitionArn)})`);
  const run = {
    cluster: c.cluster,
    subnets: m.subnets,
    securityGroup: m.securityGroup,
    startedBy: "infra-migrate",
    label: "migration",
    resource: "deploy",
  };
  const overrides = migrationOverrides(container, m.command, m.databaseName);
  const { exitCode, why, stopCode } = await runOnce(ctx, run, td, overrides);
  if (exitCode !== 0) {
    // TaskFailedToStart: ECS never started its container (an image it could not pull, secrets it could not read).
    const what = stopCode === "TaskFailedToStart" ? "never ran" : `exited ${exitCode ?? "without an exit code"}`;
    throw new DeploymentFailed(
      `migration task ${what}${why ? ` (${why})` : ""}`,
      "the service was not changed: fix the migration, then deploy again",
    );
  }
  ctx.events.for("deploy").exists("migration task exited 0");
}

/**
 * The family's newest revision when it is ACTIVE and runs the image; else a new one that does, registered from it.
 * (A family with no ACTIVE revision may be described as an INACTIVE one, which ECS runs nothing from.) ECS refuses
 * an override that names a secret of the container, so a DATABASE_NAME taken from a secret is left out of it.
 */
async function migrationRevision(ctx: Context, family: string, image: string): Promise<Revision> {
  const td = await taskDefinition(ctx, family);
  const main = mainContainer(td);
  const secretName = main?.secrets?.some((s) => s.name === "DATABASE_NAME");
  if (td.status === "ACTIVE" && main?.image === image && !secretName) return td;
  const input = variantOf(td, (c) => ({
    ...c,
    image,
    ...(c.secrets ? { secrets: c.secrets.filter((s) => s.name !== "DATABASE_NAME") } : {}),
  }));
  return registerRevision(ctx, input, `${family} with ${image}`);
}

/** Where and as what a one-off task runs: the private subnets and the backend group, as the service's tasks. */
export interface OneOffRun {
  cluster: string;
  subnets: string[];
  securityGroup: string;
  /** RunTask's startedBy: who started it, to find it in the console. */
  startedBy: string;
  /** What the task is, in progress lines and errors: "migration", "check". */
  label: string;
  /** The events' resource: "deploy", "dr-drill". */
  resource: string;
  /** Told the task's ARN as soon as it runs: what a cleanup stops if the wait ends early. */
  onStarted?: (taskArn: string) => void;
  /** false: the log's last lines are not shown (the caller reads the log itself). */
  showLog?: boolean;
}

export interface OneOffResult {
  taskArn: string;
  /** The main container's exit code; undefined when it never ran (the image could not be pulled, say). */
  exitCode: number | undefined;
  /** Why the task stopped, when ECS says. */
  why: string;
  /** ECS's stop code: TaskFailedToStart when it never ran. */
  stopCode: string | undefined;
}

/** Runs one task of the definition, waits until it stops, and shows the tail of its log. */
export async function runOnce(
  ctx: Context,
  run: OneOffRun,
  td: TaskDefinition,
  overrides?: TaskOverride,
): Promise<OneOffResult> {
  const ev = ctx.events.for(run.resource);
  const ecs = await ctx.aws.ecs();
  const name = shortName(td.taskDefinitionArn);
  const out = await awsStep(`run ${run.label} task`, name, () =>
    ecs.send(
      new RunTaskCommand({
        cluster: run.cluster,
        taskDefinition: td.taskDefinitionArn,
        launchType: "FARGATE",
        count: 1,
        startedBy: run.startedBy,
        ...(overrides ? { overrides } : {}),
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: run.subnets,
            securityGroups: [run.securityGroup],
            assignPublicIp: "DISABLED",
          },
        },
      }),
    ),
  );
  const started = out.tasks?.[0];
  if (!started?.taskArn) {
    const f = out.failures?.[0];
    throw new AwsError(`run ${run.label} task`, name, f?.reason ?? "NoTask", f?.detail ?? "ECS started no task");
  }
  const taskArn = started.taskArn;
  run.onStarted?.(taskArn);
  ev.step(`${run.label} task ${shortName(taskArn)} (${name}) started`);
  const stopped = await awsStep(`wait for ${run.label} task`, name, () =>
    waitUntil(ctx, ev, waitOptions(ctx, `${run.label} task to finish`), async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster: run.cluster, tasks: [taskArn] }))).tasks?.[0];
      return t?.lastStatus === "STOPPED" ? done(t) : pending(t?.lastStatus ?? "PENDING");
    }),
  );
  const container = stopped.containers?.find((x) => x.name === mainContainer(td)?.name) ?? stopped.containers?.[0];
  if (run.showLog !== false) for (const line of await logTail(ctx, td, stopped)) ev.step(`${run.label} log: ${line}`);
  // The task's reason and its container's are often the same words: each is said once.
  const why = [...new Set([stopped.stoppedReason, container?.reason].filter(Boolean))].join("; ");
  return { taskArn, exitCode: container?.exitCode, why, stopCode: stopped.stopCode };
}

/** The last lines the main container wrote, when it logs with awslogs (stream <prefix>/<container>/<task id>). */
async function logTail(ctx: Context, td: TaskDefinition, task: Task): Promise<string[]> {
  const container = mainContainer(td);
  const options = container?.logConfiguration?.logDriver === "awslogs" ? container.logConfiguration.options : undefined;
  const group = options?.["awslogs-group"];
  const prefix = options?.["awslogs-stream-prefix"];
  if (!group || !prefix || !container?.name) return [];
  const logs = await ctx.aws.logs();
  const logStreamName = `${prefix}/${container.name}/${task.taskArn?.split("/").at(-1)}`;
  try {
    // Read back from the tail: AWS may answer an empty or part-full page while older events exist, and gives the
    // same token back once there is nothing before it.
    let lines: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < LOG_PAGES && lines.length < LOG_LINES; page++) {
      const out = await logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName,
          limit: LOG_LINES,
          startFromHead: false,
          ...(token ? { nextToken: token } : {}),
        }),
      );
      lines = [...(out.events ?? []).map((e) => e.message ?? ""), ...lines];
      if (!out.nextBackwardToken || out.nextBackwardToken === token) break;
      token = out.nextBackwardToken;
    }
    return lines.slice(-LOG_LINES);
  } catch (err) {
    if (isAwsError(err, "ResourceNotFoundException")) return ["(no log stream)"];
    throw err;
  }
}
