// The CLI's main job over the wire, on the fake clock: the same commands, against the same models, through the
// SDK's HTTP stack (as against LocalStack or moto with --endpoint-url) instead of the in-process adapter. Both
// adapters leave AWS in the same state, through the same accepted calls.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sandboxEnvText } from "../../src/sandbox/account.js";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { readText, runCli, tempEnvFile } from "../helpers.js";
import { installInProcess } from "../support/in-process.js";
import { DUMMY_CREDENTIALS, openWire, type Wire } from "../support/wire.js";

let wire: Wire;
beforeEach(async () => {
  // --endpoint-url takes credentials from the SDK's default chain, as it would for LocalStack.
  vi.stubEnv("AWS_ACCESS_KEY_ID", DUMMY_CREDENTIALS.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", DUMMY_CREDENTIALS.secretAccessKey);
  wire = await openWire();
  wire.fake.route53.addZone("startupwebapp.com");
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await wire.server.close();
});

const cli = (args: string[], path: string) =>
  runCli([...args, "--file", path, "--endpoint-url", wire.server.url], wire.fake);

/** The mutating calls AWS accepted, as a sorted list of "Service Operation". */
const accepted = (fake: AwsFake) =>
  fake
    .mutatingCalls()
    .filter((c) => !c.refused)
    .map((c) => `${c.service} ${c.op}`)
    .sort();

describe("the CLI over the wire", () => {
  it("creates the whole stack, verifies it, reports it, changes nothing the second time and destroys it", async () => {
    const path = tempEnvFile();

    const created = await cli(["create", "all"], path);
    expect(created.code).toBe(0);
    expect(readText(path)).toMatch(
      /^ALB_ARN="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\//m,
    );

    const verified = await cli(["verify", "all"], path);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/\d+ checks: \d+ OK, 0 FAIL, \d+ SKIP/);

    const status = await cli(["status", "--json"], path);
    const rows = JSON.parse(status.stdout).resources as { resource: string; exists: boolean; healthy: boolean }[];
    expect(rows.filter((r) => !r.exists || !r.healthy)).toEqual([]);

    const before = wire.fake.calls.length;
    expect((await cli(["create", "all"], path)).code).toBe(0);
    expect(wire.fake.mutatingCalls(before)).toEqual([]);

    const destroyed = await cli(["destroy", "all", "--yes"], path);
    expect(destroyed.code).toBe(0);
    expect(destroyed.stderr).toMatch(/nothing tagged Project=startupwebapp, ManagedBy=infra is left in us-east-1/);
    expect(wire.fake.elbv2.liveLoadBalancers()).toEqual([]);
  });

  it("deploys and rolls back with --sandbox against a served sandbox, its probe and DNS answered by the sandbox", async () => {
    const path = tempEnvFile(sandboxEnvText(), "aws-resources.sandbox.env");
    const sandbox = (args: string[]) =>
      runCli(["--sandbox", ...args, "--file", path], wire.fake, {}, { env: { INFRA_SANDBOX_URL: wire.server.url } });
    wire.fake.ecr.push("startupwebapp", "v2");

    expect((await sandbox(["create", "all"])).code).toBe(0);
    const deployed = await sandbox(["deploy", "--image", ":v2"]);
    const rolledBack = await sandbox(["rollback"]);

    expect(deployed.code).toBe(0);
    expect(deployed.stderr).toMatch(/health probe GET https:\/\/api\.startupwebapp\.com\/order\/products: 200/);
    expect(rolledBack.code).toBe(0);
    expect(wire.fake.ecs.serviceNamed("startupwebapp-service")?.taskDefinition).toMatch(
      /startupwebapp-service-task:1$/,
    );
    const verified = await sandbox(["verify", "acm-certificate"]);
    expect(verified.stdout).toMatch(/\[OK {2}\] acm-certificate: startupwebapp\.com is delegated to its Route 53 zone/);
  });

  it("makes the same accepted calls as the in-process adapter for create all", async () => {
    const path = tempEnvFile();
    expect((await cli(["create", "all"], path)).code).toBe(0);

    const inProcess = installInProcess(new AwsFake());
    try {
      inProcess.route53.addZone("startupwebapp.com");
      const other = tempEnvFile();
      expect((await runCli(["create", "all", "--file", other], inProcess)).code).toBe(0);
      expect(accepted(wire.fake)).toEqual(accepted(inProcess));
      // The same lines: steps that run side by side append their keys in whichever order they finish.
      const lines = (text: string) => text.split("\n").sort();
      expect(lines(readText(path))).toEqual(lines(readText(other)));
    } finally {
      inProcess.restore();
    }
  });
});
