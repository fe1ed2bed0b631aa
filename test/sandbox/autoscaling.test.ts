// The Application Auto Scaling fake behaves as AWS does (docs/aws-behaviours.md, "Application Auto Scaling" and
// "CloudWatch"): checked with real SDK clients against an ACTIVE ECS service of the fake.
import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  ListTagsForResourceCommand,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  type PutScalingPolicyRequest,
  RegisterScalableTargetCommand,
  type TargetTrackingScalingPolicyConfiguration,
  ValidationException,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { SUBNETS } from "../../src/sandbox/aws/ec2.js";
import { CLUSTER } from "../../src/sandbox/aws/ecs.js";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const aas = () => new ApplicationAutoScalingClient({ region: "us-east-1" });
const ecs = () => new ECSClient({ region: "us-east-1" });
const WEB = `service/${CLUSTER}/web`;
const DIMENSION = "ecs:service:DesiredCount";

/** An ACTIVE Fargate service in the fake's cluster. */
async function service(name = "web", desiredCount = 2) {
  await ecs().send(
    new RegisterTaskDefinitionCommand({
      family: name,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name, image: "nginx:1", portMappings: [{ containerPort: 8000 }] }],
    }),
  );
  await ecs().send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: name,
      taskDefinition: name,
      desiredCount,
      launchType: "FARGATE",
      networkConfiguration: { awsvpcConfiguration: { subnets: SUBNETS } },
    }),
  );
}

const register = (input: { ResourceId?: string; MinCapacity?: number; MaxCapacity?: number } = {}) =>
  aas().send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: DIMENSION,
      MinCapacity: 1,
      MaxCapacity: 4,
      ...input,
    }),
  );
const targets = async (input: { ResourceIds?: string[]; MaxResults?: number; NextToken?: string } = {}) =>
  aas().send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ...input }));

const cpu = (config: Partial<TargetTrackingScalingPolicyConfiguration> = {}) => ({
  TargetValue: 70,
  PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" as const },
  ScaleOutCooldown: 60,
  ScaleInCooldown: 300,
  ...config,
});
const putPolicy = (config = cpu(), input: Partial<PutScalingPolicyRequest> = {}) =>
  aas().send(
    new PutScalingPolicyCommand({
      PolicyName: "cpu",
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: DIMENSION,
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: config,
      ...input,
    }),
  );
const policies = async (input: { PolicyNames?: string[]; MaxResults?: number; NextToken?: string } = {}) =>
  aas().send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ...input }));
const alarmNames = () => [...fake.current.cloudwatch.alarms.keys()];
const key = { ServiceNamespace: "ecs" as const, ResourceId: WEB, ScalableDimension: DIMENSION } as const;

