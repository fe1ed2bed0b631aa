// What the env file records can be gone or changed in AWS by the time `create ecs-service` runs. That is AWS's state,
// not the user's input: exit 3, naming the step, the resource and what AWS says of it, and creating no service.
import { DeregisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import {
  DeleteListenerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { TARGET_GROUP_IN_USE_AFTER_MS } from "../../src/sandbox/aws/elbv2.js";
import { contextFor, readText, runCli, useFake } from "../helpers.js";
import { ecs, FAMILY, taskDefinition, withAlb } from "./ecs-stack.js";

const recorded = (path: string, key: string) => readText(path).match(new RegExp(`^${key}="([^"]*)"`, "m"))?.[1];

describe("create ecs-service meets AWS state that is not what the env file says", () => {
  const fake = useFake();

  it("exits 3 when the recorded target group was deleted behind infra's back, and makes no service", async () => {
    // Given the task definition, and the ALB's target group deleted (its listeners first, as ELBv2 requires),
    const path = await withAlb(fake.current);
    await taskDefinition.create(await contextFor(fake.current, path));
    const elbv2 = new ElasticLoadBalancingV2Client({ region: "us-east-1" });
    const listeners = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: recorded(path, "ALB_ARN") }));
    for (const l of listeners.Listeners ?? [])
      await elbv2.send(new DeleteListenerCommand({ ListenerArn: l.ListenerArn }));
    await fake.current.clock.sleep(TARGET_GROUP_IN_USE_AFTER_MS); // ELBv2 lets go of the group a little later
    const targetGroup = recorded(path, "TARGET_GROUP_ARN") as string;
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: targetGroup }));

    // when the service is created, then it says which step met what, exit 3, and makes nothing.
    const result = await runCli(["create", "ecs-service", "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      `error: read target group ${targetGroup}: TargetGroupNotFound: the target group TARGET_GROUP_ARN records does not exist - run \`infra create alb -f ${path}\`: it makes the target group and records it`,
    );
    expect(fake.current.calls.filter((c) => c.op === "CreateService")).toEqual([]);
  });

  it("exits 3 when the recorded task definition revision was deregistered behind infra's back, and makes no service", async () => {
    // Given the task definition's revision deregistered after create recorded it,
    const path = await withAlb(fake.current);
    await taskDefinition.create(await contextFor(fake.current, path));
    await ecs().send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${FAMILY}:1` }));

    // when only the service is created, then it says the revision is INACTIVE in AWS, exit 3, and makes nothing.
    const result = await runCli(["create", "ecs-service", "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      `error: read task definition ${FAMILY}:1: it is INACTIVE in ECS, and ECS starts no service from it - run \`infra create ecs-service-task-definition -f ${path}\`: it registers an ACTIVE revision and records it`,
    );
    expect(fake.current.calls.filter((c) => c.op === "CreateService")).toEqual([]);
  });
});
