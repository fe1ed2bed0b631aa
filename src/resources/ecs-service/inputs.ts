// What CreateService is sent for the web service, and the one projection of it into the fields plan, verify and
// status show. The same projection reads what DescribeServices answers (observe.ts maps it onto the input's names),
// so the desired and the found service compare field by field, and a parameter sent but not projected cannot hide
// from plan. Pure (type imports only): `plan` builds it with no SDK loaded.
import type { CreateServiceCommandInput } from "@aws-sdk/client-ecs";
import type { Fields } from "../../state/model.js";

export const CIRCUIT_BREAKER = "on, with rollback";

/** CreateService's parameters, less its tags and idempotency token; the cluster by name. */
export type ServiceInput = Omit<CreateServiceCommandInput, "tags" | "clientToken" | "propagateTags">;

export function serviceFields(s: ServiceInput): Fields {
  const net = s.networkConfiguration?.awsvpcConfiguration;
  const lb = s.loadBalancers?.[0];
  const dc = s.deploymentConfiguration;
  const cb = dc?.deploymentCircuitBreaker;
  const strategy = s.capacityProviderStrategy?.map((x) => x.capacityProvider).join(", ");
  return {
    name: s.serviceName,
    cluster: s.cluster,
    "task definition": s.taskDefinition,
    "desired count (at creation)": s.desiredCount,
    "launch type": s.launchType ?? (strategy ? `capacity providers ${strategy}` : "none"),
    "platform version": s.platformVersion ?? "none",
    subnets: [...(net?.subnets ?? [])].sort(),
    "security groups": [...(net?.securityGroups ?? [])].sort(),
    "public IP": net?.assignPublicIp ?? "none",
    "target group":
      (s.loadBalancers?.length ?? 0) > 1 ? `${s.loadBalancers?.length} target groups` : (lb?.targetGroupArn ?? "none"),
    container: lb ? `${lb.containerName}:${lb.containerPort}` : "none",
    "health check grace period": s.healthCheckGracePeriodSeconds ?? 0,
    "minimum healthy percent": dc?.minimumHealthyPercent,
    "maximum percent": dc?.maximumPercent,
    "circuit breaker": cb?.enable ? (cb.rollback ? CIRCUIT_BREAKER : "on, no rollback") : "off",
    "scheduling strategy": s.schedulingStrategy ?? "REPLICA",
    "deployment controller": s.deploymentController?.type ?? "ECS",
    "ECS Exec": s.enableExecuteCommand ?? false,
  };
}
