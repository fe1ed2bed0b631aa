// A service whose deployment FAILED: both ECS resources and `deploy` must tell it from one that runs or is rolling
// out, because ECS does nothing more for it on its own (docs/aws-behaviours.md, "ECS").
import type { Deployment, Service } from "@aws-sdk/client-ecs";

/**
 * The deployment that failed, when the service has nothing better: its PRIMARY deployment is FAILED (the circuit
 * breaker stopped it and there was no completed deployment to roll back to), or no task runs, none is going and a
 * deployment FAILED. ECS starts nothing more for such a service on its own: only a new deployment runs it again.
 */
export function failedDeployment(svc: Service): Deployment | undefined {
  const deployments = svc.deployments ?? [];
  const primary = deployments.find((d) => d.status === "PRIMARY");
  if (primary?.rolloutState === "FAILED") return primary;
  const going = deployments.some((d) => d.rolloutState === "IN_PROGRESS");
  if (going || (svc.runningCount ?? 0) > 0 || (svc.desiredCount ?? 0) === 0) return undefined;
  return deployments.find((d) => d.rolloutState === "FAILED");
}
