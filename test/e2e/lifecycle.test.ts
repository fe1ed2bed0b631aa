// The main job, end to end, as a user runs it against the sandbox: create all, verify, status --json, deploy,
// rollback, destroy all, and create all again, each a process of the built binary with its exit code, stdout
// and stderr, the env file it leaves, and what the sandbox account holds afterwards. The binary reaches only
// 127.0.0.1: the deploy's HTTPS probe and the delegation check's DNS are the sandbox's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2e, inventory, openE2e, recordedIdsExist, wholeEnvFile } from "./support.js";

let e: E2e;
beforeAll(async () => {
  e = await openE2e();
});
afterAll(() => e.server.close());

const SERVICE = "startupwebapp-service";
const revisionOf = () => e.fake.ecs.serviceNamed(SERVICE)?.taskDefinition.split(":").at(-1);
const never = /loopback-only: refused|Error: |at .*\.js:\d+/;
let created: ReturnType<typeof inventory>;

describe("infra --sandbox, through the built binary", { timeout: 180_000 }, () => {
  it("creates the whole stack with create all: progress on stderr, the ids in the env file", async () => {
    const result = await e.run(["create", "all"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/… alb: waiting for load balancer startupwebapp-alb active \(provisioning/);
    expect(result.stderr).toMatch(/~ ecs-service: deployment .* completed/);
    expect(result.stderr).not.toMatch(never);
    expect(wholeEnvFile(e.envText())).toBe(true);
    expect(Object.entries(recordedIdsExist(e)).filter(([, found]) => !found)).toEqual([]);
    created = inventory(e.fake);
    expect(created).toMatchObject({
      loadBalancers: ["startupwebapp-alb"],
      listeners: ["HTTP:80", "HTTPS:443"],
      certificates: ["*.startupwebapp.com ISSUED"],
      services: [SERVICE],
      runningTasks: 2,
    });
  });

  it("verifies it: one line per check on stdout, exit 0", async () => {
    const result = await e.run(["verify", "all"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\[OK {2}\] alb: /m);
    expect(result.stdout).toMatch(/^\d+ checks: \d+ OK, 0 FAIL, \d+ SKIP$/m);
  });

  it("reports it with status --json: one JSON document on stdout, only NDJSON on stderr", async () => {
    const result = await e.run(["status", "--json"]);

    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as {
      resources: { resource: string; exists: string; changes: number; healthy: boolean }[];
    };
    expect(doc.resources.filter((r) => r.exists !== "yes" || r.changes > 0 || !r.healthy)).toEqual([]);
    expect(doc.resources.map((r) => r.resource)).toContain("ecs-service");
    for (const line of result.stderr.split("\n").filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("deploys a new image: a new revision, followed to completion, probed through the sandbox's HTTPS", async () => {
    const result = await e.run(["deploy", "--image", ":v2"]);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/health probe GET https:\/\/api\.startupwebapp\.com\/order\/products: 200/);
    expect(result.stderr).not.toMatch(never);
    expect(revisionOf()).toBe("2");
    expect(e.fake.ecs.taskDefinitions.find((t) => t.revision === 2)?.containerDefinitions?.[0]?.image).toMatch(/:v2$/);
  });

  it("rolls back to the revision that was deployed and healthy before", async () => {
    const result = await e.run(["rollback"]);

    expect(result.code).toBe(0);
    expect(revisionOf()).toBe("1");
  });

  it("destroys it all: the env file emptied of what was removed, nothing of the stack left", async () => {
    const result = await e.run(["destroy", "all", "--yes"]);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/nothing tagged Project=startupwebapp, ManagedBy=infra is left in us-east-1/);
    expect(e.recorded("ALB_ARN")).toBeUndefined();
    expect(wholeEnvFile(e.envText())).toBe(true);
    expect(inventory(e.fake)).toMatchObject({
      loadBalancers: [],
      targetGroups: [],
      listeners: [],
      certificates: [],
      services: [],
      scalableTargets: [],
      dashboards: [],
      topics: [],
      securityGroups: ["startupwebapp-backend-sg"],
    });
  });

  it("creates it again: the same stack as the first time, one of each", async () => {
    const result = await e.run(["create", "all"]);

    expect(result.code).toBe(0);
    expect(inventory(e.fake)).toEqual(created);
    expect(Object.entries(recordedIdsExist(e)).filter(([, found]) => !found)).toEqual([]);
  });
});
