// The `ecs-service` resource (seed step 5): the Fargate service behind the target group. No SDK import here.
import { type EnvReader, readInputs } from "../../core/inputs.js";
import type { Action, Resource } from "../resource.js";
import type { StackIdentity } from "../shared/tags.js";

export interface ServiceConfig extends StackIdentity {
  cluster: string;
  serviceName: string;
  taskDefinitionArn: string;
  targetGroupArn: string;
  privateSubnetIds: string[];
  securityGroupId: string;
  desiredCount: number;
  gracePeriodSeconds: number;
  containerName: string;
  containerPort: number;
  /** Auto scaling owns the desired count once `ecs-autoscaling` has recorded its capacities. */
  scaledByAutoScaling: boolean;
}

export const serviceResource: Resource<ServiceConfig> = {
  name: "ecs-service",
  after: ["alb", "acm-certificate", "ecs-service-task-definition"],
  summary: "Fargate service behind the target group, rolling deployments with circuit breaker",
  reads: [
    "PROJECT_NAME",
    "ECS_CLUSTER_NAME",
    "PRIVATE_SUBNET_1_ID",
    "PRIVATE_SUBNET_2_ID",
    "BACKEND_SECURITY_GROUP_ID",
    "TARGET_GROUP_ARN",
    "ECS_SERVICE_TASK_DEFINITION_ARN",
  ],
  optional: ["ENVIRONMENT", "ECS_SERVICE_NAME", "DESIRED_COUNT", "HEALTH_CHECK_GRACE_PERIOD", "CONTAINER_PORT"],
  records: ["ECS_SERVICE_NAME", "ECS_SERVICE_ARN", "ECS_SERVICE_GOOD_REVISIONS"],
  config: serviceConfig,
  plan: (c) => [
    `service ${c.serviceName} in ${c.cluster}: ${c.desiredCount} Fargate tasks of ${c.taskDefinitionArn.split("/").at(-1)}, private subnets, no public IP`,
    `behind ${c.targetGroupArn.split(":").at(-1)} (container ${c.containerName}:${c.containerPort}), ${c.gracePeriodSeconds} s health check grace, rolling 100/200 with circuit breaker and rollback`,
    "wait for the deployment to complete (fail fast on a failed deployment or a fatal task stop), then report target health",
  ],
  load: () => import("./actions.js"),
};

export function serviceConfig(env: EnvReader, action: Action): ServiceConfig {
  const input = readInputs(env, "ecs-service");
  const project = input.need("PROJECT_NAME");
  const environment = input.need("ENVIRONMENT");
  const cluster = input.need("ECS_CLUSTER_NAME");
  const serviceName = input.need("ECS_SERVICE_NAME");
  // Destroy and verify find the service by name; create needs everything it runs with.
  const need = action === "create" || action === "plan" ? input.need : input.maybe;
  const taskDefinitionArn = need("ECS_SERVICE_TASK_DEFINITION_ARN") ?? "";
  const targetGroupArn = need("TARGET_GROUP_ARN") ?? "";
  const privateSubnetIds = [need("PRIVATE_SUBNET_1_ID"), need("PRIVATE_SUBNET_2_ID")].filter((s): s is string =>
    Boolean(s),
  );
  const securityGroupId = need("BACKEND_SECURITY_GROUP_ID") ?? "";
  const desiredCount = Number(input.need("DESIRED_COUNT"));
  const gracePeriodSeconds = Number(input.need("HEALTH_CHECK_GRACE_PERIOD"));
  const containerPort = Number(input.need("CONTAINER_PORT"));
  input.done();
  const scaledByAutoScaling = Boolean(env.get("AUTOSCALING_MIN_CAPACITY"));
  return {
    project,
    environment,
    cluster,
    serviceName,
    taskDefinitionArn,
    targetGroupArn,
    privateSubnetIds,
    securityGroupId,
    desiredCount,
    gracePeriodSeconds,
    containerName: "web",
    containerPort,
    scaledByAutoScaling,
  };
}
