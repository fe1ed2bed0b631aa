// What of `ecs-service-task-definition` exists: the log group, and the family's current revision described in the
// fields its desired state uses. The current revision is the one the service runs, unless the env file records a
// definition change the service has not picked up yet (a newer revision that differs in more than its image). With
// no service, it is the recorded revision, else the family's newest. Only ACTIVE revisions count: ECS starts nothing
// from an INACTIVE one, so a family whose revisions are all INACTIVE has no current revision.
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  type LogGroup,
} from "@aws-sdk/client-cloudwatch-logs";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";
import type { Observation, ObservedObject } from "../../state/model.js";
import { findActiveService, fromEcsTags, latestActiveRevision, type Revision, readRevision } from "../common/ecs.js";
import { failedDeployment } from "../common/failed-deployment.js";
import { isManaged } from "../common/tags.js";
import { definitionFields, isPendingChange, mainContainer } from "../common/task-definition.js";
import { logGroupFields, type TaskDefinitionConfig } from "./config.js";

/** The image the service runs, for `settle`: found while observing, but not an object of this resource. */
export const runningImages = new WeakMap<Observation, string>();

export async function observeTaskDefinition(ctx: Context, c: TaskDefinitionConfig): Promise<Observation> {
  const [logs, ecs] = await Promise.all([ctx.aws.logs(), ctx.aws.ecs()]);
  const recordedArn = ctx.env.get("ECS_SERVICE_TASK_DEFINITION_ARN");
  const [group, running, recorded] = await Promise.all([
    awsStep("find log group", c.logGroup, () => findLogGroup(logs, c.logGroup)),
    c.clusterName
      ? awsStep("read service", c.serviceName, () => runningRevision(ctx, c.clusterName as string, c))
      : undefined,
    recordedArn ? awsStep("read task definition", recordedArn, () => readRevision(ctx, recordedArn)) : undefined,
  ]);
  const ours = (td: Revision | undefined) => (td?.status === "ACTIVE" && td.family === c.family ? td : undefined);
  const runs = ours(running);
  const current = runs
    ? recorded && isPendingChange(recorded, runs)
      ? recorded
      : runs
    : (ours(recorded) ?? (await awsStep("find task definition", c.family, () => latestActiveRevision(ecs, c.family))));
  const found = new Map<string, ObservedObject>();
  if (group) {
    found.set("log-group", {
      key: "log-group",
      kind: "log group",
      name: c.logGroup,
      id: group.logGroupArn ?? c.logGroup,
      fields: logGroupFields(group),
      managed: isManaged(Object.entries(group.tags).map(([Key, Value]) => ({ Key, Value }))),
      raw: group,
    });
  }
  if (current) found.set("task-definition", observedRevision(c, current));
  const image = running ? mainContainer(running)?.image : undefined;
  if (image) runningImages.set(found, image);
  return found;
}

export function observedRevision(c: TaskDefinitionConfig, td: Revision): ObservedObject {
  return {
    key: "task-definition",
    kind: "task definition",
    name: c.family,
    id: td.taskDefinitionArn as string,
    fields: definitionFields(td),
    managed: isManaged(fromEcsTags(td.tags)),
    raw: td,
  };
}

/**
 * The revision the service runs (whatever its family or status), when the service is ACTIVE. A service whose
 * deployment FAILED runs nothing: its image is no choice to keep, and IMAGE_TAG says what is wanted again.
 */
async function runningRevision(ctx: Context, cluster: string, c: TaskDefinitionConfig): Promise<Revision | undefined> {
  const svc = await findActiveService(ctx, cluster, c.serviceName);
  if (!svc?.taskDefinition || failedDeployment(svc)) return undefined;
  return readRevision(ctx, svc.taskDefinition);
}

export async function findLogGroup(
  logs: CloudWatchLogsClient,
  name: string,
): Promise<(LogGroup & { tags: Record<string, string> }) | undefined> {
  const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  const group = out.logGroups?.find((g) => g.logGroupName === name);
  if (!group) return undefined;
  // The tagging APIs take the ARN without the trailing ":*" that `arn` carries: `logGroupArn`.
  const arn = group.logGroupArn ?? group.arn?.replace(/:\*$/, "");
  try {
    const tags = arn ? ((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? {}) : {};
    return { ...group, tags };
  } catch (err) {
    if (isAwsError(err, "ResourceNotFoundException")) return undefined; // deleted since it was listed
    throw err;
  }
}
