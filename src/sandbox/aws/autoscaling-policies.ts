// Target tracking scaling policies. PutScalingPolicy is create-or-update by name (the ARN stays); it needs a
// registered target ("No scalable target registered for ..."). A target tracking policy makes its own CloudWatch
// alarms, "TargetTracking-<resource id>-AlarmHigh-<uuid>" (3 of 3 minutes above the target) and "...-AlarmLow-
// <uuid>" (15 of 15 minutes below 90% of it; none when scale-in is disabled), made anew on each update and
// deleted with the policy (docs/aws-behaviours.md, "Application Auto Scaling": infra does not touch those).
import {
  type CustomizedMetricSpecification,
  InvalidNextTokenException,
  ObjectNotFoundException,
  type PutScalingPolicyRequest,
  type ScalingPolicy,
  type TargetTrackingScalingPolicyConfiguration,
  ValidationException,
} from "@aws-sdk/client-application-auto-scaling";
import type { ComparisonOperator, Dimension, PutMetricAlarmInput } from "@aws-sdk/client-cloudwatch";
import type { AutoScalingModel } from "./autoscaling.js";
import { ACCOUNT } from "./ec2.js";
import { uuid } from "./ecs-state.js";
import { modeled } from "./errors.js";
import { byName, page } from "./shared.js";

/** TargetValue must lie within +-2^360 (the API reference). */
export const TARGET_VALUE_LIMIT = 2 ** 360;
const ECS_METRICS = [
  "ECSServiceAverageCPUUtilization",
  "ECSServiceAverageMemoryUtilization",
  "ALBRequestCountPerTarget",
];
const LABEL = /^app\/[\w-]+\/[0-9a-f]+\/targetgroup\/[\w-]+\/[0-9a-f]+$/;
const MAX_COOLDOWN = 31_536_000;

export const policyArn = (id: string, resourceId: string, name: string) =>
  `arn:aws:autoscaling:us-east-1:${ACCOUNT}:scalingPolicy:${id}:resource/ecs/${resourceId}:policyName/${name}`;

export const validation = (message: string) => modeled(ValidationException, message);
export const badToken = () => modeled(InvalidNextTokenException, "Invalid NextToken");

/** Only ECS services are modeled: a fake that answers for other namespaces would hide a wrong request. */
export function checkNamespace(namespace: string | undefined): void {
  if (namespace !== "ecs")
    throw new Error(`the AWS fake models only the ecs namespace of Application Auto Scaling, not ${namespace}`);
}

export const where = (i: { ServiceNamespace?: string; ResourceId?: string; ScalableDimension?: string }) =>
  `service namespace: ${i.ServiceNamespace}, resource ID: ${i.ResourceId}, scalable dimension: ${i.ScalableDimension}`;

type Metric = Pick<PutMetricAlarmInput, "Namespace" | "MetricName" | "Dimensions" | "Statistic" | "Unit">;

export class Policies {
  /** PolicyARN -> policy. */
  readonly all = new Map<string, ScalingPolicy>();
  private made = 0;

  constructor(private readonly model: AutoScalingModel) {}

  private get cloudwatch() {
    return this.model.fake.cloudwatch;
  }

  private now = () => this.model.fake.clock.now();

