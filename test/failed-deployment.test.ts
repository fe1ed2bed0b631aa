// A service whose deployment FAILED (the circuit breaker stopped it: tasks that could not pull their image) runs
// nothing, and ECS starts nothing more on its own. Once the cause is fixed, running `create` again (or `deploy`)
// starts a new deployment and follows it: plan shows that, verify fails until it is done, and then create is a
// no-op.
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { INPUTS, readText, runCli, tempEnvFile, useFake } from "./helpers.js";
import { REPO, revisionOf, stack, td } from "./support/deploy-stack.js";

const SERVICE = "startupwebapp-service";

/** The UpdateService calls since `before`, as what they asked for. */
const updates = (fake: AwsFake, before: number) =>
  fake.calls
    .slice(before)
    .filter((c) => c.op === "UpdateService")
    .map((c) => {
      const input = c.input as { taskDefinition?: string; forceNewDeployment?: boolean };
      return { taskDefinition: input.taskDefinition, forceNewDeployment: input.forceNewDeployment };
    });

const MUTATING = /^(Create|Update|Delete|Put|Register|Deregister|Tag|Untag|Modify|Add|Remove|Set|Attach|Change)/;
const mutating = (fake: AwsFake, before: number) =>
  fake.calls
    .slice(before)
    .filter((c) => MUTATING.test(c.op))
    .map((c) => c.op);

const running = (fake: AwsFake) =>
  fake.ecs.tasks.filter((t) => t.service?.serviceName === SERVICE && t.ran && t.stoppedAt === undefined).length;

