// `deploy --migrate`: the migration task definition, with the new image, run once in the private subnets;
// the deploy goes on only when it exits 0. Its exit code and the tail of its log are shown either way.
import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand, RunTaskCommand, type Task, type TaskDefinition } from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { AwsError, awsStep, isAwsError } from "../core/errors.js";
import { done, pending, waitOptions, waitUntil } from "../core/wait.js";
import { DeploymentFailed } from "../resources/ecs-service/deployment.js";
import { taskDefinition } from "./checks.js";
import type { DeployConfig } from "./config.js";
import { mainContainer, registerWithImage, shortName } from "./revision.js";

const LOG_LINES = 20;

export async function runMigration(ctx: Context, c: DeployConfig, image: string): Promise<void> {
  const ev = ctx.events.for("deploy");
  const ecs = await ctx.aws.ecs();
  const family = c.migrationFamily as string;
  let td = await taskDefinition(ctx, family);
  if (mainContainer(td)?.image !== image) td = await registerWithImage(ctx, td, image);
  const out = await awsStep("run migration task", shortName(td.taskDefinitionArn), () =>
    ecs.send(
      new RunTaskCommand({
        cluster: c.cluster,
        taskDefinition: td.taskDefinitionArn,
        launchType: "FARGATE",
        count: 1,
        startedBy: "infra-migrate",
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: c.privateSubnetIds,
            securityGroups: [c.securityGroupId as string],
            assignPublicIp: "DISABLED",
          },
        },
      }),
    ),
  );
  const started = out.tasks?.[0];
  if (!started?.taskArn) {
    const f = out.failures?.[0];
    throw new AwsError("run migration task", family, f?.reason ?? "NoTask", f?.detail ?? "ECS started no task");
  }
  ev.step(`migration task ${shortName(started.taskArn)} (${shortName(td.taskDefinitionArn)}) started`);
  const stopped = await awsStep("wait for migration task", family, () =>
    waitUntil(ctx, ev, { ...waitOptions(ctx, "migration task to finish") }, async () => {
      const t = (await ecs.send(new DescribeTasksCommand({ cluster: c.cluster, tasks: [started.taskArn as string] })))
        .tasks?.[0];
      return t?.lastStatus === "STOPPED" ? done(t) : pending(t?.lastStatus ?? "PENDING");
    }),
  );
  const container = stopped.containers?.find((x) => x.name === mainContainer(td)?.name) ?? stopped.containers?.[0];
  const exit = container?.exitCode;
  for (const line of await logTail(ctx, td, stopped)) ev.step(`migration log: ${line}`);
  if (exit !== 0) {
    const why = [stopped.stoppedReason, container?.reason].filter(Boolean).join("; ");
    throw new DeploymentFailed(
      `migration task exited ${exit ?? "without an exit code"}${why ? ` (${why})` : ""}`,
      "the service was not changed: fix the migration, then deploy again",
    );
  }
  ev.exists("migration task exited 0");
}

/** The last lines the migration container wrote, when it logs with awslogs (stream <prefix>/<container>/<task id>). */
async function logTail(ctx: Context, td: TaskDefinition, task: Task): Promise<string[]> {
  const container = mainContainer(td);
  const options = container?.logConfiguration?.logDriver === "awslogs" ? container.logConfiguration.options : undefined;
  const group = options?.["awslogs-group"];
  const prefix = options?.["awslogs-stream-prefix"];
  if (!group || !prefix || !container?.name) return [];
  const logs = await ctx.aws.logs();
  try {
    const out = await logs.send(
      new GetLogEventsCommand({
        logGroupName: group,
        logStreamName: `${prefix}/${container.name}/${task.taskArn?.split("/").at(-1)}`,
        limit: LOG_LINES,
        startFromHead: false,
      }),
    );
    return (out.events ?? []).map((e) => e.message ?? "");
  } catch (err) {
    if (isAwsError(err, "ResourceNotFoundException")) return ["(no log stream)"];
    throw err;
  }
}
