// --no-wait, through the CLI: what takes long is started and left running, what it started is recorded, the run
// says what is left and how to finish it, and it exits 0; a later run without --no-wait finishes the job.
import { describe, expect, it } from "vitest";
import { readText, runCli, tempEnvFile, useFake } from "./helpers.js";
import { knownGood, recorded, revisionOf, stack, td } from "./support/deploy-stack.js";

describe("infra deploy --no-wait", () => {
  const fake = useFake();

  it("given a running stack, when deploy --no-wait runs, then it starts the deployment, records it, says how to follow it and exits 0 without waiting or probing", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    const started = fake.current.clock.now();

    const result = await runCli(["deploy", "--image", ":v2", "--no-wait", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(revisionOf(fake.current)).toBe("2");
    const deployment = fake.current.ecs.serviceNamed("startupwebapp-service")?.deployments[0];
    expect(deployment?.taskDefinition).toBe(td(2));
    expect(deployment?.rolloutState).toBe("IN_PROGRESS");
    expect(fake.current.clock.now()).toBe(started);
    expect(result.stderr).not.toMatch(/waiting for deployment|health probe/);
    expect(result.stderr).toContain(
      `deployment ${deployment?.id} of startupwebapp-service started, not followed (--no-wait): \`infra status -f ${path}\` shows how it goes; \`infra deploy --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp:v2 -f ${path}\` without --no-wait follows it to the end and probes it`,
    );
    // The env file says what the service names; the known-good mark is for a revision that was followed and probed.
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(2));
    expect(knownGood(fake.current)).toEqual([1]);
  });

  it("given a deployment started with --no-wait, when the same deploy runs without it, then it follows that deployment, probes it and marks the revision known good", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    expect((await runCli(["deploy", "--image", ":v2", "--no-wait", "--file", path], fake.current)).code).toBe(0);

    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/health probe GET https:\/\/api\.startupwebapp\.com\/order\/products: 200/);
    expect(fake.current.ecs.serviceNamed("startupwebapp-service")?.deployments[0]?.rolloutState).toBe("COMPLETED");
    expect(knownGood(fake.current)).toEqual([1, 2]);
    expect(fake.current.ecs.taskDefinitions).toHaveLength(2);
  });

  it("given a known-good revision to go back to, when rollback --no-wait runs, then it starts the deployment back and says to run rollback --to that revision to follow it", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    expect((await runCli(["deploy", "--image", ":v2", "--file", path], fake.current)).code).toBe(0);

    const result = await runCli(["rollback", "--no-wait", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(revisionOf(fake.current)).toBe("1");
    expect(fake.current.ecs.serviceNamed("startupwebapp-service")?.deployments[0]?.rolloutState).toBe("IN_PROGRESS");
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(1));
    expect(result.stderr).toMatch(
      /started, not followed \(--no-wait\).*`infra rollback --to 1 -f \S+` without --no-wait/,
    );
    expect(result.stderr).not.toMatch(/health probe/);
    const followed = await runCli(["rollback", "--to", "1", "--file", path], fake.current);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stderr).toMatch(/health probe GET .*: 200/);
  });

  it("given --migrate, when --no-wait is given too, then it refuses with exit 2 before any AWS call", async () => {
    const path = await stack(fake.current);
    const before = fake.current.calls.length;

    const result = await runCli(["deploy", "--image", ":v2", "--migrate", "--no-wait", "--file", path], fake.current);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--migrate waits for the migration task to finish/);
    expect(fake.current.calls.length).toBe(before);
  });
});

describe("infra create --no-wait", () => {
  const fake = useFake();

  it("given no stack, when create all --no-wait runs, then it starts what takes long, says in one line what is left for a run without --no-wait, and exits 0", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();

    const result = await runCli(["create", "all", "--no-wait", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/error|Fix the cause/);
    const line = result.stderr.split("\n").filter((l) => l.includes("all: "));
    expect(line).toEqual([
      expect.stringMatching(
        /! all: not finished because of --no-wait: alb in part; route53-records, ecs-service, ecs-autoscaling, monitoring not started, as what they need is still in progress \(see above\); run `infra create all -f \S+` again without --no-wait to finish$/,
      ),
    ]);
    // What it started is recorded: the certificate being validated, the load balancer being provisioned.
    expect(readText(path)).toMatch(/^ACM_CERTIFICATE_ARN="arn:aws:acm:[^"]+"$/m);
    expect(readText(path)).toMatch(/^ALB_ARN="arn:aws:elasticloadbalancing:[^"]+"$/m);
    expect(fake.current.ecs.serviceNamed("startupwebapp-service")).toBeUndefined();

    const finished = await runCli(["create", "all", "--file", path], fake.current);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stderr).not.toMatch(/not finished|not started/);
    expect(fake.current.ecs.serviceNamed("startupwebapp-service")?.status).toBe("ACTIVE");
  });

  it("given a step that fails, when create all --no-wait runs, then the failure is the cause: the run exits 3 and says to fix it", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    fake.current.inject({ op: "RegisterTaskDefinition", nth: 1 });

    const result = await runCli(["create", "all", "--no-wait", "--file", path], fake.current);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/failed: ecs-service-task-definition.*Fix the cause/);
    expect(result.stderr).not.toMatch(/because of --no-wait/);
  });
});
