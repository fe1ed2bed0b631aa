// The `ecs-autoscaling` resource (seed step 6): the service's scalable target and two target tracking
// policies. No SDK import here.
import { InputError } from "../../core/errors.js";
import { type EnvReader, readInputs } from "../../core/inputs.js";
import type { Action, Resource } from "../resource.js";

export interface AutoScalingConfig {
  project: string;
  cluster: string;
  serviceName: string;
  resourceId: string;
  min: number;
  max: number;
  cpuTarget: number;
  memoryTarget: number;
  scaleOutCooldown: number;
  scaleInCooldown: number;
  cpuPolicy: string;
  memoryPolicy: string;
}

export const autoScalingResource: Resource<AutoScalingConfig> = {
  name: "ecs-autoscaling",
  after: ["ecs-service"],
  summary: "scalable target and CPU / memory target tracking policies of the ECS service",
  reads: ["PROJECT_NAME", "ECS_CLUSTER_NAME"],
  optional: [
    "ECS_SERVICE_NAME",
    "AUTOSCALING_MIN_CAPACITY",
    "AUTOSCALING_MAX_CAPACITY",
    "AUTOSCALING_CPU_TARGET",
    "AUTOSCALING_MEMORY_TARGET",
    "AUTOSCALING_SCALE_OUT_COOLDOWN",
    "AUTOSCALING_SCALE_IN_COOLDOWN",
  ],
  records: [
    "AUTOSCALING_MIN_CAPACITY",
    "AUTOSCALING_MAX_CAPACITY",
    "AUTOSCALING_CPU_POLICY",
    "AUTOSCALING_MEMORY_POLICY",
  ],
  config: autoScalingConfig,
  plan: (c) => [
    `scalable target ${c.resourceId}: ${c.min} to ${c.max} tasks`,
    `target tracking ${c.cpuPolicy}: average CPU ${c.cpuTarget} %, and ${c.memoryPolicy}: average memory ${c.memoryTarget} %; scale out after ${c.scaleOutCooldown} s, in after ${c.scaleInCooldown} s`,
  ],
  load: () => import("./actions.js"),
};

export function autoScalingConfig(env: EnvReader, _action: Action): AutoScalingConfig {
  const input = readInputs(env, "ecs-autoscaling");
  const project = input.need("PROJECT_NAME");
  const cluster = input.need("ECS_CLUSTER_NAME");
  const serviceName = input.need("ECS_SERVICE_NAME");
  const min = Number(input.need("AUTOSCALING_MIN_CAPACITY"));
  const max = Number(input.need("AUTOSCALING_MAX_CAPACITY"));
  const cpuTarget = Number(input.need("AUTOSCALING_CPU_TARGET"));
  const memoryTarget = Number(input.need("AUTOSCALING_MEMORY_TARGET"));
  const scaleOutCooldown = Number(input.need("AUTOSCALING_SCALE_OUT_COOLDOWN"));
  const scaleInCooldown = Number(input.need("AUTOSCALING_SCALE_IN_COOLDOWN"));
  input.done();
  if (min > max) throw new InputError(`AUTOSCALING_MIN_CAPACITY=${min} is above AUTOSCALING_MAX_CAPACITY=${max}`);
  return {
    project,
    cluster,
    serviceName,
    resourceId: `service/${cluster}/${serviceName}`,
    min,
    max,
    cpuTarget,
    memoryTarget,
    scaleOutCooldown,
    scaleInCooldown,
    cpuPolicy: `${project}-cpu-scaling`,
    memoryPolicy: `${project}-memory-scaling`,
  };
}