  put(input: PutScalingPolicyRequest) {
    const target = this.model.target(input, "No scalable target registered for");
    const name = input.PolicyName ?? "";
    if (!/^\P{Cc}{1,256}$/u.test(name)) throw validation("PolicyName must be 1 to 256 printable characters");
    const type = input.PolicyType ?? "StepScaling"; // AWS's default
    const config = input.TargetTrackingScalingPolicyConfiguration;
    if (type === "StepScaling" && config)
      throw validation(
        "TargetTrackingScalingPolicyConfiguration can only be used with PolicyType TargetTrackingScaling",
      );
    if (type !== "TargetTrackingScaling") throw new Error(`the AWS fake does not model ${type} policies`);
    if (!config) throw validation("TargetTrackingScalingPolicyConfiguration is required for TargetTrackingScaling");
    const metric = this.metricOf(config, target.ResourceId as string);
    const existing = [...this.all.values()].find((p) => p.ResourceId === target.ResourceId && p.PolicyName === name);
    if (existing) this.remove(existing);
    const arn = existing?.PolicyARN ?? policyArn(this.id("policy"), target.ResourceId as string, name);
    const policy: ScalingPolicy = {
      PolicyARN: arn,
      PolicyName: name,
      ServiceNamespace: "ecs",
      ResourceId: target.ResourceId,
      ScalableDimension: target.ScalableDimension,
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: config,
      Alarms: this.makeAlarms(arn, target.ResourceId as string, config, metric),
      CreationTime: existing?.CreationTime ?? new Date(this.now()),
    };
    this.all.set(arn, policy);
    return { PolicyARN: arn, Alarms: policy.Alarms };
  }

  describe(input: {
    ServiceNamespace?: string;
    ResourceId?: string;
    ScalableDimension?: string;
    PolicyNames?: string[];
    MaxResults?: number;
    NextToken?: string;
  }) {
    checkNamespace(input.ServiceNamespace);
    if (input.ScalableDimension !== undefined && input.ResourceId === undefined)
      throw validation("ResourceId must be specified together with ScalableDimension");
    const max = input.MaxResults ?? 10;
    if (!Number.isInteger(max) || max < 1 || max > 10) throw validation("MaxResults must be between 1 and 10");
    const all = [...this.all.values()]
      .filter((p) => input.ResourceId === undefined || p.ResourceId === input.ResourceId)
      .filter((p) => input.ScalableDimension === undefined || p.ScalableDimension === input.ScalableDimension)
      .filter((p) => !input.PolicyNames?.length || input.PolicyNames.includes(p.PolicyName as string))
      .sort(byName((p) => `${p.ResourceId} ${p.PolicyName}`));
    const p = page(all, input.NextToken, max, badToken);
    return { ScalingPolicies: p.items, ...(p.next ? { NextToken: p.next } : {}) };
  }

  delete(input: { PolicyName?: string; ServiceNamespace?: string; ResourceId?: string; ScalableDimension?: string }) {
    checkNamespace(input.ServiceNamespace);
    const policy = [...this.all.values()].find(
      (p) =>
        p.PolicyName === input.PolicyName &&
        p.ResourceId === input.ResourceId &&
        p.ScalableDimension === input.ScalableDimension,
    );
    if (!policy)
      throw modeled(
        ObjectNotFoundException,
        `No scaling policy found for ${where(input)}, policy name: ${input.PolicyName}`,
      );
    this.remove(policy, this.model.cascades);
    return {};
  }

  /** The policy goes, and (unless the endpoint does not cascade) the alarms it made with it. */
  remove(policy: ScalingPolicy, withAlarms = true): void {
    if (withAlarms)
      this.cloudwatch.deleteAlarms({ AlarmNames: (policy.Alarms ?? []).map((a) => a.AlarmName as string) });
    this.all.delete(policy.PolicyARN as string);
  }

  private id(kind: string): string {
    this.made += 1;
    return uuid(`${kind} ${this.made} ${this.now()}`);
  }

