// The `ecs-autoscaling` resource: the service's desired count as a scalable target (min and max tasks) and two
// target tracking policies, on average CPU and on average memory. Once the target exists it owns the desired count:
// Application Auto Scaling moves it within [min, max], and `ecs-service` sets it only when it makes the service.
// Its inputs and the AWS objects it wants, with no SDK import.
import { InputError } from "../../core/errors.js";
import { type EnvReader, readInputs } from "../../core/inputs.js";
import type { DesiredObject } from "../../state/model.js";
import type { StackIdentity } from "../common/tags.js";
import type { Action, Resource } from "../resource.js";
import {
  NOT_SUSPENDED,
  type ScalableTargetInput,
  type ScalingPolicyInput,
  scalableTargetFields,
  scalingPolicyFields,
} from "./inputs.js";

export const NAMESPACE = "ecs";
export const DIMENSION = "ecs:service:DesiredCount";

export interface AutoScalingConfig extends StackIdentity {
  cluster: string;
  serviceName: string;
  /** "service/<cluster>/<service>": how Application Auto Scaling names an ECS service. */
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
  summary: "scalable target of the service's task count, target tracking on average CPU and memory",
  after: ["ecs-service"],
  // The capacities are inputs (with the scripts' 1 and 4 as defaults), not records: destroy must not forget them.
  records: ["AUTOSCALING_CPU_POLICY", "AUTOSCALING_MEMORY_POLICY"],
  config: autoScalingConfig,
  desired: autoScalingDesired,
  load: async () => (await import("./model.js")).autoScalingModel,
};

export function autoScalingConfig(env: EnvReader, _action: Action): AutoScalingConfig {
  const input = readInputs(env, "ecs-autoscaling");
  const project = input.need("PROJECT_NAME");
  const environment = input.need("ENVIRONMENT");
  const cluster = input.need("ECS_CLUSTER_NAME");
  const serviceName = input.need("ECS_SERVICE_NAME");
  const min = Number(input.need("AUTOSCALING_MIN_CAPACITY"));
  const max = Number(input.need("AUTOSCALING_MAX_CAPACITY"));
  const config: AutoScalingConfig = {
    project,
    environment,
    cluster,
    serviceName,
    resourceId: `service/${cluster}/${serviceName}`,
    min,
    max,
    cpuTarget: Number(input.need("AUTOSCALING_CPU_TARGET")),
    memoryTarget: Number(input.need("AUTOSCALING_MEMORY_TARGET")),
    scaleOutCooldown: Number(input.need("AUTOSCALING_SCALE_OUT_COOLDOWN")),
    scaleInCooldown: Number(input.need("AUTOSCALING_SCALE_IN_COOLDOWN")),
    cpuPolicy: `${project}-cpu-scaling`,
    memoryPolicy: `${project}-memory-scaling`,
  };
  input.done();
  if (min > max) throw new InputError(`AUTOSCALING_MIN_CAPACITY=${min} is above AUTOSCALING_MAX_CAPACITY=${max}`);
  return config;
}

export const POLICY_METRICS = {
  cpu: "ECSServiceAverageCPUUtilization",
  memory: "ECSServiceAverageMemoryUtilization",
} as const;

export type PolicyKind = keyof typeof POLICY_METRICS;

export function autoScalingDesired(c: AutoScalingConfig): DesiredObject[] {
  const policy = (kind: PolicyKind, name: string, target: number): DesiredObject => {
    const input: ScalingPolicyInput = {
      PolicyName: name,
      ServiceNamespace: NAMESPACE,
      ResourceId: c.resourceId,
      ScalableDimension: DIMENSION,
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: target,
        PredefinedMetricSpecification: { PredefinedMetricType: POLICY_METRICS[kind] },
        ScaleOutCooldown: c.scaleOutCooldown,
        ScaleInCooldown: c.scaleInCooldown,
        DisableScaleIn: false,
      },
    };
    return { key: `policy:${kind}`, kind: "scaling policy", name, input, fields: scalingPolicyFields(input) };
  };
  const target: ScalableTargetInput = {
    ServiceNamespace: NAMESPACE,
    ResourceId: c.resourceId,
    ScalableDimension: DIMENSION,
    MinCapacity: c.min,
    MaxCapacity: c.max,
    SuspendedState: NOT_SUSPENDED,
  };
  return [
    {
      key: "scalable-target",
      kind: "scalable target",
      name: c.resourceId,
      input: target,
      fields: scalableTargetFields(target),
    },
    policy("cpu", c.cpuPolicy, c.cpuTarget),
    policy("memory", c.memoryPolicy, c.memoryTarget),
  ];
}
