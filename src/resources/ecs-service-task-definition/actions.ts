// `ecs-service-task-definition` create, verify and destroy.
import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  type LogGroup,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Context } from "../../core/context.js";
import { awsStep, InfraError, isAwsError } from "../../core/errors.js";
import { type Check, checklist } from "../resource.js";
import { stackTags } from "../shared/tags.js";
import type { TaskDefinitionConfig } from "./config.js";
import { sameTaskDefinition } from "./normalize.js";

const RESOURCE = "ecs-service-task-definition";

export function registerInput(c: TaskDefinitionConfig): RegisterTaskDefinitionCommandInput {
  return {
    family: c.family,
    taskRoleArn: c.taskRoleArn,
    executionRoleArn: c.executionRoleArn,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: c.cpu,
    memory: c.memory,
    containerDefinitions: [c.container],
    tags: stackTags(c, c.family).map(({ Key, Value }) => ({ key: Key, value: Value })),
  };
}

/** The latest ACTIVE revision of the family, or undefined when it has none. */
export async function latestRevision(ctx: Context, family: string): Promise<TaskDefinition | undefined> {
  const ecs = await ctx.aws.ecs();
  try {
    return (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }))).taskDefinition;
  } catch (err) {
    // A family with no ACTIVE revision: ClientException "Unable to describe task definition."
    if (isAwsError(err, "ClientException") && /unable to describe task definition/i.test((err as Error).message))
      return undefined;
    throw err;
  }
}

async function findLogGroup(ctx: Context, name: string): Promise<LogGroup | undefined> {
  const logs = await ctx.aws.logs();
  const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  return out.logGroups?.find((g) => g.logGroupName === name);
}

async function ensureLogGroup(ctx: Context, c: TaskDefinitionConfig) {
  const ev = ctx.events.for(RESOURCE);
  const logs = await ctx.aws.logs();
  const group = await awsStep("find log group", c.logGroup, () => findLogGroup(ctx, c.logGroup));
  if (!group) {
    await awsStep("create log group", c.logGroup, async () => {
      try {
        const tags = Object.fromEntries(stackTags(c, c.logGroup).map((t) => [t.Key, t.Value]));
        await logs.send(new CreateLogGroupCommand({ logGroupName: c.logGroup, tags }));
      } catch (err) {
        if (!isAwsError(err, "ResourceAlreadyExists")) throw err;
      }
    });
    ev.created(`log group ${c.logGroup}`);
  } else ev.exists(`log group ${c.logGroup}`);
  if (group?.retentionInDays !== c.retentionDays) {
    await awsStep("set log retention", c.logGroup, () =>
      logs.send(new PutRetentionPolicyCommand({ logGroupName: c.logGroup, retentionInDays: c.retentionDays })),
    );
    if (group)
      ev.updated(
        `log group ${c.logGroup} retention ${group.retentionInDays ?? "never expire"} -> ${c.retentionDays} days`,
      );
  }
}

export async function create(ctx: Context, c: TaskDefinitionConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  await ensureLogGroup(ctx, c);
  const want = registerInput(c);
  let current = await awsStep("read task definition", c.family, () => latestRevision(ctx, c.family));
  if (current && sameTaskDefinition(current, want)) {
    ev.exists(`task definition ${c.family}:${current.revision}`);
  } else {
    const ecs = await ctx.aws.ecs();
    current = await awsStep(
      "register task definition",
      c.family,
      async () => (await ecs.send(new RegisterTaskDefinitionCommand(want))).taskDefinition,
    );
    ev.created(`task definition ${c.family}:${current?.revision} (${c.container.image})`);
  }
  const recorded = {
    ECS_SERVICE_TASK_DEFINITION_FAMILY: c.family,
    ECS_SERVICE_TASK_DEFINITION_ARN: current?.taskDefinitionArn ?? "",
    ECS_SERVICE_TASK_DEFINITION_REVISION: String(current?.revision ?? ""),
    ECS_SERVICE_LOG_GROUP: c.logGroup,
  };
  await ctx.env.record(recorded);
}

