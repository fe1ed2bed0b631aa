// `deploy` of the image the service already names: ECS runs the digest a tag named when the deployment started, so
// a tag pushed again runs only after a new deployment (docs/aws-behaviours.md, "ECS"). deploy compares the digest
// the tasks run with the one the tag names in ECR and starts a deployment of the same revision when they differ.
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { AwsFake } from "../src/sandbox/aws/aws-fake.js";
import { internetOf, runCli, useFake } from "./helpers.js";
import { REPO, recorded, revisionOf, stack, td } from "./support/deploy-stack.js";

const OTHER_ACCOUNT = "210987654321";
const SHARED = `${OTHER_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shared`;

/** The digest each running task of the service reports for its container. */
async function runningDigests(): Promise<(string | undefined)[]> {
  const ecs = new ECSClient({ region: "us-east-1" });
  const where = { cluster: "startupwebapp-cluster" };
  const { taskArns = [] } = await ecs.send(
    new ListTasksCommand({ ...where, serviceName: "startupwebapp-service", desiredStatus: "RUNNING" }),
  );
  const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ ...where, tasks: taskArns }));
  return tasks.filter((t) => t.lastStatus === "RUNNING").map((t) => t.containers?.[0]?.imageDigest);
}

/** The UpdateService calls since `before`, as what they asked for. */
const updates = (fake: AwsFake, before: number) =>
  fake.calls
    .slice(before)
    .filter((c) => c.op === "UpdateService")
    .map((c) => {
      const input = c.input as { taskDefinition?: string; forceNewDeployment?: boolean };
      return { taskDefinition: input.taskDefinition, forceNewDeployment: input.forceNewDeployment };
    });

const short = (digest: string | undefined) => (digest ?? "").slice(0, "sha256:".length + 12);

