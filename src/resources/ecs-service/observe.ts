// What of `ecs-service` exists: the service, found by its recorded ARN first, then by name in the cluster, and
// described in the fields its desired state uses. A DRAINING or INACTIVE service is on its way out: absent (create
// waits for a draining one to go before it makes the new one). Observe also weighs the revision the env file records
// against the one the service runs (model.ts settle): the service moves only to a definition change it has not
// picked up yet; a revision that differs in its image only is a deploy's or a rollback's business, and an older one
// is what a stale env file still says. A service whose deployment FAILED runs nothing: it moves to the recorded
// revision, whatever differs.
import type { Service } from "@aws-sdk/client-ecs";
import type { Context } from "../../core/context.js";
import { awsStep } from "../../core/errors.js";
import { type Fields, isPending, type ObservedObject, UNREPORTED } from "../../state/model.js";
import { findActiveService, fromEcsTags, readRevision } from "../common/ecs.js";
import { failedDeployment } from "../common/failed-deployment.js";
import { isManaged } from "../common/tags.js";
import { isPendingChange } from "../common/task-definition.js";
import type { ServiceConfig } from "./config.js";
import { serviceFields } from "./inputs.js";

export interface ServiceRaw {
  service: Service;
  /** The revision the service should run: the recorded one when it is a change to roll out, else the running one. */
  revision: string | undefined;
}

export async function observeService(ctx: Context, c: ServiceConfig): Promise<Map<string, ObservedObject>> {
  const found = new Map<string, ObservedObject>();
  const svc = await awsStep("read service", c.serviceName, () => findActiveService(ctx, c.cluster, c.serviceName));
  if (!svc) return found;
  const revision = await awsStep("read task definitions", c.serviceName, () => revisionToRun(ctx, c, svc));
  found.set("service", observedService(svc, revision));
  return found;
}

export function observedService(svc: Service, revision?: string): ObservedObject {
  return {
    key: "service",
    kind: "service",
    name: svc.serviceName ?? "",
    id: svc.serviceArn as string,
    fields: observedFields(svc),
    managed: isManaged(fromEcsTags(svc.tags)),
    raw: { service: svc, revision } satisfies ServiceRaw,
  };
}

/** The service's fields as the projection of its input reads them, and where its deployment stands. */
export function observedFields(svc: Service): ObservedObject["fields"] {
  return {
    ...serviceFields({ ...svc, serviceName: svc.serviceName, cluster: svc.clusterArn?.split("/").at(-1) }),
    ...unreported(svc),
    deployment: failedDeployment(svc)
      ? "FAILED"
      : (svc.deployments?.find((d) => d.status === "PRIMARY")?.rolloutState ?? "none"),
  };
}

/**
 * AWS always reports these (the grace period as 0 when none was set); an endpoint that leaves them out does not model
 * them (docs/endpoints/moto.md): unknown, not different.
 */
function unreported(svc: Service): Fields {
  const none = svc.deploymentConfiguration === undefined;
  return {
    ...(svc.healthCheckGracePeriodSeconds === undefined ? { "health check grace period": UNREPORTED } : {}),
    ...(none ? { "minimum healthy percent": UNREPORTED, "maximum percent": UNREPORTED } : {}),
    ...(none ? { "circuit breaker": UNREPORTED } : {}),
    ...(svc.enableExecuteCommand === undefined ? { "ECS Exec": UNREPORTED } : {}),
  };
}

/**
 * The recorded revision when it is a change the service has not picked up yet, or the service runs nothing worth
 * keeping (an unusable revision, or a FAILED deployment: a new image tag fixes it as well as a pushed one).
 */
async function revisionToRun(ctx: Context, c: ServiceConfig, svc: Service): Promise<string | undefined> {
  const recorded = c.taskDefinitionArn;
  const runs = svc.taskDefinition;
  if (!recorded || isPending(recorded) || !runs || recorded === runs) return runs;
  const [want, running] = await Promise.all([readRevision(ctx, recorded), readRevision(ctx, runs)]);
  if (want?.status !== "ACTIVE") return runs; // ECS would refuse it: the task definition step records an ACTIVE one
  if (failedDeployment(svc)) return recorded;
  if (running?.status !== "ACTIVE" || want.family !== running.family) return recorded;
  return isPendingChange(want, running) ? recorded : runs;
}