export async function destroy(ctx: Context, c: TaskDefinitionConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  const ecs = await ctx.aws.ecs();
  await refuseWhileInUse(ctx, c);
  for (const arn of await awsStep("list task definitions", c.family, () => activeRevisions(ctx, c.family))) {
    await awsStep("deregister task definition", arn, () =>
      ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })),
    );
    ev.deleted(`task definition ${arn.split("/").at(-1)}`);
  }
  await ctx.env.record({ ECS_SERVICE_TASK_DEFINITION_ARN: "", ECS_SERVICE_TASK_DEFINITION_REVISION: "" });
  if (ctx.options.keepLogs) ev.skipped(`log group ${c.logGroup}: kept (--keep-logs)`);
  else if (await awsStep("find log group", c.logGroup, () => findLogGroup(ctx, c.logGroup))) {
    const logs = await ctx.aws.logs();
    await awsStep("delete log group", c.logGroup, async () => {
      try {
        await logs.send(new DeleteLogGroupCommand({ logGroupName: c.logGroup }));
        ev.deleted(`log group ${c.logGroup}`);
      } catch (err) {
        if (!isAwsError(err, "ResourceNotFound")) throw err;
      }
    });
    await ctx.env.record({ ECS_SERVICE_LOG_GROUP: "" });
  }
  await ctx.env.record({ ECS_SERVICE_TASK_DEFINITION_FAMILY: "" });
}

/** Deregistering the revisions a live service runs would leave it unable to replace its tasks: any service
 * of the cluster, ours or another, that runs this family stops the destroy. */
async function refuseWhileInUse(ctx: Context, c: TaskDefinitionConfig) {
  if (!c.clusterName) return;
  const cluster = c.clusterName;
  const ecs = await ctx.aws.ecs();
  const users = await awsStep("list services", cluster, async () => {
    const arns: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const out = await ecs.send(new ListServicesCommand({ cluster, nextToken }));
        arns.push(...(out.serviceArns ?? []));
        nextToken = out.nextToken;
      } while (nextToken);
    } catch (err) {
      if (isAwsError(err, "ClusterNotFoundException")) return [];
      throw err;
    }
    const found = [];
    for (let i = 0; i < arns.length; i += 10) {
      const out = await ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }));
      found.push(...(out.services ?? []));
    }
    return found.filter(
      (svc) => svc.status !== "INACTIVE" && svc.taskDefinition?.includes(`:task-definition/${c.family}:`),
    );
  });
  if (users.length > 0) {
    throw new InfraError(
      `${users.map((u) => `service ${u.serviceName} (${u.status})`).join(", ")} still uses task definition ${c.family}`,
      2,
      users.some((u) => u.serviceName === c.serviceName)
        ? "run `infra destroy ecs-service` first"
        : "move or delete those services first",
    );
  }
}

async function activeRevisions(ctx: Context, family: string): Promise<string[]> {
  const ecs = await ctx.aws.ecs();
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: "ACTIVE", nextToken }));
    arns.push(...(out.taskDefinitionArns ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  // familyPrefix is a prefix: "app-task" also lists "app-task-v2".
  return arns.filter((a) => a.split("/").at(-1)?.replace(/:\d+$/, "") === family);
}

export async function verify(ctx: Context, c: TaskDefinitionConfig): Promise<Check[]> {
  const { checks, check } = checklist(RESOURCE);
  const latest = await awsStep("read task definition", c.family, () => latestRevision(ctx, c.family));
  check(`task definition ${c.family} has an ACTIVE revision`, Boolean(latest), latest?.taskDefinitionArn);
  if (latest) {
    check("the latest revision is as specified", sameTaskDefinition(latest, registerInput(c)));
    const recorded = ctx.env.get("ECS_SERVICE_TASK_DEFINITION_ARN");
    check("ECS_SERVICE_TASK_DEFINITION_ARN is the latest revision", recorded === latest.taskDefinitionArn, recorded);
    const containers = latest.containerDefinitions ?? [];
    const references = containers
      .flatMap((x) => x.secrets ?? [])
      .every((s) => /^arn:aws[a-z-]*:(secretsmanager|ssm):/.test(s.valueFrom ?? ""));
    check("secrets are Secrets Manager or SSM references", references);
    const leaked = containers
      .flatMap((x) => x.environment ?? [])
      .filter((e) => /PASSWORD|SECRET(?!_NAME)|TOKEN|PRIVATE_KEY/i.test(e.name ?? ""));
    check("no secret value in environment variables", leaked.length === 0, leaked.map((e) => e.name).join(", "));
  }
  const group = await awsStep("find log group", c.logGroup, () => findLogGroup(ctx, c.logGroup));
  check(`log group ${c.logGroup} exists`, Boolean(group));
  if (group)
    check(
      `log retention ${c.retentionDays} days`,
      group.retentionInDays === c.retentionDays,
      `${group.retentionInDays ?? "never expire"}`,
    );
  return checks;
}
