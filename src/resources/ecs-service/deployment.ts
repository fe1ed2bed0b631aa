// Following one ECS deployment to its end. Done means that deployment COMPLETED with running == desired and
// the service on its task definition; FAILED (circuit breaker), replaced, or tasks stopping for a cause that
// retrying will not fix (an image that cannot be pulled, secrets that cannot be read) end it at once. The
// ServicesStable waiter can report success after a rollback (docs/aws-behaviours.md, "ECS"): this never does.
import type { Deployment, Service, Task } from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Context } from "../../core/context.js";
import { awsStep, ExitCode, InfraError, isAwsError } from "../../core/errors.js";
import type { DeploymentPhase, DeploymentView, ResourceEvents } from "../../core/events.js";
import { done, pending, waitOptions, waitUntil } from "../../core/wait.js";
import { describeService, shortName } from "../common/ecs.js";
import { serviceTasks } from "../common/ecs-tasks.js";
import { deploymentsOf, lastStopped, targetStates } from "./deployment-view.js";

/** Stopped-task reasons that no amount of waiting will cure. */
const FATAL =
  /CannotPullContainer|ResourceInitializationError|unable to pull secrets|AccessDenied|CannotStartContainer|InvalidParameter/i;

export interface DeploymentWatch {
  ctx: Context;
  ev: ResourceEvents;
  cluster: string;
  serviceName: string;
  deploymentId: string;
  taskDefinitionArn: string;
}

export class DeploymentFailed extends InfraError {
  constructor(message: string, suggestion: string) {
    super(message, ExitCode.checkFailed, suggestion);
  }
}

/** Service events worth a line while a deployment runs (ecspresso and Copilot show the same). */
const RELEVANT = /fail|unhealthy|unable|rolling back|rolled back|stopped|steady state|registered|started/i;

/**
 * An event's text with each ARN in it as the name of what it names: ECS writes the target group's whole ARN into
 * "registered 1 targets in (target-group arn:...)", a hundred characters that name the stack's own group.
 */
export const withNames = (text: string) =>
  text.replace(/\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:([^\s)]+)/g, (arn, resource: string) => {
    // targetgroup/<name>/<id>, loadbalancer/app/<name>/<id>, service/<cluster>/<name>, task/<cluster>/<id>.
    const parts = resource.split(/[/:]/);
    if (parts[0] === "loadbalancer" && parts.length >= 4) return parts[2] as string;
    if (parts[0] === "targetgroup" && parts.length >= 3) return parts[1] as string;
    return arn;
  });

/**
 * While old tasks drain, the polls back off to one every 15 to 30 s: draining lasts the target group's
 * deregistration delay (300 s by default), and nothing read meanwhile ends it sooner.
 */
const DRAINING_POLL_CAP_MS = 30_000;

export async function followDeployment(w: DeploymentWatch): Promise<Service> {
  const ecs = await w.ctx.aws.ecs();
  const what = `deployment ${w.deploymentId} of ${w.serviceName}`;
  const seen = new Set<string>();
  const elbv2 = await w.ctx.aws.elbv2();
  let stop: DeploymentView["lastStopped"];
  const showNewEvents = (svc: Service) => {
    // Oldest first; events from before this deployment began are history, not news.
    const since = svc.deployments?.find((d) => d.id === w.deploymentId)?.createdAt?.getTime() ?? 0;
    for (const e of [...(svc.events ?? [])].reverse()) {
      if (!e.id || seen.has(e.id) || (e.createdAt?.getTime() ?? 0) < since) continue;
      seen.add(e.id);
      if (e.message && RELEVANT.test(e.message)) w.ev.step(`event: ${withNames(e.message)}`);
    }
  };
  return awsStep("wait for deployment", w.serviceName, () =>
    waitUntil(w.ctx, w.ev, { ...waitOptions(w.ctx, what), maxDelayMs: 10_000 }, async () => {
      const svc = await describeService(ecs, w.cluster, w.serviceName);
      if (svc) showNewEvents(svc);
      if (svc?.status !== "ACTIVE")
        throw new DeploymentFailed(
          `${what}: the service is ${svc?.status ?? "gone"}`,
          "run `infra create ecs-service` again",
        );
      const d = svc.deployments?.find((x) => x.id === w.deploymentId);
      if (!d) {
        const primary = svc.deployments?.find((x) => x.status === "PRIMARY");
        throw failure(w, svc, `was replaced by ${primary?.id} (${shortName(primary?.taskDefinition)})`, []);
      }
      if (d.rolloutState === "FAILED")
        throw failure(w, svc, `FAILED: ${d.rolloutStateReason ?? "circuit breaker"}`, await stoppedTasks(w));
      if (
        d.rolloutState === "COMPLETED" &&
        d.runningCount === d.desiredCount &&
        svc.taskDefinition === w.taskDefinitionArn
      ) {
        return done(svc);
      }
      let stopped: Task[] = [];
      if ((d.failedTasks ?? 0) > 0) {
        stopped = await stoppedTasks(w);
        const fatal = stopped.filter((t) => FATAL.test(stopReason(t)));
        if (fatal.length > 0) throw failure(w, svc, `tasks cannot start: ${stopReason(fatal[0] as Task)}`, fatal);
      }
      // The whole deployment, for a terminal to show: the targets only once tasks run, the last stop until a newer one.
      const deployments = deploymentsOf(svc, w.deploymentId);
      const targets = deployments.some((x) => x.running > 0) ? await targetStates(elbv2, svc) : undefined;
      stop = lastStopped(stopped, stopReason) ?? stop;
      const where = phase(svc, d, targets);
      const view = {
        service: w.serviceName,
        phase: where.name,
        deployments,
        ...(targets ? { targets } : {}),
        ...(stop ? { lastStopped: stop } : {}),
      };
      return pending(where.text, { deployment: view }, where.name === "draining" ? DRAINING_POLL_CAP_MS : undefined);
    }),
  );
}

