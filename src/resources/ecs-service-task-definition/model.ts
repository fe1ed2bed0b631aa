// The `ecs-service-task-definition` resource's model: how it observes what exists, the handlers of the log group and
// the task definition, what it records, the checks that are not state (secrets stay references), and the refusal
// to deregister a family a service still runs.
import type { Service } from "@aws-sdk/client-ecs";
import type { Context } from "../../core/context.js";
import { awsStep, ExitCode, InfraError } from "../../core/errors.js";
import type { Observation } from "../../state/model.js";
import { familyOf, revisionOf } from "../common/ecs.js";
import { clusterServices } from "../common/ecs-services.js";
import { requireSecrets } from "../common/secrets.js";
import { checklist, type ResourceModel } from "../resource.js";
import type { TaskDefinitionConfig } from "./config.js";
import { logGroupHandlers } from "./log-group.js";
import { observeTaskDefinition, runningImages } from "./observe.js";
import { taskDefinitionHandlers } from "./task-definition.js";

const RESOURCE = "ecs-service-task-definition";

export const taskDefinitionModel: ResourceModel<TaskDefinitionConfig> = {
  observe: observeTaskDefinition,
  handlers: { "log group": logGroupHandlers, "task definition": taskDefinitionHandlers },
  // Once the service runs, its image is `deploy`'s: create keeps it rather than going back to IMAGE_TAG.
  settle(c, observation) {
    const image = runningImages.get(observation);
    return image ? { ...c, image } : c;
  },
  recorded(objects, c) {
    const td = objects.get("task-definition");
    return {
      ECS_SERVICE_TASK_DEFINITION_FAMILY: td ? c.family : "",
      ECS_SERVICE_TASK_DEFINITION_ARN: td?.id ?? "",
      ECS_SERVICE_TASK_DEFINITION_REVISION: td ? String(revisionOf(td.id)) : "",
      ECS_SERVICE_LOG_GROUP: objects.has("log-group") ? c.logGroup : "",
    };
  },
  checks: secretChecks,
  // A new revision whose secret does not exist would register, and its tasks never start: as deploy checks. Only
  // when one registers: a revision kept as it is costs no call.
  async beforeCreate(ctx, c, changes) {
    const registers = changes.some(
      (ch) =>
        ch.action !== "delete" &&
        ch.desired.key === "task-definition" &&
        (ch.action === "create" || ("fields" in ch && ch.fields.length > 0)),
    );
    if (!c.container || !registers) return;
    const valueFroms = (c.container.secrets ?? []).map((s) => s.valueFrom ?? "");
    await requireSecrets(ctx, valueFroms, `task definition ${c.family}`);
  },
  beforeDestroy: refuseWhileRunning,
};

/** Posture: the database credentials reach the container as references, never as values in its environment. */
async function secretChecks(_ctx: Context, _c: TaskDefinitionConfig, objects: Observation) {
  const { checks, check } = checklist(RESOURCE);
  const td = objects.get("task-definition");
  if (!td) return checks;
  const secrets = (td.fields.secrets ?? []) as string[];
  const values = secrets.filter((s) => !/^[^=]+=arn:aws[a-z-]*:(secretsmanager|ssm):/.test(s));
  check(
    "secrets are Secrets Manager or SSM references",
    values.length === 0,
    values.map((s) => s.split("=")[0]).join(", "),
  );
  const leaked = ((td.fields.environment ?? []) as string[])
    .map((e) => e.split("=")[0] ?? "")
    .filter((name) => /PASSWORD|SECRET(?!_NAME)|TOKEN|PRIVATE_KEY/i.test(name));
  check("no secret value in environment variables", leaked.length === 0, leaked.join(", "));
  return checks;
}

/**
 * Deregistering the revisions a live service runs would leave it unable to replace its tasks: any ACTIVE service
 * of the cluster that runs this family stops the destroy before it changes anything, unless it is the stack's own
 * service and the same run destroys it first.
 */
async function refuseWhileRunning(ctx: Context, c: TaskDefinitionConfig) {
  if (!c.clusterName) return;
  const cluster = c.clusterName;
  const users = await awsStep("list services", cluster, async () => clusterServices(await ctx.aws.ecs(), cluster));
  // Within `destroy ecs-service ecs-service-task-definition` (or all), the stack's own service goes first.
  const going = (s: Service) => ctx.steps.has("ecs-service") && s.serviceName === c.serviceName;
  const running = users.filter((s) => s.status === "ACTIVE" && familyOf(s.taskDefinition) === c.family && !going(s));
  if (running.length === 0) return;
  throw new InfraError(
    `${running.map((u) => `service ${u.serviceName} (${u.status})`).join(", ")} still runs task definition ${c.family}`,
    ExitCode.input,
    running.some((u) => u.serviceName === c.serviceName)
      ? "run `infra destroy ecs-service` first"
      : "move or delete those services first",
  );
}
