// What verify and status say of an AWS object the stack uses that is gone (deleted behind infra's back): one FAIL
// line among all the other checks, never the end of the run; and destroy alb refuses to delete the target group
// the ECS service still registers its tasks in.
import { ServiceNotFoundException } from "@aws-sdk/client-ecs";
import {
  DeleteListenerCommand,
  DeleteTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { runCli, useFake } from "./helpers.js";
import { recorded, stack } from "./support/deploy-stack.js";

const STEPS = ["alb", "ecs-service-task-definition", "ecs-service"];

describe("a target group the ECS service names, gone from AWS", () => {
  const fake = useFake();

  /** The stack, then its listeners and target group deleted in the console, then `create alb` making them again. */
  async function serviceOnAGoneGroup() {
    const path = await stack(fake.current);
    const old = recorded(path, "TARGET_GROUP_ARN") as string;
    const elbv2 = new ElasticLoadBalancingV2Client({ region: "us-east-1" });
    for (const key of ["HTTP_LISTENER_ARN", "HTTPS_LISTENER_ARN"])
      await elbv2.send(new DeleteListenerCommand({ ListenerArn: recorded(path, key) }));
    // ELB refuses to delete a target group for a while after its last listener went (ResourceInUse).
    fake.current.clock.advance(60_000);
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: old }));
    const remade = await runCli(["create", "alb", "--yes", "--file", path], fake.current);
    expect(remade.code, remade.stderr).toBe(0);
    expect(recorded(path, "TARGET_GROUP_ARN")).not.toBe(old);
    return { path, old };
  }

  it("given the service's target group was deleted and alb made a new one, when verify runs, then the gone group is one FAIL line among every other check and it exits 1", async () => {
    const { path, old } = await serviceOnAGoneGroup();

    const result = await runCli(["verify", ...STEPS, "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/error:|TargetGroupNotFound/);
    expect(result.stdout).toContain(
      `[FAIL] ecs-service: targets healthy (the service's load balancer names target group ${old}, which no longer exists: its tasks serve nothing; \`infra create alb ecs-service\` moves it to the stack's target group)`,
    );
    // The rest of the stack is still checked: the ALB's objects, the task definition's posture, the tasks' ECS Exec.
    expect(result.stdout).toMatch(/^\[OK {2}\] alb: target group startupwebapp-tg/m);
    expect(result.stdout).toMatch(/^\[OK {2}\] ecs-service-task-definition: secrets are Secrets Manager or SSM/m);
    expect(result.stdout).toMatch(/^\[OK {2}\] ecs-service: ECS Exec enabled on the running tasks/m);
    expect(result.stdout).toMatch(
      /^\[FAIL\] ecs-service: service startupwebapp-service: target group \(targetgroup\/startupwebapp-tg\//m,
    );
  });

  it("given the same, when status runs, then the service's row names the gone group and status exits 0", async () => {
    const { path, old } = await serviceOnAGoneGroup();

    const result = await runCli(["status", "--json", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout).resources as { resource: string; healthy: boolean; problems: string[] }[];
    const service = rows.find((r) => r.resource === "ecs-service");
    expect(service?.healthy).toBe(false);
    expect(service?.problems).toContainEqual(expect.stringContaining(`target group ${old}, which no longer exists`));
    expect(rows.find((r) => r.resource === "alb")?.healthy).toBe(true);
  });

  it("given the same, when create ecs-service runs, then the service moves to the new group and verify passes", async () => {
    const { path } = await serviceOnAGoneGroup();

    const repaired = await runCli(["create", "ecs-service", "--yes", "--file", path], fake.current);

    expect(repaired.code, repaired.stderr).toBe(0);
    const verified = await runCli(["verify", ...STEPS, "--file", path], fake.current);
    expect(verified.stdout).not.toMatch(/^\[FAIL\]/m);
    expect(verified.code).toBe(0);
  });

  it("given the service is deleted between verify's read of it and its read of the tasks, when verify runs, then the ECS Exec check is skipped, not the end of the run", async () => {
    const path = await stack(fake.current);
    // What ListTasks answers for a service that no longer exists.
    fake.current.inject({
      op: "ListTasks",
      nth: 1,
      error: () => new ServiceNotFoundException({ message: "Service not found.", $metadata: {} }),
    });

    const result = await runCli(["verify", ...STEPS, "--file", path], fake.current);

    expect(result.stderr).not.toMatch(/error:/);
    expect(result.stdout).toMatch(
      /^\[SKIP\] ecs-service: ECS Exec on the running tasks \(service startupwebapp-service no longer exists\)$/m,
    );
    expect(result.stdout).toMatch(/^\[OK {2}\] ecs-service: targets healthy/m);
  });
});

describe("destroy alb while the ECS service registers its tasks in its target group", () => {
  const fake = useFake();

  it("given the stack's service uses the target group, when destroy alb runs, then it refuses with exit 2, names the service, and deletes nothing", async () => {
    const path = await stack(fake.current);
    const before = fake.current.calls.length;

    const result = await runCli(["destroy", "alb", "--yes", "--file", path], fake.current);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /error: target group startupwebapp-tg is the one ECS service startupwebapp-service registers its tasks in: .* - destroy the service first \(`infra destroy ecs-service -f \S+`\), or both at once \(`infra destroy ecs-service alb -f \S+`\)/,
    );
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(recorded(path, "TARGET_GROUP_ARN")).toMatch(/^arn:aws:elasticloadbalancing:/);
  });

  it("given the same, when destroy ecs-service alb runs, then the service goes first and then the load balancer, exit 0", async () => {
    const path = await stack(fake.current);

    const result = await runCli(["destroy", "ecs-service", "alb", "--yes", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(fake.current.ecs.serviceNamed("startupwebapp-service")?.status ?? "gone").not.toBe("ACTIVE");
    expect(recorded(path, "TARGET_GROUP_ARN")).toBe("");
  });

  it("given another service of the cluster uses the target group, when destroy ecs-service alb runs, then it refuses for that service", async () => {
    const path = await stack(fake.current);
    const group = recorded(path, "TARGET_GROUP_ARN") as string;
    const svc = fake.current.ecs.serviceNamed("startupwebapp-service");
    expect(svc).toBeDefined();
    const { CreateServiceCommand, ECSClient } = await import("@aws-sdk/client-ecs");
    await new ECSClient({ region: "us-east-1" }).send(
      new CreateServiceCommand({
        cluster: "startupwebapp-cluster",
        serviceName: "worker",
        taskDefinition: svc?.taskDefinition,
        desiredCount: 0,
        launchType: "FARGATE",
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ["subnet-0a0a0a0a0a0a0a0a0"], securityGroups: ["sg-0b0b0b0b0b0b0b0b0"] },
        },
        loadBalancers: [{ targetGroupArn: group, containerName: "web", containerPort: 8000 }],
      }),
    );

    const result = await runCli(["destroy", "ecs-service", "alb", "--yes", "--file", path], fake.current);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ECS service worker registers its tasks in: .* - move those services to another/);
  });
});
