// What a command that changes nothing costs in calls: a second `create all` reads each object of the stack once,
// however many resources look at it and whatever else the account holds.
import { describe, expect, it } from "vitest";
import type { Call } from "../src/sandbox/aws/aws-fake.js";
import { runCli, tempEnvFile, useFake } from "./helpers.js";
import { CROWD, crowd } from "./support/crowded-account.js";

/** One line per call: the operation and what it asked for. */
const asked = (calls: readonly Call[]) => calls.map((c) => `${c.service}:${c.op} ${JSON.stringify(c.input)}`);

const repeated = (lines: string[]) => lines.filter((line, i) => lines.indexOf(line) !== i);

describe("a create all that finds the stack as it should be", () => {
  const fake = useFake();

  async function secondCreateAll(): Promise<readonly Call[]> {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
    const before = fake.current.calls.length;
    expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    return fake.current.calls.slice(before);
  }

  it("reads each object once, though two resources read the zone, the service, its revision and the load balancer", async () => {
    const calls = await secondCreateAll();

    expect(repeated(asked(calls))).toEqual([]);
    expect(calls.length).toBeLessThanOrEqual(25);
  });

  it("verify all, status and plan read each object once too, though they look at the stack the same way", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);

    for (const command of [["verify", "all"], ["status"], ["plan", "all"]]) {
      const before = fake.current.calls.length;
      expect((await runCli([...command, "--file", path], fake.current)).code).toBe(0);
      const calls = fake.current.calls.slice(before);

      expect({ command, repeated: repeated(asked(calls)) }).toEqual({ command, repeated: [] });
      expect(calls.length).toBeLessThanOrEqual(30);
    }
  });

  it("reads whose the topic and the alarms are in one call, rather than one for each", async () => {
    const calls = await secondCreateAll();

    const ops = calls.map((c) => `${c.service}:${c.op}`);
    expect(ops.filter((op) => op === "ResourceGroupsTaggingAPI:GetResources")).toHaveLength(1);
    expect(ops).not.toContain("CloudWatch:ListTagsForResource");
    expect(ops).not.toContain("SNS:ListTagsForResource");
  });

  it(`makes no more calls beside ${CROWD} unrelated topics, alarms and certificates: no topic is found by listing them`, async () => {
    await crowd(fake.current);

    const calls = await secondCreateAll();

    const ops = calls.map((c) => `${c.service}:${c.op}`);
    expect(ops).not.toContain("SNS:ListTopics");
    // ListCertificates' largest page is 1,000: the certificates of the stack's names are looked for among them all.
    expect(ops.filter((op) => op === "ACM:ListCertificates")).toHaveLength(2);
    expect(repeated(asked(calls))).toEqual([]);
    expect(calls.length).toBeLessThanOrEqual(25);
  });
});
