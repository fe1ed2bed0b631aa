// What following a deployment shows while it runs (as Copilot does): each deployment's revision, rollout state and
// running / pending / desired counts, from the DescribeServices answer the poll reads anyway; the health of the
// targets behind the service (one DescribeTargetHealth a poll, the only read added for the view); and the newest
// task of the deployment that stopped, with its reason, from the stopped tasks the poll reads once tasks fail.
import type { Service, Task } from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { DeploymentView } from "../../core/events.js";
import { shortName } from "../common/ecs.js";

/** The deployment followed first, then the ones it replaces (ECS lists the newest first). */
export function deploymentsOf(svc: Service, followedId: string): DeploymentView["deployments"] {
  const all = (svc.deployments ?? []).map((d) => ({
    id: d.id ?? "?",
    revision: shortName(d.taskDefinition),
    followed: d.id === followedId,
    ...(d.rolloutState ? { rolloutState: d.rolloutState } : {}),
    running: d.runningCount ?? 0,
    pending: d.pendingCount ?? 0,
    desired: d.desiredCount ?? 0,
    failed: d.failedTasks ?? 0,
  }));
  return [...all.filter((d) => d.followed), ...all.filter((d) => !d.followed)];
}

/**
 * The targets of the service's (first) target group, counted by state. Undefined when it has none or AWS does not
 * answer: the view is for a person watching, and a read refused for it must not stop the deployment it shows.
 */
export async function targetStates(
  elbv2: ElasticLoadBalancingV2Client,
  svc: Service,
): Promise<Record<string, number> | undefined> {
  const arn = svc.loadBalancers?.find((lb) => lb.targetGroupArn)?.targetGroupArn;
  if (!arn) return undefined;
  try {
    const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    const states: Record<string, number> = {};
    for (const t of out.TargetHealthDescriptions ?? []) {
      const state = t.TargetHealth?.State ?? "unknown";
      states[state] = (states[state] ?? 0) + 1;
    }
    return states;
  } catch (err) {
    // An answer from AWS (the SDK's service errors carry $metadata): the group gone, the read refused.
    if (typeof err === "object" && err !== null && "$metadata" in err) return undefined;
    throw err;
  }
}

/** The newest of the deployment's stopped tasks (newest first, as the follower sorts them), and why it stopped. */
export function lastStopped(stopped: Task[], reason: (t: Task) => string): DeploymentView["lastStopped"] {
  const t = stopped[0];
  return t ? { task: t.taskArn?.split("/").at(-1) ?? "?", reason: reason(t) } : undefined;
}
