import { ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { internetOf, readText, runCli, tempEnvFile, useFake } from "./helpers.js";

const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp";

/** The whole stack, running startupwebapp:latest as revision 1. */
async function stack(fake: AwsFake, extra = ""): Promise<string> {
  fake.route53.addZone("startupwebapp.com");
  const path = tempEnvFile(undefined);
  if (extra) await import("node:fs").then((fs) => fs.appendFileSync(path, extra));
  const created = await runCli(["create", "all", "--file", path], fake);
  expect(created.code, created.stderr).toBe(0);
  return path;
}

const revisionOf = (fake: AwsFake) => fake.ecs.serviceNamed("startupwebapp-service")?.taskDefinition.split(":").at(-1);
const recorded = (path: string, key: string) => readText(path).match(new RegExp(`^${key}="([^"]*)"`, "m"))?.[1];
const td = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/startupwebapp-service-task:${n}`;

describe("infra deploy and rollback against the AWS fake", () => {
  const fake = useFake();

  it("moves the service to a new revision with the image, probes it, and records it as good", async () => {
    const path = await stack(fake.current);
    fake.current.ecr.push("startupwebapp", "v2");
    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(revisionOf(fake.current)).toBe("2");
    expect(fake.current.ecs.taskDefinitions.at(-1)?.containerDefinitions?.[0]?.image).toBe(`${REPO}:v2`);
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(2));
    expect(recorded(path, "IMAGE_TAG")).toBe("v2");
    expect(recorded(path, "ECS_SERVICE_GOOD_REVISIONS")).toBe(`${td(1)} ${td(2)}`);
    expect(result.stderr).toMatch(/health probe GET https:\/\/api\.startupwebapp\.com\/order\/products: 200/);
    expect(result.stderr).toMatch(/· deploy: event: \(service startupwebapp-service\) has reached a steady state\./);
    // A second deploy of the same image changes nothing.
    const before = fake.current.calls.length;
    expect((await runCli(["deploy", "--image", ":v2", "--file", path], fake.current)).code).toBe(0);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
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
    expect(recorded(path, "ECS_SERVICE_GOOD_REVISIONS")).toBe(td(1));
    expect(recorded(path, "IMAGE_TAG") ?? "").not.toBe("broken");
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
      log: ["Applying shop.0042_orders...", "django.db.utils.ProgrammingError: relation exists"],
    });
    const before = fake.current.calls.length;
    const result = await runCli(["deploy", "--image", ":v3", "--migrate", "--file", path], fake.current);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/migration log: django\.db\.utils\.ProgrammingError: relation exists/);
    expect(result.stderr).toMatch(/error: migration task exited 1.* - the service was not changed/);
    expect(fake.current.calls.slice(before).filter((c) => c.op === "UpdateService")).toEqual([]);
    expect(revisionOf(fake.current)).toBe("1");

    fake.current.ecs.oneOff.outcomes.set(":v3", { exitCode: 0, log: ["Applying shop.0042_orders... OK"] });
    const retried = await runCli(["deploy", "--image", ":v3", "--migrate", "--file", path], fake.current);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toMatch(/migration task exited 0/);
  });

  it("rolls back to the last known-good revision, not to one that failed", async () => {
    const path = await stack(fake.current);
    for (const tag of ["a", "b", "c"]) fake.current.ecr.push("startupwebapp", tag);
    fake.current.ecs.failImage(":b");
    expect((await runCli(["deploy", "--image", ":a", "--file", path], fake.current)).code).toBe(0); // revision 2
    expect((await runCli(["deploy", "--image", ":b", "--file", path], fake.current)).code).toBe(1); // 3, rolled back to 2
    expect((await runCli(["deploy", "--image", ":c", "--file", path], fake.current)).code).toBe(0); // 4
    expect(revisionOf(fake.current)).toBe("4");
    const result = await runCli(["rollback", "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(revisionOf(fake.current)).toBe("2");
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(2));
    // Nothing was deregistered: the service can still go forward again.
    expect(fake.current.ecs.taskDefinitions.filter((t) => t.status === "ACTIVE").map((t) => t.revision)).toEqual([
      1, 2, 3, 4,
    ]);
    expect((await runCli(["rollback", "--to", "4", "--file", path], fake.current)).code).toBe(0);
    expect(revisionOf(fake.current)).toBe("4");
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
  });
});
