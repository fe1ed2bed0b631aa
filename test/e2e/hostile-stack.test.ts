// The hostile or careless cases that need a stack to show: the built binary against a sandbox this test serves, so
// what reached "AWS" can be read back. A secret that does not exist, public subnets in one zone, a revision of
// another family, a claim left by a dead process, SIGTERM from CI: each is refused, said or cleaned up as promised.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sandboxEnvText } from "../../src/sandbox/account.js";
import { PRIVATE_SUBNETS } from "../../src/sandbox/aws/ec2.js";
import { DB_SECRET_ARN } from "../../src/sandbox/aws/secrets.js";
import { type E2e, ENV_FILE, inventory, openE2e } from "./support.js";

/** The sandbox's env file, with lines replaced, written before the first command. */
function withEnv(e: E2e, lines: Record<string, string>): void {
  let text = sandboxEnvText();
  for (const [key, value] of Object.entries(lines))
    text = text.replace(new RegExp(`^${key}=.*$`, "m"), `${key}="${value}"`);
  writeFileSync(join(e.cwd, ENV_FILE), text);
}

async function withSandbox(test: (e: E2e) => Promise<void>, factor?: number): Promise<void> {
  const e = await openE2e(factor);
  try {
    await test(e);
  } finally {
    await e.server.close();
  }
}

const mutations = (e: E2e) => e.fake.acceptedMutations().map((m) => m.op);

describe("create, before it changes anything, through the binary", { timeout: 60_000 }, () => {
  it("refuses a task definition whose database secret does not exist (exit 2), as deploy does, and makes nothing", () =>
    withSandbox(async (e) => {
      const missing = DB_SECRET_ARN.replace(/-[A-Za-z0-9]{6}$/, "-Gone00");
      withEnv(e, { DB_SECRET_ARN: missing });
      const before = inventory(e.fake);

      const result = await e.run(["create", "all"]);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `^error: secret ${missing}, referenced by task definition startupwebapp-service-task, does not exist`,
          "m",
        ),
      );
      expect(mutations(e)).toEqual([]);
      expect(inventory(e.fake)).toEqual(before);
    }));

  it("refuses public subnets in one Availability Zone (exit 2), naming the zone the VPC has besides, and makes nothing", () =>
    withSandbox(async (e) => {
      // The second public subnet swapped for a private one in the first one's zone, us-east-1a.
      withEnv(e, { PUBLIC_SUBNET_2_ID: PRIVATE_SUBNETS[0] as string });

      const result = await e.run(["create", "alb"]);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error: PUBLIC_SUBNET_1_ID subnet-\w+ and PUBLIC_SUBNET_2_ID subnet-\w+ are both in us-east-1a: an Application Load Balancer needs subnets in two Availability Zones, and is missing a subnet in a second zone \(vpc-\w+ has subnets in us-east-1b\)/m,
      );
      expect(mutations(e)).toEqual([]);
    }));

  it("creates the stack as before when the subnets are in two zones and the secret exists", () =>
    withSandbox(async (e) => {
      const result = await e.run(["create", "alb"]);

      expect(result.code, result.stderr).toBe(0);
      const [lb] = e.fake.elbv2.liveLoadBalancers();
      expect(lb?.subnets.map((s) => e.fake.ec2.subnets.zoneOf(s)).sort()).toEqual(["us-east-1a", "us-east-1b"]);
    }));
});

describe("rollback --to, through the binary", { timeout: 90_000 }, () => {
  it("refuses a revision of another family (exit 2) and sends no UpdateService", () =>
    withSandbox(async (e) => {
      expect((await e.run(["create", "all"])).code).toBe(0);
      const updates = () => e.fake.calls.filter((c) => c.op === "UpdateService").length;
      const before = updates();

      const result = await e.run(["rollback", "--to", "startupwebapp-migration-task:1"]);

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error: --to startupwebapp-migration-task:1 is a revision of startupwebapp-migration-task, and the service runs startupwebapp-service-task: rollback moves it between revisions of that family only/m,
      );
      expect(updates()).toBe(before);
    }));
});

describe("the stack claim of a process that is gone, through the binary", { timeout: 60_000 }, () => {
  it.each([
    ["create", ["create", "ecs-service-task-definition"]],
    ["destroy", ["destroy", "ecs-service-task-definition", "--yes"]],
    ["deploy", ["deploy", "--image", ":v2"]],
  ])("is taken over by %s with a word about it", (_command, args) =>
    withSandbox(async (e) => {
      withEnv(e, {});
      const claim = join(e.cwd, `${ENV_FILE}.run.lock`);
      writeFileSync(claim, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), at: Date.now() - 60_000 }));

      const result = await e.run(args);

      expect(result.stderr).toMatch(/took over the stack's claim of .*\(process 4206649 on .*: its process is gone/);
      expect(existsSync(claim)).toBe(false);
    }),
  );
});

describe("SIGTERM, as CI sends when it cancels a job, through the binary", { timeout: 90_000 }, () => {
  it("stops create all with exit 130, one JSON document, and the stack claim let go, as Ctrl-C does", () =>
    withSandbox(async (e) => {
      const running = e.start(["create", "all", "--json"]);
      await running.waitFor(/"kind":"waiting"/, "stderr");

      running.child.kill("SIGTERM");
      const ended = await running.ended;

      expect(ended.code).toBe(130);
      expect(JSON.parse(ended.stdout)).toEqual({ ok: false, error: "interrupted", exitCode: 130 });
      for (const line of ended.stderr.trimEnd().split("\n")) expect(() => JSON.parse(line), line).not.toThrow();
      expect(ended.stderr).toMatch(/"kind":"interrupted","message":"interrupted \(SIGTERM\)"/);
      expect(readdirSync(e.cwd).filter((f) => f.endsWith(".run.lock"))).toEqual([]);
    }, 1 / 40));

  it("lets dr-drill delete the instance it restored before exiting 130, as Ctrl-C does", () =>
    withSandbox(async (e) => {
      const running = e.start(["dr-drill"]);
      await running.waitFor(/waiting for DB instance \S+-drill-\d{8} available/, "stderr");

      running.child.kill("SIGTERM");
      const ended = await running.ended;

      expect(ended.code).toBe(130);
      expect(ended.stderr).toMatch(/interrupted \(SIGTERM\): cleaning up/);
      const restored = e.fake.calls.find((c) => c.op.startsWith("RestoreDBInstance") && !c.refused);
      const deleted = e.fake.calls.filter((c) => c.op === "DeleteDBInstance" && !c.refused);
      const id = (c: { input: unknown } | undefined) =>
        (c?.input as { DBInstanceIdentifier?: string })?.DBInstanceIdentifier;
      expect(id(restored)).toMatch(/-drill-\d{8}$/);
      expect(deleted.map(id)).toContain(id(restored));
    }, 1 / 40));
});
