import {
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { INPUTS, internetOf, readText, runCli, tempEnvFile, useFake } from "./helpers.js";
import { FAMILY, knownGood, REPO, recorded, revisionOf, stack, td } from "./support/deploy-stack.js";

describe("infra deploy and rollback against the AWS fake", () => {
  const fake = useFake();

  it("moves the service to a new revision with the image, probes it, and tags it known good in AWS", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(revisionOf(fake.current)).toBe("2");
    const deployed = fake.current.ecs.taskDefinitions.at(-1);
    expect(deployed?.containerDefinitions?.[0]?.image).toBe(`${REPO}:v2`);
    // Only the image differs from revision 1; the stack's tags come along, the known-good mark is earned.
    const withoutMark = (tags: { key?: string }[] = []) => tags.filter((t) => t.key !== "KnownGood");
    expect(withoutMark(deployed?.tags)).toEqual(withoutMark(fake.current.ecs.taskDefinitions[0]?.tags));
    // Revision 1 earned its mark when create's first deployment completed healthy; revision 2 by its probe.
    expect(knownGood(fake.current)).toEqual([1, 2]);
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(2));
    expect(recorded(path, "IMAGE_TAG")).toBeUndefined();
    expect(readText(path)).not.toMatch(/GOOD_REVISIONS/);
    expect(result.stderr).toMatch(/health probe GET https:\/\/api\.startupwebapp\.com\/order\/products: 200/);
    expect(result.stderr).toMatch(/· deploy: event: \(service startupwebapp-service\) has reached a steady state\./);
    // A second deploy of the same image changes nothing.
    const before = fake.current.calls.length;
    expect((await runCli(["deploy", "--image", ":v2", "--file", path], fake.current)).code).toBe(0);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    // And create, which owns the definition but not the image, leaves the deployed image running.
    const created = await runCli(
      ["create", "ecs-service-task-definition", "ecs-service", "--file", path],
      fake.current,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("while the old revision's tasks drain from the target group, reads the service every 15 to 30 s, not every 10", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    const before = fake.current.calls.length;
    const started = fake.current.clock.now();

    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    const reads = fake.current.calls.slice(before).filter((c) => c.op === "DescribeServices");
    const drain = reads.filter((c) => c.at - started > 130_000);
    // About 2 minutes of new tasks starting at up to 10 s a read, then the 300 s deregistration delay at 15-30 s.
    expect(fake.current.clock.now() - started).toBeGreaterThan(400_000);
    expect(drain.length).toBeLessThanOrEqual(Math.ceil(300 / 15) + 1);
    expect(reads.length).toBeLessThanOrEqual(40);
  });

  it("rolls back a deploy whose image cannot start, exits 1, and leaves the env file on the old revision", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "broken");
    fake.current.ecs.failImage(":broken");
    const result = await runCli(["deploy", "--image", ":broken", "--file", path], fake.current);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /CannotPullContainerError.* - rolled back: startupwebapp-service runs startupwebapp-service-task:1 again/,
    );
    expect(revisionOf(fake.current)).toBe("1");
    expect(fake.current.ecs.serviceNamed("startupwebapp-service")?.deployments.at(-1)?.rolloutState ?? "").not.toBe(
      "IN_PROGRESS",
    );
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(1));
    expect(knownGood(fake.current)).toEqual([1]);
    // The failed revision is the family's newest, but not what runs: create changes nothing.
    const before = fake.current.calls.length;
    expect(
      (await runCli(["create", "ecs-service-task-definition", "ecs-service", "--file", path], fake.current)).code,
    ).toBe(0);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("treats a failing health probe as a failed deploy", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    internetOf(fake.current).brokenPaths.add("/order/products");
    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /health probe GET https:\/\/api\.startupwebapp\.com\/order\/products answered 500 - rolled back/,
    );
    expect(revisionOf(fake.current)).toBe("1");
  });

  it("a deploy that stops while it follows its deployment leaves the env file naming the revision the service runs", async () => {
    // Given a deploy whose UpdateService AWS applied, and a stop before the deployment's end (a CI job cancelled,
    // Ctrl-C, here AWS refusing the next read of the service)
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    const moved = () => fake.current.calls.some((c) => c.op === "UpdateService");
    fake.current.inject({
      op: "DescribeServices",
      input: moved,
      nth: 1,
      error: () =>
        Object.assign(new Error("User is not authorized to perform: ecs:DescribeServices"), {
          name: "AccessDeniedException",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
        }),
    });

    // When the deploy runs
    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);

    // Then it fails, and the env file (and so the stack's record) says what the service names now: revision 2,
    // not the revision it replaced, so `plan` shows no change that is not there
    expect(result.code, result.stderr).toBe(3);
    expect(revisionOf(fake.current)).toBe("2");
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(2));
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_REVISION")).toBe("2");
    expect(knownGood(fake.current)).toEqual([1]); // not probed: not marked
  });

  it("when UpdateService's answer was lost, a second run finishes the deploy and records what runs", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    fake.current.inject({ op: "UpdateService", nth: 1, when: "after" });
    const lost = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(lost.code).toBe(3);
    fake.current.clearFaults();
    expect(revisionOf(fake.current)).toBe("2"); // AWS took the change

    const again = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/already runs/);
    expect(again.stderr).toMatch(/deploy: startupwebapp-service runs .*:v2 \(startupwebapp-service-task:2\)/);
    expect(again.stderr).toMatch(/health probe GET .*: 200/);
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(2));
    expect(knownGood(fake.current)).toEqual([1, 2]);
    const before = fake.current.calls.length;
    const created = await runCli(
      ["create", "ecs-service-task-definition", "ecs-service", "--file", path],
      fake.current,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("runs the migration first and deploys nothing when it exits non-zero", async () => {
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
          {
            name: "migrate",
            image: `${REPO}:latest`,
            command: ["python", "manage.py", "migrate"],
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": "/ecs/startupwebapp-service",
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "migrate",
              },
            },
          },
        ],
      }),
    );
    fake.current.ecr.push("startupwebapp", "v3");
    fake.current.ecs.oneOff.outcomes.set(":v3", {
      exitCode: 1,
      // A log longer than a page: the last 20 lines are shown, read back from the tail.
      log: [
        ...Array.from({ length: 30 }, (_, i) => `Applying shop.${String(i + 1).padStart(4, "0")}... OK`),
        "django.db.utils.ProgrammingError: relation exists",
      ],
    });
    const before = fake.current.calls.length;
    const result = await runCli(["deploy", "--image", ":v3", "--migrate", "--file", path], fake.current);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/migration log: django\.db\.utils\.ProgrammingError: relation exists/);
    expect(result.stderr).toMatch(/migration log: Applying shop\.0012\.\.\. OK/);
    expect(result.stderr).not.toMatch(/shop\.0011/);
    expect(result.stderr).toMatch(/error: migration task exited 1.* - the service was not changed/);
    expect(fake.current.calls.slice(before).filter((c) => c.op === "UpdateService")).toEqual([]);
    expect(revisionOf(fake.current)).toBe("1");

    fake.current.ecs.oneOff.outcomes.set(":v3", { exitCode: 0, log: ["Applying shop.0042_orders... OK"] });
    const retried = await runCli(["deploy", "--image", ":v3", "--migrate", "--file", path], fake.current);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toMatch(/migration task exited 0/);
  });

  it("runs the migration from a new revision when its only one, of the same image, was deregistered", async () => {
    // Given a migration family whose only revision, of the image to deploy, is INACTIVE (ECS runs nothing from it),
    const path = await stack(fake.current, 'ECS_TASK_DEFINITION_FAMILY="startupwebapp-migration-task"\n');
    const ecs = new ECSClient({ region: "us-east-1" });
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "startupwebapp-migration-task",
        executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "migrate", image: `${REPO}:v3`, command: ["python", "manage.py", "migrate"] }],
      }),
    );
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "startupwebapp-migration-task:1" }));
    fake.current.ecr.push("startupwebapp", "v3");

    // when deploy runs the migration, then it registers and runs a new ACTIVE revision, and the deploy goes on.
    const result = await runCli(["deploy", "--image", ":v3", "--migrate", "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/migration task exited 0/);
    const migrations = fake.current.ecs.taskDefinitions.filter((t) => t.family === "startupwebapp-migration-task");
    expect(migrations.map((t) => `${t.revision} ${t.status}`)).toEqual(["1 INACTIVE", "2 ACTIVE"]);
    expect(fake.current.ecs.oneOff.tasks.map((t) => t.taskDefinitionArn.split("/").at(-1))).toEqual([
      "startupwebapp-migration-task:2",
    ]);
  });

  it("rolls back to the last known-good revision, not to one that failed, from any machine", async () => {
    const path = await stack(fake.current);
    for (const tag of ["a", "b", "c"]) fake.current.ecr.push("startupwebapp", tag);
    fake.current.ecs.failImage(":b");
    expect((await runCli(["deploy", "--image", ":a", "--file", path], fake.current)).code).toBe(0); // revision 2
    expect((await runCli(["deploy", "--image", ":b", "--file", path], fake.current)).code).toBe(1); // 3, rolled back to 2
    expect((await runCli(["deploy", "--image", ":c", "--file", path], fake.current)).code).toBe(0); // 4
    expect(revisionOf(fake.current)).toBe("4");
    expect(knownGood(fake.current)).toEqual([1, 2, 4]);
    // Another machine: an env file with the inputs only, nothing recorded. Its runbook lists the same revisions.
    const elsewhere = tempEnvFile(INPUTS);
    const runbook = await runCli(["runbook", "--file", elsewhere], fake.current);
    expect(runbook.stdout).toMatch(
      /verified healthy, oldest first: startupwebapp-service-task:1, startupwebapp-service-task:2, startupwebapp-service-task:4\./,
    );
    const result = await runCli(["rollback", "--file", elsewhere], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(revisionOf(fake.current)).toBe("2");
    expect(recorded(elsewhere, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(2));
    // Nothing was deregistered: the service can still go forward again.
    expect(fake.current.ecs.taskDefinitions.filter((t) => t.status === "ACTIVE").map((t) => t.revision)).toEqual([
      1, 2, 3, 4,
    ]);
    expect((await runCli(["rollback", "--to", "4", "--file", path], fake.current)).code).toBe(0);
    expect(revisionOf(fake.current)).toBe("4");
    // Back to 2, then to 1 (create's first deployment, healthy); before 1 there is none: say so, change nothing.
    expect((await runCli(["rollback", "--to", "2", "--file", path], fake.current)).code).toBe(0);
    expect((await runCli(["rollback", "--file", path], fake.current)).code).toBe(0);
    expect(revisionOf(fake.current)).toBe("1");
    const before = fake.current.calls.length;
    const none = await runCli(["rollback", "--file", path], fake.current);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /no known-good revision of startupwebapp-service-task before startupwebapp-service-task:1/,
    );
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("never rolls back to an INACTIVE revision", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "a");
    expect((await runCli(["deploy", "--image", ":a", "--file", path], fake.current)).code).toBe(0);
    const ecs = new ECSClient({ region: "us-east-1" });
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `${FAMILY}:1` }));
    const result = await runCli(["rollback", "--to", "1", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/startupwebapp-service-task:1 is INACTIVE: ECS starts nothing from it/);
    expect(revisionOf(fake.current)).toBe("2");
    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${FAMILY}:1` }));
    expect(described.taskDefinition?.status).toBe("INACTIVE");
  });

  describe("refuses bad input with exit 2 and changes nothing", () => {
    const cases: [string, string[], RegExp][] = [
      ["an empty image", ["deploy", "--image", ""], /--image is empty/],
      ["a malformed image", ["deploy", "--image", "Not An Image"], /is not an image repository/],
      ["an image without a tag", ["deploy", "--image", REPO], /has no tag/],
      [
        "an image missing from ECR",
        ["deploy", "--image", ":never-pushed"],
        /image .*:never-pushed is not in ECR - push it first/,
      ],
      [
        "a revision that does not exist",
        ["rollback", "--to", "99"],
        /task definition startupwebapp-service-task:99 does not exist/,
      ],
      ["a revision that is not one", ["rollback", "--to", "yesterday"], /--to yesterday is not a revision/],
    ];
    for (const [name, argv, message] of cases) {
      it(name, async () => {
        const path = await stack(fake.current);
        const text = readText(path);
        const before = fake.current.calls.length;
        const result = await runCli([...argv, "--file", path], fake.current);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(fake.current.mutatingCalls(before)).toEqual([]);
        expect(readText(path)).toBe(text);
      });
    }

    it("a HEALTH_CHECK_URL that is not an http(s) URL, before any AWS call", async () => {
      const path = tempEnvFile(`${INPUTS}HEALTH_CHECK_URL="ftp://api.startupwebapp.com/order/products"\n`);
      const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /HEALTH_CHECK_URL="ftp:\/\/api\.startupwebapp\.com\/order\/products" is not an http\(s\) URL/,
      );
      expect(fake.current.calls).toEqual([]);
    });
  });
});
