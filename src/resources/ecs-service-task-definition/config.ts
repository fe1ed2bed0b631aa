// The `ecs-service-task-definition` resource (seed step 4): the log group and the Fargate task definition of
// the web service. No SDK import here.
import { readFileSync } from "node:fs";
import { InputError } from "../../core/errors.js";
import { type EnvReader, readInputs } from "../../core/inputs.js";
import type { Action, Resource } from "../resource.js";
import type { StackIdentity } from "../shared/tags.js";
import { buildContainer, type ContainerDefinition } from "./container.js";

/** Fargate's cpu -> allowed memory (MiB). */
const FARGATE_MEMORY: Record<string, (m: number) => boolean> = {
  "256": (m) => [512, 1024, 2048].includes(m),
  "512": (m) => m >= 1024 && m <= 4096 && m % 1024 === 0,
  "1024": (m) => m >= 2048 && m <= 8192 && m % 1024 === 0,
  "2048": (m) => m >= 4096 && m <= 16384 && m % 1024 === 0,
  "4096": (m) => m >= 8192 && m <= 30720 && m % 1024 === 0,
};

export interface TaskDefinitionConfig extends StackIdentity {
  family: string;
  cpu: string;
  memory: string;
  executionRoleArn: string;
  taskRoleArn: string;
  logGroup: string;
  retentionDays: number;
  container: ContainerDefinition;
  /** Destroy: the service that must be gone first. */
  clusterName: string | undefined;
  serviceName: string;
}

export const taskDefinitionResource: Resource<TaskDefinitionConfig> = {
  name: "ecs-service-task-definition",
  after: [],
  summary: "log group and Fargate task definition of the web service",
  reads: [
    "PROJECT_NAME",
    "AWS_REGION",
    "ECR_REPOSITORY_URI",
    "ECS_TASK_EXECUTION_ROLE_ARN",
    "ECS_TASK_ROLE_ARN",
    "DB_SECRET_ARN",
    "DB_SECRET_NAME",
    "DATABASE_NAME",
  ],
  optional: [
    "ENVIRONMENT",
    "IMAGE_TAG",
    "TASK_CPU",
    "TASK_MEMORY",
    "CONTAINER_PORT",
    "HEALTH_CHECK_PATH",
    "DJANGO_SETTINGS_MODULE",
    "GUNICORN_WORKERS",
    "LOG_RETENTION_DAYS",
    "CONTAINER_DEFINITION_FILE",
    "ECS_CLUSTER_NAME",
  ],
  records: [
    "ECS_SERVICE_TASK_DEFINITION_FAMILY",
    "ECS_SERVICE_TASK_DEFINITION_ARN",
    "ECS_SERVICE_TASK_DEFINITION_REVISION",
    "ECS_SERVICE_LOG_GROUP",
  ],
  config: taskDefinitionConfig,
  plan: (c) => [
    `log group ${c.logGroup}, ${c.retentionDays}-day retention`,
    `task definition ${c.family}: Fargate, ${Number(c.cpu) / 1024} vCPU, ${c.memory} MiB, container ${c.container.name} from ${c.container.image}; a new revision only when it differs from the latest`,
  ],
  load: () => import("./actions.js"),
};

export function taskDefinitionConfig(env: EnvReader, action: Action): TaskDefinitionConfig {
  const input = readInputs(env, "ecs-service-task-definition");
  const project = input.need("PROJECT_NAME");
  const environment = input.need("ENVIRONMENT");
  const family = `${project}-service-task`;
  const logGroup = `/ecs/${project}-service`;
  const clusterName = input.maybe("ECS_CLUSTER_NAME");
  const serviceName = input.need("ECS_SERVICE_NAME");
  const retention = input.need("LOG_RETENTION_DAYS");
  const identity = {
    project,
    environment,
    family,
    logGroup,
    retentionDays: Number(retention),
    clusterName,
    serviceName,
  };
  if (action === "destroy") {
    input.done();
    // Destroy finds the family by name and the revisions by listing: it needs none of the container's inputs.
    return {
      ...identity,
      cpu: "",
      memory: "",
      executionRoleArn: "",
      taskRoleArn: "",
      container: { name: "web", image: "" },
    };
  }
  const cpu = input.need("TASK_CPU");
  const memory = input.need("TASK_MEMORY");
  const region = input.need("AWS_REGION");
  const repository = input.need("ECR_REPOSITORY_URI");
  const tag = input.need("IMAGE_TAG");
  const executionRoleArn = input.need("ECS_TASK_EXECUTION_ROLE_ARN");
  const taskRoleArn = input.need("ECS_TASK_ROLE_ARN");
  const secretArn = input.need("DB_SECRET_ARN");
  const secretName = input.need("DB_SECRET_NAME");
  const databaseName = input.need("DATABASE_NAME");
  const containerPort = Number(input.need("CONTAINER_PORT"));
  const healthCheckPath = input.need("HEALTH_CHECK_PATH");
  const settingsModule = input.need("DJANGO_SETTINGS_MODULE");
  const workers = Number(input.need("GUNICORN_WORKERS"));
  const file = input.maybe("CONTAINER_DEFINITION_FILE");
  input.done();
  if (!FARGATE_MEMORY[cpu]?.(Number(memory))) {
    throw new InputError(
      `TASK_CPU=${cpu} with TASK_MEMORY=${memory} is not a Fargate size`,
      "0.25 vCPU (256): 512-2048 MiB; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720, in 1024 steps",
    );
  }
  const image = `${repository}:${tag}`;
  const logs = { group: logGroup, region };
  const container = file
    ? containerFromFile(file, { image, logs, containerPort })
    : buildContainer({
        image,
        containerPort,
        healthCheckPath,
        settingsModule,
        databaseName,
        region,
        secretName,
        secretArn,
        workers,
        logs,
      });
  return { ...identity, cpu, memory, executionRoleArn, taskRoleArn, container };
}

/** A user whose app is not the seed's brings their container definition; we fill in the image and the logs. */
function containerFromFile(
  path: string,
  defaults: { image: string; logs: { group: string; region: string }; containerPort: number },
) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new InputError(`CONTAINER_DEFINITION_FILE ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`CONTAINER_DEFINITION_FILE ${path}: not a JSON object (one container definition)`);
  }
  const c = parsed as ContainerDefinition;
  if (c.name !== undefined && c.name !== "web")
    throw new InputError(
      `CONTAINER_DEFINITION_FILE ${path}: the container must be named "web" (the service routes to it)`,
    );
  if (!(c.portMappings ?? []).some((p) => p.containerPort === defaults.containerPort)) {
    throw new InputError(
      `CONTAINER_DEFINITION_FILE ${path}: no portMappings entry for CONTAINER_PORT ${defaults.containerPort}`,
    );
  }
  return {
    ...c,
    name: "web",
    image: c.image ?? defaults.image,
    logConfiguration: c.logConfiguration ?? {
      logDriver: "awslogs" as const,
      options: {
        "awslogs-group": defaults.logs.group,
        "awslogs-region": defaults.logs.region,
        "awslogs-stream-prefix": "web",
      },
    },
  };
}
