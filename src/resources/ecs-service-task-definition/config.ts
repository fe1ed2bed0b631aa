// The `ecs-service-task-definition` resource: the log group and the Fargate task definition of the web service.
// Its inputs and the AWS objects it wants, with no SDK import, so validating inputs and planning cost nothing.
// The image is the one exception to "the inputs say what is wanted": once the service runs, the image belongs to
// `deploy`, and the wanted definition takes the image the service runs (model.ts settles it from what exists).
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { InputError } from "../../core/errors.js";
import { type EnvReader, readInputs } from "../../core/inputs.js";
import type { DesiredObject } from "../../state/model.js";
import type { StackIdentity } from "../common/tags.js";
import { definitionFields, WEB } from "../common/task-definition.js";
import type { Action, Resource } from "../resource.js";
import { buildContainer, containerFromFile } from "./container.js";

/** The memory (MiB) one Fargate cpu size takes, and how to say it. */
interface FargateMemory {
  takes: (mib: number) => boolean;
  says: string;
}

const steps = (from: number, to: number, step: number): FargateMemory => ({
  takes: (m) => m >= from && m <= to && (m - from) % step === 0,
  says: `${from} to ${to} MiB in steps of ${step}`,
});

/** Fargate's cpu units -> the memory each takes (docs/aws-behaviours.md, "ECS", "Fargate's sizes"). */
const FARGATE_MEMORY: Record<string, FargateMemory> = {
  "256": { takes: (m) => [512, 1024, 2048].includes(m), says: "512, 1024 or 2048 MiB" },
  "512": steps(1024, 4096, 1024),
  "1024": steps(2048, 8192, 1024),
  "2048": steps(4096, 16384, 1024),
  "4096": steps(8192, 30720, 1024),
  "8192": steps(16384, 61440, 4096),
  "16384": steps(32768, 122880, 8192),
};

/** TASK_CPU and TASK_MEMORY must be one of Fargate's pairs: AWS refuses any other at registration. */
function requireFargateSize(cpu: string, memory: string): void {
  const sizes = FARGATE_MEMORY[cpu];
  if (sizes?.takes(Number(memory))) return;
  const cpus = Object.keys(FARGATE_MEMORY);
  throw new InputError(
    `TASK_CPU=${cpu} with TASK_MEMORY=${memory} is not a Fargate size`,
    sizes
      ? `${cpu} cpu units take ${sizes.says}`
      : `Fargate's cpu sizes are ${cpus.slice(0, -1).join(", ")} and ${cpus.at(-1)} units (1024 = 1 vCPU)`,
  );
}

export type TaskDefinitionInput = Omit<RegisterTaskDefinitionCommandInput, "tags">;

export interface TaskDefinitionConfig extends StackIdentity {
  family: string;
  logGroup: string;
  retentionDays: number;
  /** The image the definition runs: the service's once it runs, else ECR_REPOSITORY_URI:IMAGE_TAG. */
  image: string;
  cpu: string;
  memory: string;
  executionRoleArn: string;
  taskRoleArn: string;
  /** The web container, but for its image (undefined for destroy, which needs none of it). */
  container: ContainerDefinition | undefined;
  /** Where to find the service that runs the family: for its image, and so destroy can refuse while it does. */
  clusterName: string | undefined;
  serviceName: string;
}

export const taskDefinitionResource: Resource<TaskDefinitionConfig> = {
  name: "ecs-service-task-definition",
  summary: "log group and Fargate task definition of the web service",
  after: [],
  records: [
    "ECS_SERVICE_TASK_DEFINITION_FAMILY",
    "ECS_SERVICE_TASK_DEFINITION_ARN",
    "ECS_SERVICE_TASK_DEFINITION_REVISION",
    "ECS_SERVICE_LOG_GROUP",
  ],
  config: taskDefinitionConfig,
  desired: taskDefinitionDesired,
  load: async () => (await import("./model.js")).taskDefinitionModel,
};

export function taskDefinitionConfig(env: EnvReader, action: Action): TaskDefinitionConfig {
  const input = readInputs(env, "ecs-service-task-definition");
  const project = input.need("PROJECT_NAME");
  const identity = {
    project,
    environment: input.need("ENVIRONMENT"),
    family: `${project}-service-task`,
    logGroup: `/ecs/${project}-service`,
    clusterName: input.maybe("ECS_CLUSTER_NAME"),
    serviceName: input.need("ECS_SERVICE_NAME"),
  };
  if (action === "destroy") {
    input.done();
    // Destroy finds the family and the log group by name: it needs none of the container's inputs.
    const none = { image: "", cpu: "", memory: "", executionRoleArn: "", taskRoleArn: "", container: undefined };
    return { ...identity, retentionDays: 0, ...none };
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
  const environmentDomain = input.need("ENVIRONMENT_DOMAIN");
  const containerPort = Number(input.need("CONTAINER_PORT"));
  const healthCheckPath = input.need("HEALTH_CHECK_PATH");
  const settingsModule = input.need("DJANGO_SETTINGS_MODULE");
  const workers = Number(input.need("GUNICORN_WORKERS"));
  const retentionDays = Number(input.need("LOG_RETENTION_DAYS"));
  const file = input.maybe("CONTAINER_DEFINITION_FILE");
  input.done();
  requireFargateSize(cpu, memory);
  const logs = { group: identity.logGroup, region };
  const image = `${repository}:${tag}`;
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
        environmentDomain,
        workers,
        logs,
      });
  return {
    ...identity,
    retentionDays,
    image: container.image ?? image,
    cpu,
    memory,
    executionRoleArn,
    taskRoleArn,
    container,
  };
}

/** What RegisterTaskDefinition is sent (the scripts' definition: no runtime platform, no volumes). */
export function definitionOf(c: TaskDefinitionConfig): TaskDefinitionInput {
  if (!c.container) throw new Error("the task definition's container is read for create, plan and verify only");
  return {
    family: c.family,
    taskRoleArn: c.taskRoleArn,
    executionRoleArn: c.executionRoleArn,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: c.cpu,
    memory: c.memory,
    containerDefinitions: [{ ...c.container, name: WEB, image: c.image }],
  };
}

/** What CreateLogGroup and PutRetentionPolicy are sent. */
export const logGroupInput = (c: TaskDefinitionConfig) => ({
  logGroupName: c.logGroup,
  retentionInDays: c.retentionDays,
});

/** The log group's fields, for the input and for what DescribeLogGroups answers alike. */
export const logGroupFields = (g: { retentionInDays?: number }) => ({
  retention: g.retentionInDays ? `${g.retentionInDays} days` : "never expire",
});

export function taskDefinitionDesired(c: TaskDefinitionConfig): DesiredObject[] {
  const definition = definitionOf(c);
  return [
    {
      key: "log-group",
      kind: "log group",
      name: c.logGroup,
      input: logGroupInput(c),
      fields: logGroupFields(logGroupInput(c)),
    },
    {
      key: "task-definition",
      kind: "task definition",
      name: c.family,
      versioned: true,
      input: definition,
      // Every field is changed by registering a new revision: nothing is changed in place, nothing replaced.
      fields: definitionFields(definition),
    },
  ];
}
