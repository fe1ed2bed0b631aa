// Application Auto Scaling as `infra` uses it: ECS services' desired counts as scalable targets, and target tracking
// policies on them (autoscaling-policies.ts). Behaviours from docs/aws-behaviours.md, "Application Auto Scaling" and
// "CloudWatch": RegisterScalableTarget is create-or-update and needs an ACTIVE ECS service ("ECS service doesn't
// exist"); a registered target brings the desired count into [min, max] at once; DeregisterScalableTarget also
// deletes the target's policies (and so their alarms); ObjectNotFoundException when there is nothing to deregister.
// What scaling did is kept as activities (autoscaling-activities.ts).
import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  ListTagsForResourceCommand,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type RegisterScalableTargetRequest,
  ResourceNotFoundException,
  type ScalableTarget,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { Activities } from "./autoscaling-activities.js";
import { badToken, checkNamespace, Policies, validation, where } from "./autoscaling-policies.js";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { CLUSTER } from "./ecs.js";
import { hexId } from "./ecs-state.js";
import { modeled } from "./errors.js";
import { byName, page } from "./shared.js";

export { policyArn, TARGET_VALUE_LIMIT } from "./autoscaling-policies.js";

export const DIMENSION = "ecs:service:DesiredCount";
export const TARGET_PREFIX = `arn:aws:application-autoscaling:us-east-1:${ACCOUNT}:scalable-target/`;
/** The service-linked role Application Auto Scaling uses for ECS. */
export const ECS_SCALING_ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`;

export interface TargetRecord extends ScalableTarget {
  tags: Record<string, string>;
}

export class AutoScalingModel {
  readonly name = "ApplicationAutoScaling";
  readonly client = ApplicationAutoScalingClient;
  /** ResourceId ("service/<cluster>/<service>") -> registered target. */
  readonly targets = new Map<string, TargetRecord>();
  readonly policyStore: Policies;
  /** Tests call activities.scale(...) where a policy's alarm would fire. */
  readonly activities: Activities;
  /**
   * AWS deletes a target's policies when the target is deregistered, and a policy's alarms with the policy. A test
   * sets this false to model an endpoint that does neither (docs/endpoints/moto.md: moto keeps a deregistered
   * target's policies): what it was not asked to delete stays.
   */
  cascades = true;

  constructor(readonly fake: Fake) {
    this.policyStore = new Policies(this);
    this.activities = new Activities(this);
  }

  readonly handlers: ServiceModel["handlers"] = [
    [RegisterScalableTargetCommand, (i) => this.register(i)],
    [DescribeScalableTargetsCommand, (i) => this.describeTargets(i)],
    [DeregisterScalableTargetCommand, (i) => this.deregister(i)],
    [PutScalingPolicyCommand, (i) => this.policyStore.put(i)],
    [DescribeScalingPoliciesCommand, (i) => this.policyStore.describe(i)],
    [DeleteScalingPolicyCommand, (i) => this.policyStore.delete(i)],
    [DescribeScalingActivitiesCommand, (i) => this.activities.describe(i)],
    [TagResourceCommand, (i) => this.tagResource(i)],
    [UntagResourceCommand, (i) => this.untagResource(i)],
    [ListTagsForResourceCommand, (i) => ({ Tags: { ...this.byArn(i.ResourceARN).tags } })],
  ];

  /** PolicyARN -> policy. */
  get policies() {
    return this.policyStore.all;
  }

  policyNamed(name: string, resourceId?: string) {
    return [...this.policies.values()].find(
      (p) => p.PolicyName === name && (resourceId === undefined || p.ResourceId === resourceId),
    );
  }

  /** The registered target of a request, or ObjectNotFoundException worded as `missing` says. */
  target(input: { ServiceNamespace?: string; ResourceId?: string; ScalableDimension?: string }, missing: string) {
    checkNamespace(input.ServiceNamespace);
    const t = this.targets.get(input.ResourceId ?? "");
    if (!t || t.ScalableDimension !== input.ScalableDimension)
      throw modeled(ObjectNotFoundException, `${missing} ${where(input)}`);
    return t;
  }

  private register(input: RegisterScalableTargetRequest) {
    checkNamespace(input.ServiceNamespace);
    const resourceId = input.ResourceId ?? "";
    const match = /^service\/([^/]+)\/([^/]+)$/.exec(resourceId);
    if (!match || input.ScalableDimension !== DIMENSION)
      throw validation("Unsupported service namespace, resource type or scalable dimension");
    for (const [field, value] of [
      ["minCapacity", input.MinCapacity],
      ["maxCapacity", input.MaxCapacity],
    ] as const)
      if (value !== undefined && value < 0)
        throw validation(
          `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to 0`,
        );
    const [, cluster, serviceName] = match as unknown as [string, string, string];
    const svc = this.fake.ecs.serviceNamed(serviceName);
    if (!svc || cluster !== CLUSTER || !svc.clusterArn.endsWith(`/${cluster}`) || svc.status !== "ACTIVE")
      throw validation(`ECS service doesn't exist: ${resourceId}`);
    const existing = this.targets.get(resourceId);
    const min = input.MinCapacity ?? existing?.MinCapacity;
    const max = input.MaxCapacity ?? existing?.MaxCapacity;
    if (min === undefined || max === undefined)
      throw validation("MinCapacity and MaxCapacity are required when registering a new scalable target");
    if (min > max) throw validation("Maximum capacity cannot be less than minimum capacity");
    const target: TargetRecord = existing ?? {
      ServiceNamespace: "ecs",
      ResourceId: resourceId,
      ScalableDimension: DIMENSION,
      MinCapacity: min,
      MaxCapacity: max,
      RoleARN: ECS_SCALING_ROLE,
      CreationTime: new Date(this.fake.clock.now()),
      SuspendedState: {
        DynamicScalingInSuspended: false,
        DynamicScalingOutSuspended: false,
        ScheduledScalingSuspended: false,
      },
      ScalableTargetARN: `${TARGET_PREFIX}${hexId(`${resourceId} ${this.fake.clock.now()}`, 36)}`,
      // Tags count only at creation: an update ignores them (AWS: use TagResource).
      tags: { ...input.Tags },
    };
    target.MinCapacity = min;
    target.MaxCapacity = max;
    if (input.SuspendedState) target.SuspendedState = { ...target.SuspendedState, ...input.SuspendedState };
    this.targets.set(resourceId, target);
    // Outside the new range, Application Auto Scaling moves the desired count to the nearest bound.
    const clamped = Math.min(Math.max(svc.desiredCount, min), max);
    if (clamped !== svc.desiredCount) {
      this.fake.ecs.setDesired(serviceName, clamped);
      this.activities.record(resourceId, clamped, `the scalable target's capacity range became ${min}-${max}`);
    }
    return { ScalableTargetARN: target.ScalableTargetARN };
  }

  private describeTargets(input: {
    ServiceNamespace?: string;
    ResourceIds?: string[];
    ScalableDimension?: string;
    MaxResults?: number;
    NextToken?: string;
  }) {
    checkNamespace(input.ServiceNamespace);
    const max = input.MaxResults ?? 50;
    if (!Number.isInteger(max) || max < 1 || max > 50) throw validation("MaxResults must be between 1 and 50");
    const all = [...this.targets.values()]
      .filter((t) => !input.ResourceIds?.length || input.ResourceIds.includes(t.ResourceId as string))
      .filter((t) => input.ScalableDimension === undefined || t.ScalableDimension === input.ScalableDimension)
      .sort(byName((t) => t.ResourceId as string));
    const p = page(all, input.NextToken, max, badToken);
    return {
      ScalableTargets: p.items.map(({ tags: _, ...t }) => t),
      ...(p.next ? { NextToken: p.next } : {}),
    };
  }

  private deregister(input: { ServiceNamespace?: string; ResourceId?: string; ScalableDimension?: string }) {
    const t = this.target(input, "No scalable target found for");
    if (this.cascades)
      for (const p of [...this.policies.values()].filter((p) => p.ResourceId === t.ResourceId))
        this.policyStore.remove(p);
    this.targets.delete(t.ResourceId as string);
    return {};
  }

  private byArn(arn: string | undefined): TargetRecord {
    const t = [...this.targets.values()].find((x) => x.ScalableTargetARN === arn);
    if (!t) throw modeled(ResourceNotFoundException, `Scalable target with ARN ${arn} not found`);
    return t;
  }

  private tagResource(input: { ResourceARN?: string; Tags?: Record<string, string> }) {
    const t = this.byArn(input.ResourceARN);
    t.tags = { ...t.tags, ...input.Tags };
    return {};
  }

  private untagResource(input: { ResourceARN?: string; TagKeys?: string[] }) {
    const t = this.byArn(input.ResourceARN);
    for (const k of input.TagKeys ?? []) delete t.tags[k];
    return {};
  }
}
