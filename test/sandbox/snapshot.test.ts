// The fake's state saved as JSON and put back into a new fake: the sandbox's account outlives each process. A
// restored fake answers as the original would have, and its asynchronous states keep moving with the clock.
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { restore, SNAPSHOT_FORMAT, snapshot } from "../../src/sandbox/aws/snapshot.js";
import { readText, runCli, tempEnvFile } from "../helpers.js";
import { installInProcess } from "../support/in-process.js";

/** Saved, written as JSON text and read back, into a new fake whose clock reads the same time. */
function reload(fake: AwsFake, laterMs = 0): AwsFake {
  const text = JSON.stringify(snapshot(fake));
  const next = new AwsFake();
  next.clock.advance(fake.clock.now() - next.clock.now() + laterMs);
  restore(next, JSON.parse(text));
  return next;
}

async function withFake<T>(fake: AwsFake, work: (f: AwsFake) => Promise<T>): Promise<T> {
  const installed = installInProcess(fake);
  try {
    return await work(installed);
  } finally {
    installed.restore();
  }
}

const SERVICE = "startupwebapp-service";

describe("the fake's state, saved and restored", () => {
  it("restores a whole stack that verifies, saves again to the same JSON, and destroys to nothing", async () => {
    const path = tempEnvFile();
    const original = new AwsFake();
    original.route53.addZone("startupwebapp.com");
    await withFake(original, async (f) => expect((await runCli(["create", "all", "--file", path], f)).code).toBe(0));

    const restored = reload(original);

    expect(snapshot(restored)).toEqual(snapshot(original));
    const verified = await withFake(restored, (f) => runCli(["verify", "all", "--file", path], f));
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/checks: \d+ OK, 0 FAIL, 0 SKIP/);
    // Shared references come back shared, and the service's status is read from the clock again.
    const service = restored.ecs.serviceNamed(SERVICE);
    expect(restored.ecs.tasks.filter((t) => t.stoppedAt === undefined).every((t) => t.service === service)).toBe(true);
    expect(service?.status).toBe("ACTIVE");

    const destroyed = await withFake(restored, (f) => runCli(["destroy", "all", "--yes", "--file", path], f));
    expect(destroyed.code).toBe(0);
    expect(restored.elbv2.liveLoadBalancers()).toEqual([]);
    expect(readText(path)).toMatch(/^ALB_ARN=""$/m);
  });

  it("keeps the clock-driven states moving: a load balancer provisioning when saved is active later", async () => {
    const path = tempEnvFile();
    const original = new AwsFake();
    await withFake(original, async (f) =>
      expect((await runCli(["create", "alb", "--no-wait", "--file", path], f)).code).toBe(0),
    );
    const [lb] = original.elbv2.liveLoadBalancers();
    const state = (fake: AwsFake) =>
      withFake(fake, async () => {
        const out = await new ElasticLoadBalancingV2Client({ region: "us-east-1" }).send(
          new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb?.arn ?? ""] }),
        );
        return out.LoadBalancers?.[0]?.State?.Code;
      });
    expect(await state(original)).toBe("provisioning");

    const soon = reload(original);
    const later = reload(original, original.latency.albActiveMs);

    expect(soon.elbv2.liveLoadBalancers().map((x) => x.arn)).toEqual([lb?.arn]);
    expect(await state(soon)).toBe("provisioning");
    expect(await state(later)).toBe("active");
  });

  it("goes on where the original would: a second service deployment after a restore", async () => {
    const path = tempEnvFile();
    const original = new AwsFake();
    original.route53.addZone("startupwebapp.com");
    await withFake(original, async (f) => expect((await runCli(["create", "all", "--file", path], f)).code).toBe(0));
    original.ecr.push("startupwebapp", "v2");

    const restored = reload(original);
    const deployed = await withFake(restored, (f) => runCli(["deploy", "--image", ":v2", "--file", path], f));

    expect(deployed.code).toBe(0);
    expect(restored.ecs.serviceNamed(SERVICE)?.taskDefinition).toMatch(/startupwebapp-service-task:2$/);
    expect(restored.ecs.serviceNamed(SERVICE)?.deployments.map((d) => d.rolloutState)).toEqual(["COMPLETED"]);
  });

  it("refuses a state saved in another format", () => {
    const saved = { ...snapshot(new AwsFake()), format: SNAPSHOT_FORMAT + 1 };
    expect(() => restore(new AwsFake(), saved)).toThrow(/format/);
  });
});
