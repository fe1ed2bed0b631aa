// Where a deployment in progress is, as the live block shows it: from the service's deployments and, once its
// tasks run, the health of the targets behind it.
import type { Deployment, Service } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { phase, withNames } from "../../src/resources/ecs-service/deployment.js";

const deployment = (id: string, running: number, desired: number, pending = 0): Deployment => ({
  id,
  runningCount: running,
  desiredCount: desired,
  pendingCount: pending,
});
const service = (...deployments: Deployment[]): Service => ({ deployments });

describe("a deployment's phase", () => {
  it("given tasks still launching, then it is starting, with how many are pending", () => {
    const d = deployment("new", 1, 2, 1);
    expect(phase(service(d), d)).toEqual({ name: "starting", text: "starting: 1/2 running, 1 pending" });
  });

  it("given the old revision still serving, then the new one is starting: ECS scales the old in once the new passes its checks", () => {
    const d = deployment("new", 2, 2);
    expect(phase(service(d, deployment("old", 2, 2)), d).name).toBe("starting");
  });

  it("given a first deployment whose tasks run but whose targets are still being checked, then it is starting, not healthy", () => {
    const d = deployment("first", 2, 2);
    expect(phase(service(d), d, { initial: 1, unhealthy: 1 })).toEqual({
      name: "starting",
      text: "starting: 2/2 running, targets 1 initial, 1 unhealthy",
    });
  });

  it("given a first deployment whose targets all pass, then it is healthy (ECS has yet to call it COMPLETED)", () => {
    const d = deployment("first", 2, 2);
    expect(phase(service(d), d, { healthy: 2 })).toEqual({ name: "healthy", text: "healthy: 2/2 running" });
  });

  it("given the old revision at 0 with its deployment still listed, then its tasks are draining", () => {
    const d = deployment("new", 2, 2);
    expect(phase(service(d, deployment("old", 0, 0)), d, { healthy: 2, draining: 2 }).name).toBe("draining");
  });
});

describe("a service event's line", () => {
  it("given ECS naming the target group by its ARN, then the line names it by its name, and keeps other ARNs whole", () => {
    const group = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/startupwebapp-tg/1a2b3c4d5e709919";
    const role = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole";

    expect(withNames(`(service startupwebapp-service) registered 1 targets in (target-group ${group})`)).toBe(
      "(service startupwebapp-service) registered 1 targets in (target-group startupwebapp-tg)",
    );
    expect(withNames(`unable to assume ${role}.`)).toBe(`unable to assume ${role}.`);
    expect(
      withNames(
        "(load balancer arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/startupwebapp-alb/50dc6c495c0c9188)",
      ),
    ).toBe("(load balancer startupwebapp-alb)");
  });
});
