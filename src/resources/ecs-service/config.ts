// The `ecs-service` resource: the Fargate service behind the target group, as the user's scripts made it (2 tasks
// at creation, private subnets, the backend group, no public IP, 120 s grace, rolling 100/200 with the circuit
// breaker and rollback, ECS Exec). No SDK import here.
// Two values have another owner once the service exists (model.ts settles them from what exists): the desired
// count belongs to whoever scales the service, and a revision that differs from the running one only in its image
// is `deploy`'s (or `rollback`'s) business, not create's. A deployment is ECS's business too, unless it FAILED and
// left nothing running: then the service wants a new deployment (of the recorded revision).
import { type EnvReader, readInputs } from "../../core/inputs.js";
import type { DesiredObject } from "../../state/model.js";
import type { StackIdentity } from "../common/tags.js";
import { WEB } from "../common/task-definition.js";
import type { Action, Resource } from "../resource.js";
import { CIRCUIT_BREAKER, type ServiceInput, serviceFields } from "./inputs.js";

export { CIRCUIT_BREAKER };
/** What a service whose deployment FAILED needs: ECS starts nothing more for it on its own. */
export const NEW_DEPLOYMENT = "a new deployment";

export interface ServiceConfig extends StackIdentity {
  cluster: string;
  serviceName: string;
  taskDefinitionArn: string;
  targetGroupArn: string;
  privateSubnetIds: string[];
  securityGroupId: string;
  /** The tasks it starts with; undefined once it exists (the count is then auto scaling's, or the user's). */
  desiredCount: number | undefined;
  gracePeriodSeconds: number;
  containerPort: number;
  executeCommand: boolean;
  /** Its deployment FAILED and nothing runs (model.ts settles it from what exists): create starts a new one. */
  deploymentFailed: boolean;
}

export const serviceResource: Resource<ServiceConfig> = {
  name: "ecs-service",
  summary: "Fargate service behind the target group, rolling deployments with circuit breaker and rollback",
  after: ["alb", "acm-certificate", "ecs-service-task-definition"],
  records: ["ECS_SERVICE_NAME", "ECS_SERVICE_ARN"],
  config: serviceConfig,
  desired: serviceDesired,
  load: async () => (await import("./model.js")).serviceModel,
};

export function serviceConfig(env: EnvReader, action: Action): ServiceConfig {
  const input = readInputs(env, "ecs-service");
  // Destroy finds the service by recorded ARN or by name: it needs nothing it would run with.
  const need = action === "destroy" ? input.maybe : input.need;
  const config: ServiceConfig = {
    project: input.need("PROJECT_NAME"),
    environment: input.need("ENVIRONMENT"),
    cluster: input.need("ECS_CLUSTER_NAME"),
    serviceName: input.need("ECS_SERVICE_NAME"),
    taskDefinitionArn: need("ECS_SERVICE_TASK_DEFINITION_ARN") ?? "",
    targetGroupArn: need("TARGET_GROUP_ARN") ?? "",
    privateSubnetIds: [need("PRIVATE_SUBNET_1_ID"), need("PRIVATE_SUBNET_2_ID")].filter((s): s is string => Boolean(s)),
    securityGroupId: need("BACKEND_SECURITY_GROUP_ID") ?? "",
    desiredCount: Number(input.need("DESIRED_COUNT")),
    gracePeriodSeconds: Number(input.need("HEALTH_CHECK_GRACE_PERIOD")),
    containerPort: Number(input.need("CONTAINER_PORT")),
    executeCommand: input.need("ECS_ENABLE_EXECUTE_COMMAND") === "true",
    deploymentFailed: false,
  };
  input.done();
  return config;
}

/** What CreateService is sent (and UpdateService, field by field): every field plan shows is projected from it. */
export function serviceInput(c: ServiceConfig): ServiceInput {
  return {
    cluster: c.cluster,
    serviceName: c.serviceName,
    taskDefinition: c.taskDefinitionArn,
    desiredCount: c.desiredCount,
    launchType: "FARGATE",
    platformVersion: "LATEST",
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [...c.privateSubnetIds],
        securityGroups: [c.securityGroupId],
        assignPublicIp: "DISABLED",
      },
    },
    loadBalancers: [{ targetGroupArn: c.targetGroupArn, containerName: WEB, containerPort: c.containerPort }],
    healthCheckGracePeriodSeconds: c.gracePeriodSeconds,
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    },
    schedulingStrategy: "REPLICA",
    deploymentController: { type: "ECS" },
    enableExecuteCommand: c.executeCommand,
  };
}

export function serviceDesired(c: ServiceConfig): DesiredObject[] {
  const input = serviceInput(c);
  return [
    {
      key: "service",
      kind: "service",
      name: c.serviceName,
      input,
      fields: {
        ...serviceFields(input),
        // Only a FAILED deployment is create's business: one going or completed is ECS's (or deploy's).
        deployment: c.deploymentFailed ? NEW_DEPLOYMENT : undefined,
      },
      // Starting again what failed is what the failure told the user to run create for: no question asked.
      awaited: ["deployment"],
      replaceOn: {
        name: "a service cannot be renamed",
        cluster: "a service cannot move to another cluster",
        "launch type": "a service's launch type is fixed",
        "scheduling strategy": "a service's scheduling strategy is fixed",
      },
    },
  ];
}
