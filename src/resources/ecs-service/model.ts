// The `ecs-service` resource's model: how it observes the service, its handlers, what it records, which values
// belong to another owner once the service exists, and the checks that are not state: the tasks running as many as
// wanted, their targets healthy, and whether ECS Exec (a shell into the containers) is on where it should be.

import type { Service } from "@aws-sdk/client-ecs";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";
import { optional } from "../../core/unsupported.js";
import type { Observation } from "../../state/model.js";
import { isPending } from "../../state/model.js";
import { serviceTasks } from "../common/ecs-tasks.js";
import { failedDeployment } from "../common/failed-deployment.js";
import { checklist, type ResourceModel } from "../resource.js";
import type { ServiceConfig } from "./config.js";
import { reportTargetHealth } from "./deployment.js";
import { observeService, type ServiceRaw } from "./observe.js";
import { serviceHandlers } from "./service.js";

const RESOURCE = "ecs-service";

export const serviceModel: ResourceModel<ServiceConfig> = {
  observe: observeService,
  handlers: { service: serviceHandlers },
  settle(c, observation) {
    const raw = observation.get("service")?.raw as ServiceRaw | undefined;
    if (!raw) return c;
    // The count is set at creation only; then it is whoever scales the service's. The revision is the recorded one
    // only when that is a definition change to roll out: what a deploy or a rollback chose stays. A revision the
    // task definition step makes in this run is not known yet: the service moves to it, "known after" that step.
    const revision = isPending(c.taskDefinitionArn) ? c.taskDefinitionArn : (raw.revision ?? c.taskDefinitionArn);
    return {
      ...c,
      desiredCount: undefined,
      taskDefinitionArn: revision,
      deploymentFailed: failedDeployment(raw.service) !== undefined,
    };
  },
  recorded(objects, c) {
    const svc = objects.get("service");
    return { ECS_SERVICE_NAME: svc ? c.serviceName : "", ECS_SERVICE_ARN: svc?.id ?? "" };
  },
  checks: serviceChecks,
};

async function serviceChecks(ctx: Context, c: ServiceConfig, objects: Observation) {
  const { checks, check, skip } = checklist(RESOURCE);
  const svc = (objects.get("service")?.raw as ServiceRaw | undefined)?.service;
  if (!svc) {
    skip("tasks and targets", `service ${c.serviceName} does not exist`);
    return checks;
  }
  check("running == desired", svc.runningCount === svc.desiredCount, `${svc.runningCount}/${svc.desiredCount} running`);
  const targetGroup = svc.loadBalancers?.[0]?.targetGroupArn;
  if (targetGroup) {
    const elbv2 = await ctx.aws.elbv2();
    const described = await reportTargetHealth(ctx.events.for(RESOURCE), elbv2, targetGroup);
    // Draining targets are tasks on their way out (a deployment's old ones): they are not the service's health.
    const targets = described?.filter((t) => t.TargetHealth?.State !== "draining");
    const healthy = targets?.filter((t) => t.TargetHealth?.State === "healthy").length ?? 0;
    if (!targets)
      check(
        "targets healthy",
        false,
        `the service's load balancer names target group ${targetGroup}, which no longer exists: its tasks serve nothing; \`infra create alb ecs-service\` moves it to the stack's target group`,
      );
    else
      check(
        "targets healthy",
        healthy > 0 && healthy === targets.length,
        targets.length
          ? `${healthy}/${targets.length} healthy`
          : `no target registered in the target group (${svc.runningCount ?? 0} tasks running)`,
      );
  } else skip("targets healthy", "the service is behind no target group");
  const exec = await awsStep("read tasks", c.serviceName, () => optional(ctx, TASKS_READ, () => execOnTasks(ctx, svc)));
  if (exec === undefined && ctx.aws.unsupported.has(TASKS_READ.operation)) {
    skip("ECS Exec on the running tasks", "this endpoint cannot list the service's tasks");
    return checks;
  }
  if (!exec) {
    skip("ECS Exec on the running tasks", `service ${c.serviceName} no longer exists`);
    return checks;
  }
  const want = c.executeCommand;
  const off = exec.filter((on) => on !== want).length;
  check(
    `ECS Exec ${want ? "enabled" : "disabled"} on the running tasks (ECS_ENABLE_EXECUTE_COMMAND=${want})`,
    off === 0,
    `${exec.length - off}/${exec.length} tasks${want ? ": anyone allowed ecs:ExecuteCommand can open a shell in them" : ""}`,
  );
  return checks;
}

/** A posture read: without it, the ECS Exec check is skipped. */
const TASKS_READ = {
  resource: RESOURCE,
  operation: "ecs ListTasks, DescribeTasks",
  without: "ECS Exec on the running tasks is not checked",
};

/**
 * Whether each running task of the service was started with ECS Exec: a task keeps what it started with.
 * Undefined when the service (or its cluster) was deleted since it was observed.
 */
async function execOnTasks(ctx: Context, svc: Service): Promise<boolean[] | undefined> {
  const ecs = await ctx.aws.ecs();
  try {
    const tasks = await serviceTasks(ecs, svc.clusterArn as string, svc.serviceName as string, "RUNNING");
    return tasks.map((t) => t.enableExecuteCommand === true);
  } catch (err) {
    if (isAwsError(err, "ServiceNotFoundException", "ClusterNotFoundException")) return undefined;
    throw err;
  }
}