describe("Application Auto Scaling fake: scalable targets", () => {
  it("refuses a target for an ECS service that does not exist", async () => {
    const err = await register().catch((e) => e);
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toBe(`ECS service doesn't exist: ${WEB}`);
  });

  it("refuses a target for a service that is being deleted", async () => {
    await service();
    await ecs().send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web", force: true }));
    await expect(register()).rejects.toBeInstanceOf(ValidationException);
  });

  it("registers a target, and a second call updates only min and max", async () => {
    await service();
    const first = await register({ MinCapacity: 1, MaxCapacity: 4 });
    const created = (await targets()).ScalableTargets?.[0];
    expect(created).toMatchObject({
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: DIMENSION,
      MinCapacity: 1,
      MaxCapacity: 4,
      ScalableTargetARN: first.ScalableTargetARN,
      SuspendedState: { DynamicScalingInSuspended: false },
    });
    expect(created?.RoleARN).toContain("AWSServiceRoleForApplicationAutoScaling_ECSService");
    fake.current.clock.advance(60_000);
    const second = await register({ MinCapacity: 2, MaxCapacity: 6 });
    expect(second.ScalableTargetARN).toBe(first.ScalableTargetARN);
    expect((await targets()).ScalableTargets).toEqual([{ ...created, MinCapacity: 2, MaxCapacity: 6 }]);
  });

  it("keeps the tags of the first registration", async () => {
    await service();
    const { ScalableTargetARN } = await aas().send(
      new RegisterScalableTargetCommand({ ...key, MinCapacity: 1, MaxCapacity: 2, Tags: { ManagedBy: "infra" } }),
    );
    await aas().send(
      new RegisterScalableTargetCommand({ ...key, MinCapacity: 1, MaxCapacity: 3, Tags: { Other: "x" } }),
    );
    const tags = await aas().send(new ListTagsForResourceCommand({ ResourceARN: ScalableTargetARN }));
    expect(tags.Tags).toEqual({ ManagedBy: "infra" });
  });

  it("refuses a minimum above the maximum, a negative capacity, and a new target without both", async () => {
    await service();
    const above = await register({ MinCapacity: 5, MaxCapacity: 2 }).catch((e) => e);
    expect(above).toBeInstanceOf(ValidationException);
    expect(above.message).toBe("Maximum capacity cannot be less than minimum capacity");
    await expect(register({ MinCapacity: -1 })).rejects.toBeInstanceOf(ValidationException);
    const partial = aas().send(new RegisterScalableTargetCommand({ ...key, MaxCapacity: 3 }));
    await expect(partial).rejects.toBeInstanceOf(ValidationException);
    expect(fake.current.autoscaling.targets.size).toBe(0);
  });

  it("brings the service's desired count into the target's range", async () => {
    await service("web", 2);
    await register({ MinCapacity: 3, MaxCapacity: 5 });
    expect(fake.current.ecs.services.get("web")?.desiredCount).toBe(3);
    await register({ MinCapacity: 1, MaxCapacity: 1 });
    expect(fake.current.ecs.services.get("web")?.desiredCount).toBe(1);
  });

  it("describes targets by resource id, in pages", async () => {
    for (const name of ["web", "api", "worker"]) {
      await service(name);
      await register({ ResourceId: `service/${CLUSTER}/${name}` });
    }
    const first = await targets({ MaxResults: 2 });
    expect(first.ScalableTargets?.map((t) => t.ResourceId)).toEqual([
      `service/${CLUSTER}/api`,
      `service/${CLUSTER}/web`,
    ]);
    const second = await targets({ MaxResults: 2, NextToken: first.NextToken });
    expect(second.ScalableTargets?.map((t) => t.ResourceId)).toEqual([`service/${CLUSTER}/worker`]);
    expect(second.NextToken).toBeUndefined();
    expect((await targets({ ResourceIds: [WEB] })).ScalableTargets).toHaveLength(1);
    expect((await targets({ ResourceIds: [`service/${CLUSTER}/nope`] })).ScalableTargets).toEqual([]);
  });

  it("refuses to deregister a target that is not registered", async () => {
    const gone = aas().send(new DeregisterScalableTargetCommand(key));
    await expect(gone).rejects.toBeInstanceOf(ObjectNotFoundException);
  });

  it("deregistering a target deletes its policies and their alarms", async () => {
    await service();
    await register();
    await putPolicy();
    await putPolicy(
      cpu({ PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageMemoryUtilization" } }),
      {
        PolicyName: "memory",
      },
    );
    expect(alarmNames()).toHaveLength(4);
    await aas().send(new DeregisterScalableTargetCommand(key));
    expect((await policies()).ScalingPolicies).toEqual([]);
    expect(alarmNames()).toEqual([]);
    expect((await targets()).ScalableTargets).toEqual([]);
  });
});

describe("Application Auto Scaling fake: target tracking policies", () => {
  it("refuses a policy for a target that is not registered", async () => {
    await service();
    const err = await putPolicy().catch((e) => e);
    expect(err).toBeInstanceOf(ObjectNotFoundException);
    expect(err.message).toContain(`No scalable target registered for service namespace: ecs, resource ID: ${WEB}`);
  });

  it("target tracking policies make their own alarms", async () => {
    await service();
    await register();
    const { PolicyARN, Alarms } = await putPolicy();
    expect(PolicyARN).toMatch(
      new RegExp(
        `^arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:[0-9a-f-]{36}:resource/ecs/${WEB}:policyName/cpu$`,
      ),
    );
    expect(Alarms?.map((a) => a.AlarmName)).toEqual([
      expect.stringMatching(new RegExp(`^TargetTracking-${WEB}-AlarmHigh-[0-9a-f-]{36}$`)),
      expect.stringMatching(new RegExp(`^TargetTracking-${WEB}-AlarmLow-[0-9a-f-]{36}$`)),
    ]);
    const [high, low] = (Alarms ?? []).map((a) => fake.current.cloudwatch.alarms.get(a.AlarmName as string));
    expect(high).toMatchObject({
      AlarmArn: Alarms?.[0]?.AlarmARN,
      AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${PolicyARN}.`,
      AlarmActions: [PolicyARN],
      Namespace: "AWS/ECS",
      MetricName: "CPUUtilization",
      Dimensions: [
        { Name: "ClusterName", Value: CLUSTER },
        { Name: "ServiceName", Value: "web" },
      ],
      Statistic: "Average",
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 70,
      ComparisonOperator: "GreaterThanThreshold",
      StateValue: "INSUFFICIENT_DATA",
    });
    expect(low).toMatchObject({ EvaluationPeriods: 15, Threshold: 63, ComparisonOperator: "LessThanThreshold" });
    const [policy] = (await policies()).ScalingPolicies ?? [];
    expect(policy).toMatchObject({ PolicyARN, PolicyName: "cpu", PolicyType: "TargetTrackingScaling", Alarms });
    expect(policy?.TargetTrackingScalingPolicyConfiguration).toEqual(cpu());
  });

  it("updating a policy keeps its ARN and makes its alarms anew", async () => {
    await service();
    await register();
    const first = await putPolicy();
    const second = await putPolicy(cpu({ TargetValue: 50 }));
    expect(second.PolicyARN).toBe(first.PolicyARN);
    expect(alarmNames().sort()).toEqual(second.Alarms?.map((a) => a.AlarmName).sort());
    expect(second.Alarms?.map((a) => a.AlarmName)).not.toContain(first.Alarms?.[0]?.AlarmName);
    expect(fake.current.cloudwatch.alarms.get(second.Alarms?.[0]?.AlarmName as string)?.Threshold).toBe(50);
    expect((await policies()).ScalingPolicies).toHaveLength(1);
  });

  it("a policy that may not scale in has no low alarm", async () => {
    await service();
    await register();
    const { Alarms } = await putPolicy(cpu({ DisableScaleIn: true }));
    expect(Alarms?.map((a) => a.AlarmName)).toEqual([expect.stringContaining("-AlarmHigh-")]);
  });

  it("refuses a target value out of range", async () => {
    await service();
    await register();
    await expect(putPolicy(cpu({ TargetValue: 2 ** 361 }))).rejects.toBeInstanceOf(ValidationException);
    expect(fake.current.autoscaling.policies.size).toBe(0);
    expect(alarmNames()).toEqual([]);
  });

  it("ALBRequestCountPerTarget needs a resource label and watches its target group", async () => {
    await service();
    await register();
    const alb = { PredefinedMetricType: "ALBRequestCountPerTarget" as const };
    await expect(putPolicy(cpu({ PredefinedMetricSpecification: alb }))).rejects.toBeInstanceOf(ValidationException);
    const label = "app/web/50dc6c495c0c9188/targetgroup/web/943f017f100becff";
    const { Alarms } = await putPolicy(
      cpu({ TargetValue: 1000, PredefinedMetricSpecification: { ...alb, ResourceLabel: label } }),
    );
    expect(fake.current.cloudwatch.alarms.get(Alarms?.[0]?.AlarmName as string)).toMatchObject({
      Namespace: "AWS/ApplicationELB",
      MetricName: "RequestCountPerTarget",
      Dimensions: [{ Name: "TargetGroup", Value: "targetgroup/web/943f017f100becff" }],
      Statistic: "Sum",
    });
  });

  it("describes policies by name, ten a page", async () => {
    await service();
    await register();
    for (let i = 0; i < 12; i++) await putPolicy(cpu(), { PolicyName: `p${String(i).padStart(2, "0")}` });
    const first = await policies();
    expect(first.ScalingPolicies).toHaveLength(10);
    const second = await policies({ NextToken: first.NextToken });
    expect(second.ScalingPolicies?.map((p) => p.PolicyName)).toEqual(["p10", "p11"]);
    expect((await policies({ PolicyNames: ["p03"] })).ScalingPolicies?.map((p) => p.PolicyName)).toEqual(["p03"]);
  });

  it("deleting a policy deletes its alarms, and a second delete is ObjectNotFoundException", async () => {
    await service();
    await register();
    await putPolicy();
    await aas().send(new DeleteScalingPolicyCommand({ ...key, PolicyName: "cpu" }));
    expect(alarmNames()).toEqual([]);
    const again = aas().send(new DeleteScalingPolicyCommand({ ...key, PolicyName: "cpu" }));
    await expect(again).rejects.toBeInstanceOf(ObjectNotFoundException);
  });
});