describe("infra deploy of the image the service already names", () => {
  const fake = useFake();

  it("given :v2 pushed again since it was deployed, when deploying :v2, then a new deployment of the same revision runs the new image, said in one line", async () => {
    const path = await stack(fake.current);
    const ecr = fake.current.ecr;
    ecr.push("startupwebapp", "v2");
    expect((await runCli(["deploy", "--image", ":v2", "--file", path], fake.current)).code).toBe(0);
    const first = ecr.digestOf("startupwebapp", "v2");
    ecr.push("startupwebapp", "v2");
    const second = ecr.digestOf("startupwebapp", "v2");
    const revisions = fake.current.ecs.taskDefinitions.length;

    const before = fake.current.calls.length;
    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(updates(fake.current, before)).toEqual([{ taskDefinition: td(2), forceNewDeployment: true }]);
    expect(fake.current.ecs.taskDefinitions).toHaveLength(revisions);
    expect(revisionOf(fake.current)).toBe("2");
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(2));
    expect(await runningDigests()).toEqual([second, second]);
    const said = result.stderr.split("\n").filter((l) => l.includes(short(second)));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      new RegExp(
        `new deployment .* of startupwebapp-service-task:2: ${REPO}:v2 now names ${short(second)}.*, the tasks run ${short(first)}`,
      ),
    );
    expect(result.stderr).toMatch(/health probe GET .*: 200/);

    // Now the tasks run what the tag names: nothing to do.
    const settled = fake.current.calls.length;
    const again = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(again.code, again.stderr).toBe(0);
    expect(fake.current.mutatingCalls(settled)).toEqual([]);
    expect(again.stderr).toMatch(/startupwebapp-service runs .*:v2 \(startupwebapp-service-task:2\)/);

    // Asked for explicitly, a new deployment starts all the same.
    const forcedAt = fake.current.calls.length;
    const forced = await runCli(["deploy", "--image", ":v2", "--force-new-deployment", "--file", path], fake.current);
    expect(forced.code, forced.stderr).toBe(0);
    expect(updates(fake.current, forcedAt)).toEqual([{ taskDefinition: td(2), forceNewDeployment: true }]);
    expect(forced.stderr).toMatch(/new deployment .* of startupwebapp-service-task:2: --force-new-deployment/);
  });

  it("given an image outside ECR, when deploying it again, then it says it could not compare and starts nothing unless --force-new-deployment", async () => {
    const path = await stack(fake.current);
    const image = "ghcr.io/startupwebapp/web:v1";
    expect((await runCli(["deploy", "--image", image, "--file", path], fake.current)).code).toBe(0);

    const before = fake.current.calls.length;
    const result = await runCli(["deploy", "--image", image, "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /could not compare the image the tasks run with ghcr\.io\/startupwebapp\/web:v1 \(not in ECR\): no new deployment; --force-new-deployment starts one/,
    );
    expect(fake.current.mutatingCalls(before)).toEqual([]);

    const forcedAt = fake.current.calls.length;
    const forced = await runCli(["deploy", "--image", image, "--force-new-deployment", "--file", path], fake.current);
    expect(forced.code, forced.stderr).toBe(0);
    expect(updates(fake.current, forcedAt)).toEqual([{ taskDefinition: td(2), forceNewDeployment: true }]);
    expect(revisionOf(fake.current)).toBe("2");
  });

  it("given another account's repository this account may pull from but not describe, when deploying its tag again, then it says it could not compare and starts nothing", async () => {
    const path = await stack(fake.current);
    const ecr = fake.current.ecr;
    ecr.push("shared", "v1", { registryId: OTHER_ACCOUNT });
    ecr.share("shared", { registryId: OTHER_ACCOUNT }, { pullOnly: true });
    expect((await runCli(["deploy", "--image", `${SHARED}:v1`, "--file", path], fake.current)).code).toBe(0);
    const first = ecr.digestOf("shared", "v1", { registryId: OTHER_ACCOUNT });
    ecr.push("shared", "v1", { registryId: OTHER_ACCOUNT });
    const second = ecr.digestOf("shared", "v1", { registryId: OTHER_ACCOUNT });

    const before = fake.current.calls.length;
    const result = await runCli(["deploy", "--image", `${SHARED}:v1`, "--file", path], fake.current);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /could not compare .*shared:v1 \(ECR answered AccessDeniedException\): no new deployment/,
    );
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(await runningDigests()).toEqual([first, first]);

    const forced = await runCli(
      ["deploy", "--image", `${SHARED}:v1`, "--force-new-deployment", "--file", path],
      fake.current,
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(await runningDigests()).toEqual([second, second]);
  });

  it("given :v2 pushed again with an image that cannot start, when deploying :v2, then the service goes back to the digest it ran and exits 1", async () => {
    const path = await stack(fake.current);
    const ecr = fake.current.ecr;
    ecr.push("startupwebapp", "v2");
    expect((await runCli(["deploy", "--image", ":v2", "--file", path], fake.current)).code).toBe(0);
    const good = ecr.digestOf("startupwebapp", "v2") as string;
    ecr.push("startupwebapp", "v2");
    fake.current.ecs.failImage(ecr.digestOf("startupwebapp", "v2") as string);

    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/CannotPullContainerError.* - rolled back: startupwebapp-service runs /);
    expect(await runningDigests()).toEqual([good, good]);
    const runs = fake.current.ecs.serviceNamed("startupwebapp-service")?.taskDefinition;
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(runs);
  });

  it("given the probe fails after the new deployment, when rolling back, then the digest the tasks ran before is pinned in a new revision and runs again", async () => {
    const path = await stack(fake.current);
    const ecr = fake.current.ecr;
    ecr.push("startupwebapp", "v2");
    expect((await runCli(["deploy", "--image", ":v2", "--file", path], fake.current)).code).toBe(0);
    const good = ecr.digestOf("startupwebapp", "v2") as string;
    ecr.push("startupwebapp", "v2");
    internetOf(fake.current).brokenPaths.add("/order/products");

    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `answered 500 - rolled back: startupwebapp-service runs the image ${REPO}:v2 named before again (${short(good)}, pinned in startupwebapp-service-task:3)`,
    );
    expect(fake.current.ecs.taskDefinitions.at(-1)?.containerDefinitions?.[0]?.image).toBe(`${REPO}@${good}`);
    expect(revisionOf(fake.current)).toBe("3");
    expect(recorded(path, "ECS_SERVICE_TASK_DEFINITION_ARN")).toBe(td(3));
    expect(await runningDigests()).toEqual([good, good]);

    // Fixed, :v2 deploys again: the service names another image now, so it gets a revision of its own.
    internetOf(fake.current).brokenPaths.clear();
    const fixed = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(revisionOf(fake.current)).toBe("4");
    expect(await runningDigests()).toEqual([ecr.digestOf("startupwebapp", "v2"), ecr.digestOf("startupwebapp", "v2")]);
  });

  it("when the new deployment's UpdateService answer was lost, a second run follows it and starts no other", async () => {
    const path = await stack(fake.current);
    const ecr = fake.current.ecr;
    ecr.push("startupwebapp", "v2");
    expect((await runCli(["deploy", "--image", ":v2", "--file", path], fake.current)).code).toBe(0);
    ecr.push("startupwebapp", "v2");
    fake.current.inject({ op: "UpdateService", nth: 1, when: "after" });
    expect((await runCli(["deploy", "--image", ":v2", "--file", path], fake.current)).code).toBe(3);
    fake.current.clearFaults();

    const before = fake.current.calls.length;
    const again = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(again.code, again.stderr).toBe(0);
    expect(updates(fake.current, before)).toEqual([]);
    const second = ecr.digestOf("startupwebapp", "v2");
    expect(await runningDigests()).toEqual([second, second]);
  });
});
