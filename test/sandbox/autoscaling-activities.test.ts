// DescribeScalingActivities in the Application Auto Scaling fake, checked with the real SDK client: what a
// policy's alarm did to an ECS service's desired count, and what a new capacity range did.
import {
  ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
  RegisterScalableTargetCommand,
  ValidationException,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateServiceCommand,
  DescribeServicesCommand,
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
const DIMENSION = "ecs:service:DesiredCount" as const;
const CAUSE = "monitor alarm TargetTracking-web-AlarmHigh in state ALARM triggered policy web-cpu";

/** An ACTIVE service of 2 tasks, scalable from 1 to 4. */
async function scalableService() {
  await ecs().send(
    new RegisterTaskDefinitionCommand({
      family: "web",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "web", image: "nginx:1" }],
    }),
  );
  await ecs().send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: "web",
      taskDefinition: "web",
      desiredCount: 2,
      launchType: "FARGATE",
      networkConfiguration: { awsvpcConfiguration: { subnets: SUBNETS } },
    }),
  );
  await register(1, 4);
}

const register = (MinCapacity: number, MaxCapacity: number) =>
  aas().send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: DIMENSION,
      MinCapacity,
      MaxCapacity,
    }),
  );
const activities = (input: { ResourceId?: string; ScalableDimension?: typeof DIMENSION; MaxResults?: number } = {}) =>
  aas().send(new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ...input }));
const desired = async () =>
  (await ecs().send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["web"] }))).services?.[0]?.desiredCount;

describe("DescribeScalingActivities in the Application Auto Scaling fake", () => {
  it("shows each change a policy made, newest first, and the service's desired count follows", async () => {
    await scalableService();
    fake.current.autoscaling.activities.scale(WEB, 3, CAUSE);
    fake.current.clock.advance(60_000);
    fake.current.autoscaling.activities.scale(WEB, 9, CAUSE);

    const out = await activities({ ResourceId: WEB, ScalableDimension: DIMENSION });

    expect(out.ScalingActivities?.map((a) => [a.Description, a.StatusCode, a.Cause])).toEqual([
      ["Setting desired count to 4.", "Successful", CAUSE],
      ["Setting desired count to 3.", "Successful", CAUSE],
    ]);
    expect(await desired()).toBe(4); // kept within the maximum
  });

  it("records no activity when the count would not change", async () => {
    await scalableService();

    expect(fake.current.autoscaling.activities.scale(WEB, 2, CAUSE)).toBeUndefined();
    expect((await activities({ ResourceId: WEB })).ScalingActivities).toEqual([]);
  });

  it("records the move into range when a new minimum is above the desired count", async () => {
    await scalableService();

    await register(3, 4);

    expect((await activities({ ResourceId: WEB })).ScalingActivities?.map((a) => a.Description)).toEqual([
      "Setting desired count to 3.",
    ]);
    expect(await desired()).toBe(3);
  });

  it("refuses a scalable dimension without a resource id, and pages of more than 50", async () => {
    await expect(activities({ ScalableDimension: DIMENSION })).rejects.toBeInstanceOf(ValidationException);
    await expect(activities({ MaxResults: 51 })).rejects.toBeInstanceOf(ValidationException);
  });
});
