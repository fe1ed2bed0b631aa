// A deploy whose wait runs out of time is a failed deploy: it rolls back (unless --no-rollback), says where the
// service stands, exits 1, and the env file and AWS agree on the revision afterwards. The default limit of each
// wait is sized from the stack's settings (src/resources/common/rollout-time.ts).
import {
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { runCli, useFake } from "./helpers.js";
import { knownGood, recorded, revisionOf, stack, td } from "./support/deploy-stack.js";

const SERVICE = "startupwebapp-service";

/** The target group's deregistration delay changed in AWS, behind the env file's back. */
async function drainFor(path: string, seconds: number) {
  await new ElasticLoadBalancingV2Client({ region: "us-east-1" }).send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: recorded(path, "TARGET_GROUP_ARN"),
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: String(seconds) }],
    }),
  );
}

const primaryOf = (fake: Parameters<typeof revisionOf>[0]) =>
  fake.ecs.serviceNamed(SERVICE)?.deployments[0]?.rolloutState;

describe("deploy: a wait that runs out of time is a failed deploy", () => {
  const fake = useFake();

  it("given new tasks that never pass their health checks, when --timeout runs out before the circuit breaker trips, then it rolls back, exits 1, and the env file and AWS agree on the old revision", async () => {
    // Given a stack whose target group drains in 30 s, and an image whose tasks fail the ELB health checks,
    const path = await stack(fake.current, 'TARGET_DEREGISTRATION_DELAY="30"\n');
    fake.current.ecr.push("startupwebapp", "sick");
    fake.current.ecs.failHealthChecks(":sick");

    // when it is deployed with a limit shorter than the circuit breaker's three failures take (about 5.5 min here),
    const result = await runCli(["deploy", "--image", ":sick", "--timeout", "4m", "--file", path], fake.current);

    // then the deploy failed where it stood (the new tasks still starting), and was rolled back to the end,
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /timed out after 2\d\d s waiting for deployment \S+ of startupwebapp-service \(--timeout\): startupwebapp-service names startupwebapp-service-task:2 \(deployment \S+ IN_PROGRESS, starting: .*failed\)/,
    );
    expect(result.stderr).toMatch(/rolled back: startupwebapp-service runs startupwebapp-service-task:1 again/);
    // and the env file and AWS agree: revision 1, its deployment COMPLETED, the failed revision not known good.
    expect(revisionOf(fake.current)).toBe("1");
    expect(primaryOf(fake.current)).toBe("COMPLETED");
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(1));
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_REVISION")).toBe("1");
    expect(knownGood(fake.current)).toEqual([1]);
  });

  it("given old tasks that drain for longer than the default limit allows, the deploy times out while draining, starts the way back, and says how to follow it to the end", async () => {
    // Given a stack made with the default settings (the default limit: 18 min), whose target group someone set to
    // drain for an hour,
    const path = await stack(fake.current);
    await drainFor(path, 3600);
    fake.current.ecr.push("startupwebapp", "v2");

    // when v2 is deployed without --timeout,
    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);

    // then the wait ran for the default limit and the deployment was draining the old tasks,
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /timed out after 1080 s waiting for deployment \S+ of startupwebapp-service \(--timeout\): startupwebapp-service names startupwebapp-service-task:2 \(deployment \S+ IN_PROGRESS, draining: 2\/2 running/,
    );
    // the way back drains v2's tasks for the same hour: not finished, and it says so,
    expect(result.stderr).toMatch(
      /rolling back: startupwebapp-service names startupwebapp-service-task:1 \(deployment \S+ IN_PROGRESS, draining: .*\), not finished within --timeout; `infra rollback --to 1 -f \S+` follows it to the end/,
    );
    // and the env file already says what AWS names: revision 1.
    expect(revisionOf(fake.current)).toBe("1");
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(1));

    // When the rollback is followed once the delay is back to 30 s (the tasks draining keep their hour),
    await drainFor(path, 30);
    const followed = await runCli(["rollback", "--to", "1", "--timeout", "1h", "--file", path], fake.current);

    // then it ends COMPLETED and probed, on revision 1 in AWS and in the env file.
    expect(followed.code, followed.stderr).toBe(0);
    expect(primaryOf(fake.current)).toBe("COMPLETED");
    expect(revisionOf(fake.current)).toBe("1");
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(1));
    expect(knownGood(fake.current)).toEqual([1]);
  });

  it("given --no-rollback, a deploy that runs out of time leaves the service where it is, says where that is, and records it", async () => {
    const path = await stack(fake.current);
    await drainFor(path, 3600);
    fake.current.ecr.push("startupwebapp", "v2");

    const result = await runCli(
      ["deploy", "--image", ":v2", "--no-rollback", "--timeout", "10m", "--file", path],
      fake.current,
    );

    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      /not rolled back \(--no-rollback\): startupwebapp-service names startupwebapp-service-task:2 \(deployment \S+ IN_PROGRESS, draining: 2\/2 running/,
    );
    expect(result.stderr).not.toMatch(/rolling back/);
    expect(revisionOf(fake.current)).toBe("2");
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(2));
    expect(knownGood(fake.current)).toEqual([1]);
  });

  it("shows the deployment's phase while it waits: starting, then draining the old tasks", async () => {
    const path = await stack(fake.current, 'TARGET_DEREGISTRATION_DELAY="30"\n');
    fake.current.ecr.push("startupwebapp", "v2");

    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const phases = [...result.stderr.matchAll(/\((starting|healthy|draining): [^)]*\)/g)].map((m) => m[1]);
    expect(phases).toContain("starting");
    expect(phases).toContain("draining");
    expect(phases.indexOf("draining")).toBeGreaterThan(phases.lastIndexOf("starting"));
  });
});