describe("a service whose deployment FAILED", () => {
  const fake = useFake();

  /** `create all` with IMAGE_TAG naming a tag not pushed yet: exit 3, the service's only deployment FAILED. */
  async function failedStack(): Promise<string> {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile(`${INPUTS}IMAGE_TAG="nope"\n`);
    const first = await runCli(["create", "all", "--file", path], fake.current);
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toContain("fix the cause, then run again");
    // ECS goes on launching tasks until the circuit breaker fails the deployment; the user takes a while to fix it.
    fake.current.clock.advance(15 * 60_000);
    const primary = fake.current.ecs.serviceNamed(SERVICE)?.deployments[0];
    expect(primary?.rolloutState).toBe("FAILED");
    return path;
  }

  it("given the tag pushed since, when planning and verifying, then both name the FAILED deployment that create replaces", async () => {
    const path = await failedStack();
    fake.current.ecr.push("startupwebapp", "nope");

    const plan = await runCli(["plan", "ecs-service", "--file", path], fake.current);
    const verify = await runCli(["verify", "ecs-service", "--file", path], fake.current);

    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(new RegExp(`~ service ${SERVICE}\\n\\s+deployment: FAILED -> a new deployment`));
    expect(verify.code).not.toBe(0);
    expect(verify.stdout).toMatch(/FAIL.*service startupwebapp-service: deployment.*FAILED, want a new deployment/);
  });

  it("given the tag pushed since, when creating everything again, then a new deployment of the recorded revision runs the tasks, verify passes, and a third create changes nothing", async () => {
    const path = await failedStack();
    fake.current.ecr.push("startupwebapp", "nope");

    const before = fake.current.calls.length;
    const again = await runCli(["create", "all", "--file", path], fake.current);

    expect(again.code, again.stderr).toBe(0);
    expect(updates(fake.current, before)).toEqual([{ taskDefinition: td(1), forceNewDeployment: true }]);
    expect(again.stderr).toMatch(/deployment ecs-svc\/\d+ completed/);
    expect(fake.current.ecs.serviceNamed(SERVICE)?.deployments.map((d) => d.rolloutState)).toEqual(["COMPLETED"]);
    expect(running(fake.current)).toBe(2);
    const verify = await runCli(["verify", "all", "--file", path], fake.current);
    expect(verify.stdout).not.toMatch(/FAIL.*ecs-service/);

    const quiet = fake.current.calls.length;
    const third = await runCli(["create", "all", "--file", path], fake.current);
    expect(third.code, third.stderr).toBe(0);
    expect(mutating(fake.current, quiet)).toEqual([]);
  });

  it("given the tag still not pushed, when creating again, then the new deployment fails the same way, exit 3", async () => {
    const path = await failedStack();

    const before = fake.current.calls.length;
    const again = await runCli(["create", "ecs-service", "--file", path], fake.current);

    expect(again.code).toBe(3);
    expect(updates(fake.current, before)).toEqual([{ taskDefinition: td(1), forceNewDeployment: true }]);
    expect(again.stderr.trimEnd().split("\n").at(-1)).toContain("tasks cannot start: CannotPullContainerError");
  });

  it("given IMAGE_TAG changed to a pushed tag, when creating everything again, then the service moves to the new revision and runs it", async () => {
    const path = await failedStack();
    writeFileSync(path, readText(path).replace('IMAGE_TAG="nope"', 'IMAGE_TAG="latest"'));

    const before = fake.current.calls.length;
    // A new revision is a change to what exists: create asks first (--yes).
    const again = await runCli(["create", "all", "--yes", "--file", path], fake.current);

    expect(again.code, again.stderr).toBe(0);
    expect(updates(fake.current, before)).toEqual([{ taskDefinition: td(2), forceNewDeployment: true }]);
    expect(revisionOf(fake.current)).toBe("2");
    expect(running(fake.current)).toBe(2);
  });

  it("given the tag pushed since, when deploying that image with --force-new-deployment, then a new deployment runs it, exit 0", async () => {
    const path = await failedStack();
    fake.current.ecr.push("startupwebapp", "nope");

    const before = fake.current.calls.length;
    const result = await runCli(
      ["deploy", "--image", `${REPO}:nope`, "--force-new-deployment", "--file", path],
      fake.current,
    );

    expect(result.code, result.stderr).toBe(0);
    expect(updates(fake.current, before)).toEqual([{ taskDefinition: td(1), forceNewDeployment: true }]);
    expect(running(fake.current)).toBe(2);
  });

  it("given the tag pushed since, when deploying that image without --force-new-deployment, then the FAILED deployment is replaced all the same, exit 0", async () => {
    const path = await failedStack();
    fake.current.ecr.push("startupwebapp", "nope");

    const before = fake.current.calls.length;
    const result = await runCli(["deploy", "--image", ":nope", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(updates(fake.current, before)).toEqual([{ taskDefinition: td(1), forceNewDeployment: true }]);
    expect(result.stderr).toMatch(/new deployment ecs-svc\/\d+ of .*:1: deployment ecs-svc\/\d+ FAILED/);
    expect(running(fake.current)).toBe(2);
  });

  it("given the tag pushed since, when rolling back to the revision it names, then a new deployment runs it, exit 0", async () => {
    const path = await failedStack();
    fake.current.ecr.push("startupwebapp", "nope");

    const before = fake.current.calls.length;
    const result = await runCli(["rollback", "--to", "1", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(updates(fake.current, before)).toEqual([{ taskDefinition: td(1), forceNewDeployment: true }]);
    expect(running(fake.current)).toBe(2);
  });

  it("given another image that fails too, when deploying it, then the service is not put back on the revision that ran nothing, exit 1", async () => {
    const path = await failedStack();
    fake.current.ecr.push("startupwebapp", "v2");
    fake.current.ecs.failHealthChecks(":v2");

    const before = fake.current.calls.length;
    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);

    expect(result.code).toBe(1);
    expect(updates(fake.current, before)).toEqual([{ taskDefinition: td(2), forceNewDeployment: undefined }]);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toMatch(
      /not rolled back: startupwebapp-service ran nothing before \(deployment ecs-svc\/\d+ FAILED\)/,
    );
  });
});

describe("a service whose deployment completed", () => {
  const fake = useFake();

  it("given a service running what it should, when planning, then its deployment is no change", async () => {
    const path = await stack(fake.current);
    const plan = await runCli(["plan", "ecs-service", "--file", path], fake.current);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).not.toMatch(/deployment:/);
    expect(plan.stdout).toMatch(/1 unchanged: service startupwebapp-service/);
  });
});
