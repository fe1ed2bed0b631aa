// ECS reads that both ECS resources and `deploy` make: a service by name, a task definition revision (with its
// tags), and a family's ACTIVE revisions. A deregistered (INACTIVE) revision can still be described, and a family
// whose revisions are all INACTIVE may be described as one of them (docs/aws-behaviours.md, "ECS"): callers look
// only at ACTIVE revisions, found by listing them.
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type Tag as EcsTag,
  ListTaskDefinitionsCommand,
  type Service,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Context } from "../../core/context.js";
import { isAwsError } from "../../core/errors.js";
import { sharedRead } from "../../core/shared-reads.js";
import type { Tag } from "./tags.js";

export type Revision = TaskDefinition & { tags: EcsTag[] };

/** ECS spells tags { key, value }. */
export const toEcsTags = (tags: Tag[]): EcsTag[] => tags.map(({ Key, Value }) => ({ key: Key, value: Value }));
export const fromEcsTags = (tags: EcsTag[] | undefined): Tag[] =>
  (tags ?? []).map((t) => ({ Key: t.key ?? "", Value: t.value ?? "" }));

/** The service as DescribeServices tells it (with its tags), or undefined when unknown, purged or its cluster is. */
export async function describeService(ecs: ECSClient, cluster: string, name: string): Promise<Service | undefined> {
  try {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [name], include: ["TAGS"] }));
    // An unknown or purged service comes back in failures with reason MISSING, not as an error.
    return out.services?.find((s) => s.serviceName === name || s.serviceArn === name);
  } catch (err) {
    if (isAwsError(err, "ClusterNotFoundException")) return undefined; // no cluster, so no service
    throw err;
  }
}

/** A revision (family:revision or ARN) with its tags, or undefined when there is no such revision. */
export async function describeRevision(ecs: ECSClient, ref: string): Promise<Revision | undefined> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref, include: ["TAGS"] }));
    return out.taskDefinition ? { ...out.taskDefinition, tags: out.tags ?? [] } : undefined;
  } catch (err) {
    // "Unable to describe task definition." for a family or revision that does not exist.
    if (isAwsError(err, "ClientException")) return undefined;
    throw err;
  }
}

/**
 * The stack's service, when ACTIVE: by the ARN ECS_SERVICE_ARN records (its cluster is in it), then by name in the
 * cluster. Both ECS resources read it: once while a command looks at the stack.
 */
export async function findActiveService(ctx: Context, cluster: string, name: string): Promise<Service | undefined> {
  const recorded = ctx.env.get("ECS_SERVICE_ARN");
  const ecs = await ctx.aws.ecs();
  return sharedRead(ctx, `ecs service ${cluster}/${name} ${recorded ?? "-"}`, async () => {
    const recordedCluster = recorded?.split(":service/")[1]?.split("/")[0];
    const byArn = recorded && recordedCluster ? await describeService(ecs, recordedCluster, recorded) : undefined;
    if (byArn?.status === "ACTIVE") return byArn;
    const byName = await describeService(ecs, cluster, name);
    return byName?.status === "ACTIVE" ? byName : undefined;
  });
}

/** describeRevision, read once for the ECS resources while a command looks at the stack. */
export async function readRevision(ctx: Context, ref: string): Promise<Revision | undefined> {
  const ecs = await ctx.aws.ecs();
  return sharedRead(ctx, `ecs task definition ${ref}`, () => describeRevision(ecs, ref));
}

/** The family's ACTIVE revisions' ARNs, newest first; at most `limit` of them. */
export async function activeRevisions(ecs: ECSClient, family: string, limit = Infinity): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await ecs.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: family,
        status: "ACTIVE",
        sort: "DESC",
        nextToken,
        maxResults: Math.min(100, limit),
      }),
    );
    // familyPrefix names the whole family, but a stricter reading costs nothing: keep exactly this family.
    arns.push(...(out.taskDefinitionArns ?? []).filter((a) => familyOf(a) === family));
    nextToken = out.nextToken;
  } while (nextToken && arns.length < limit);
  return arns.slice(0, limit);
}

/** The family's newest ACTIVE revision, or undefined when it has none (never an INACTIVE one). */
export async function latestActiveRevision(ecs: ECSClient, family: string): Promise<Revision | undefined> {
  const [arn] = await activeRevisions(ecs, family, 1);
  const td = arn ? await describeRevision(ecs, arn) : undefined;
  return td?.status === "ACTIVE" ? td : undefined;
}

/** "startupwebapp-service-task" of ".../task-definition/startupwebapp-service-task:7". */
export const familyOf = (arn: string | undefined) => arn?.split("/").at(-1)?.replace(/:\d+$/, "");

/** "startupwebapp-service-task:7" of its ARN. */
export const shortName = (arn: string | undefined) => arn?.split("/").at(-1) ?? "?";

export const revisionOf = (arn: string | undefined) => Number(arn?.split(":").at(-1) ?? Number.NaN);