/**
 * Where a deployment in progress is: starting (its tasks launching, or running and not yet through their health
 * checks: ECS scales the old revision in only once they pass, and a first deployment has no old revision to tell
 * by, so the targets' states say it); draining (the old revision at 0, its tasks leaving the target group for its
 * deregistration delay); or healthy (ECS has yet to call it COMPLETED).
 */
export function phase(
  svc: Service,
  d: Deployment,
  targets?: Record<string, number>,
): { name: DeploymentPhase; text: string } {
  const running = `${d.runningCount}/${d.desiredCount} running`;
  const failed = d.failedTasks ? `, ${d.failedTasks} failed` : "";
  const older = (svc.deployments ?? []).filter((x) => x.id !== d.id);
  const checking = Object.entries(targets ?? {}).filter(([state]) => state === "initial" || state === "unhealthy");
  const [name, detail]: [DeploymentPhase, string] =
    (d.runningCount ?? 0) < (d.desiredCount ?? 0)
      ? ["starting", `${running}, ${d.pendingCount} pending${failed}`]
      : older.some((x) => (x.desiredCount ?? 0) > 0)
        ? ["starting", `${running}, not yet healthy${failed}`]
        : older.length > 0
          ? ["draining", `${running}, the old tasks leave the target group (its deregistration delay)`]
          : checking.length > 0
            ? ["starting", `${running}, targets ${checking.map(([s, n]) => `${n} ${s}`).join(", ")}${failed}`]
            : ["healthy", `${running}${failed}`];
  return { name, text: `${name}: ${detail}` };
}

/** Where the service stands: the revision it names, and how its newest deployment goes. */
export function standing(svc: Service): string {
  const primary = svc.deployments?.find((d) => d.status === "PRIMARY");
  const how = !primary
    ? "no deployment"
    : primary.rolloutState === "IN_PROGRESS"
      ? `deployment ${primary.id} IN_PROGRESS, ${phase(svc, primary).text}`
      : `deployment ${primary.id} ${primary.rolloutState}`;
  return `${svc.serviceName} names ${shortName(svc.taskDefinition)} (${how})`;
}

/** The stopped tasks this deployment started, newest first: among every stopped task of the service, all pages. */
async function stoppedTasks(w: DeploymentWatch): Promise<Task[]> {
  const ecs = await w.ctx.aws.ecs();
  const stopped = await serviceTasks(ecs, w.cluster, w.serviceName, "STOPPED");
  return stopped
    .filter((t) => t.startedBy === w.deploymentId)
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0));
}

/** The task's reason and its containers', each said once (a failed pull gives the same words to both). */
const stopReason = (t: Task) =>
  [...new Set([t.stoppedReason, ...(t.containers ?? []).map((c) => c.reason)].filter(Boolean))].join("; ") ||
  "no reason given";

function failure(w: DeploymentWatch, svc: Service, what: string, stopped: Task[]): DeploymentFailed {
  const events = (svc.events ?? []).slice(0, 3).map((e) => withNames(e.message ?? ""));
  const reasons = [...new Set(stopped.map(stopReason))].slice(0, 2);
  const detail = [...reasons.map((r) => `stopped task: ${r}`), ...events.map((e) => `event: ${e}`)].join(" | ");
  const now = shortName(svc.taskDefinition);
  return new DeploymentFailed(
    `deployment ${w.deploymentId} of ${w.serviceName} ${what}${detail ? ` | ${detail}` : ""}`,
    svc.taskDefinition === w.taskDefinitionArn
      ? `the service still runs ${now}: fix the cause, then run again`
      : `the service runs ${now}, not ${shortName(w.taskDefinitionArn)}`,
  );
}

/**
 * One line on the targets behind the service: how many healthy, and why the others are not. Undefined when the
 * target group no longer exists: ECS keeps a service whose group was deleted, and its tasks then serve nothing.
 */
export async function reportTargetHealth(
  ev: ResourceEvents,
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
): Promise<TargetHealthDescription[] | undefined> {
  const out = await awsStep("read target health", targetGroupArn, async () => {
    try {
      return await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    } catch (err) {
      if (isAwsError(err, "TargetGroupNotFoundException")) return undefined;
      throw err;
    }
  });
  if (!out) {
    ev.warning(`target group ${targetGroupArn} does not exist`);
    return undefined;
  }
  const states = new Map<string, number>();
  for (const t of out.TargetHealthDescriptions ?? []) {
    const state = t.TargetHealth?.State ?? "unknown";
    states.set(state, (states.get(state) ?? 0) + 1);
  }
  const summary = [...states].map(([s, n]) => `${n} ${s}`).join(", ") || "no targets";
  if ([...states.keys()].every((s) => s === "healthy") && states.size > 0) ev.exists(`targets: ${summary}`);
  else ev.warning(`targets: ${summary} (the load balancer checks them every 30 s)`);
  return out.TargetHealthDescriptions ?? [];
}
