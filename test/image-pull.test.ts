// What `infra` says when ECS cannot pull the image a task runs (docs/aws-behaviours.md, "ECS"): the fake's ECS pulls
// through its ECR, so a tag nobody pushed, or another account's repository not shared with this one, never starts.
import { ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { INPUTS, readText, runCli, tempEnvFile, useFake } from "./helpers.js";
import { REPO, revisionOf, stack } from "./support/deploy-stack.js";

const OTHER_ACCOUNT = "210987654321";
const SHARED = `${OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shared`;
const NOT_FOUND = `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${REPO}:nope: not found`;

describe("an image ECS cannot pull", () => {
  const fake = useFake();

  it("given IMAGE_TAG names a tag not in ECR, when creating the service, then it fails fast naming CannotPullContainerError, exit 3", async () => {
    const certificate = fake.current.acm.add("startupwebapp.com", "ISSUED");
    const path = tempEnvFile(`${INPUTS}ACM_CERTIFICATE_ARN="${certificate}"\nIMAGE_TAG="nope"\n`);
    expect((await runCli(["create", "alb", "ecs-service-task-definition", "--file", path], fake.current)).code).toBe(0);

    const started = fake.current.clock.now();
    const result = await runCli(["create", "ecs-service", "--file", path], fake.current);

    expect(result.code).toBe(3);
    const error = result.stderr.trimEnd().split("\n").at(-1);
    expect(error).toContain(`tasks cannot start: ${NOT_FOUND}`);
    expect(error).not.toContain(`${NOT_FOUND}; ${NOT_FOUND}`); // the task's reason and its container's, said once
    expect(fake.current.clock.now() - started).toBeLessThan(5 * 60_000);
    // The service exists (a re-run after pushing the tag finds it), and ran nothing.
    expect(readText(path)).toMatch(/^ECS_SERVICE_ARN="arn:aws:ecs:.*startupwebapp-service"$/m);
    expect(fake.current.ecs.tasks.filter((t) => t.ran)).toEqual([]);
  });

  it("given IMAGE_TAG names a tag not in ECR, when creating everything, then ecs-service fails naming CannotPullContainerError, exit 3", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile(`${INPUTS}IMAGE_TAG="nope"\n`);

    const result = await runCli(["create", "all", "--file", path], fake.current);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/failed: ecs-service; not started: ecs-autoscaling, monitoring\./);
    expect(result.stderr.trimEnd().split("\n").at(-1)).toContain(`tasks cannot start: ${NOT_FOUND}`);
  });

  it("given a migration image ECS may not pull, when deploying with --migrate, then it says the migration never ran and why, and changes nothing", async () => {
    // Given another account's repository this account may neither describe nor pull from (no repository policy),
    const path = await stack(fake.current, 'ECS_TASK_DEFINITION_FAMILY="startupwebapp-migration-task"\n');
    await new ECSClient({ region: "us-east-1" }).send(
      new RegisterTaskDefinitionCommand({
        family: "startupwebapp-migration-task",
        executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [
          { name: "migrate", image: `${REPO}:latest`, command: ["python", "manage.py", "migrate"] },
        ],
      }),
    );
    fake.current.ecr.push("shared", "v1", { registryId: OTHER_ACCOUNT });
    const before = fake.current.calls.length;

    // when deploying its tag with --migrate (deploy cannot check the image: DescribeImages is denied),
    const result = await runCli(["deploy", "--image", `${SHARED}:v1`, "--migrate", "--file", path], fake.current);

    // then the migration task never ran, the error says why, and the service was not changed.
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not check image .*shared:v1 in ECR/);
    const error = result.stderr.trimEnd().split("\n").at(-1);
    expect(error).toMatch(
      /^error: migration task never ran \(CannotPullContainerError: .*shared:v1: pulling from host .* 403 Forbidden\) - the service was not changed/,
    );
    expect(fake.current.calls.slice(before).filter((c) => c.op === "UpdateService")).toEqual([]);
    expect(revisionOf(fake.current)).toBe("1");
  });
});