  private metricOf(config: TargetTrackingScalingPolicyConfiguration, resourceId: string): Metric {
    const value = config.TargetValue;
    if (value === undefined || !Number.isFinite(value) || Math.abs(value) > TARGET_VALUE_LIMIT)
      throw validation(`TargetValue must be in the range of -2^360 to 2^360, got ${value}`);
    for (const [field, v] of [
      ["ScaleOutCooldown", config.ScaleOutCooldown],
      ["ScaleInCooldown", config.ScaleInCooldown],
    ] as const)
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > MAX_COOLDOWN))
        throw validation(`${field} must be between 0 and ${MAX_COOLDOWN}`);
    const predefined = config.PredefinedMetricSpecification;
    const custom = config.CustomizedMetricSpecification;
    if ((predefined === undefined) === (custom === undefined))
      throw validation("Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification is required");
    if (custom) return customMetric(custom);
    const type = predefined?.PredefinedMetricType ?? "";
    if (!ECS_METRICS.includes(type)) throw validation(`Unsupported predefined metric type ${type} for namespace ecs`);
    const [, cluster, service] = resourceId.split("/");
    const ecs: Dimension[] = [
      { Name: "ClusterName", Value: cluster },
      { Name: "ServiceName", Value: service },
    ];
    if (type === "ECSServiceAverageCPUUtilization")
      return {
        Namespace: "AWS/ECS",
        MetricName: "CPUUtilization",
        Dimensions: ecs,
        Statistic: "Average",
        Unit: "Percent",
      };
    if (type === "ECSServiceAverageMemoryUtilization")
      return {
        Namespace: "AWS/ECS",
        MetricName: "MemoryUtilization",
        Dimensions: ecs,
        Statistic: "Average",
        Unit: "Percent",
      };
    const label = predefined?.ResourceLabel;
    if (!label || !LABEL.test(label))
      throw validation(
        "ResourceLabel is required for ALBRequestCountPerTarget and must be app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id>",
      );
    const targetGroup = label.slice(label.indexOf("targetgroup/"));
    return {
      Namespace: "AWS/ApplicationELB",
      MetricName: "RequestCountPerTarget",
      Dimensions: [{ Name: "TargetGroup", Value: targetGroup }],
      Statistic: "Sum",
    };
  }

  private makeAlarms(
    arn: string,
    resourceId: string,
    config: TargetTrackingScalingPolicyConfiguration,
    metric: Metric,
  ) {
    const target = config.TargetValue as number;
    type Spec = { kind: string; op: ComparisonOperator; periods: number; threshold: number };
    const high: Spec = { kind: "AlarmHigh", op: "GreaterThanThreshold", periods: 3, threshold: target };
    // Scale-in waits longer, and below 90% of the target, so that the two alarms do not take turns.
    const low: Spec = { kind: "AlarmLow", op: "LessThanThreshold", periods: 15, threshold: ninetyPercent(target) };
    const alarms = config.DisableScaleIn ? [high] : [high, low];
    return alarms.map(({ kind, op, periods, threshold }) => {
      const name = `TargetTracking-${resourceId}-${kind}-${this.id("alarm")}`;
      this.cloudwatch.putMetricAlarm({
        AlarmName: name,
        AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${arn}.`,
        ActionsEnabled: true,
        AlarmActions: [arn],
        ...metric,
        Period: 60,
        EvaluationPeriods: periods,
        DatapointsToAlarm: periods,
        Threshold: threshold,
        ComparisonOperator: op,
      });
      return { AlarmName: name, AlarmARN: this.cloudwatch.alarms.get(name)?.AlarmArn };
    });
  }
}

/** 90% of the target as AWS shows it (63 for 70, not 63.00000000000001). */
const ninetyPercent = (target: number) => Number((target * 0.9).toPrecision(12));

function customMetric(custom: CustomizedMetricSpecification): Metric {
  if (custom.Metrics?.length) throw new Error("the AWS fake does not model metric math in target tracking policies");
  if (!custom.MetricName || !custom.Namespace || !custom.Statistic)
    throw validation("CustomizedMetricSpecification needs MetricName, Namespace and Statistic");
  return {
    Namespace: custom.Namespace,
    MetricName: custom.MetricName,
    Dimensions: (custom.Dimensions ?? []).map((d) => ({ Name: d.Name, Value: d.Value })),
    Statistic: custom.Statistic,
    ...(custom.Unit ? { Unit: custom.Unit as Metric["Unit"] } : {}),
  };
}
