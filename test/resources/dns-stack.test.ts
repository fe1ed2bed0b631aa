// alb, acm-certificate and route53-records together, as `create all` and `destroy all` run them.

import { writeFileSync } from "node:fs";
import { DeleteListenerCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import { acmResource } from "../../src/resources/acm-certificate/config.js";
import { albResource } from "../../src/resources/alb/config.js";
import type { Check } from "../../src/resources/resource.js";
import { route53RecordsResource } from "../../src/resources/route53-records/config.js";
import { contextFor, INPUTS, lifecycleOf, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { DOMAIN, dnsState, FULL, mutations, runStack, userZone } from "./dns-support.js";

const verifyAll = async (ctx: Parameters<ReturnType<typeof lifecycleOf>["verify"]>[0]): Promise<Check[]> => [
  ...(await lifecycleOf(albResource).verify(ctx)),
  ...(await lifecycleOf(acmResource).verify(ctx)),
  ...(await lifecycleOf(route53RecordsResource).verify(ctx)),
];

const EMPTY_USER_ZONE = { certificates: [], zones: [{ name: `${DOMAIN}.`, records: [] }], listeners: [] };

describe("alb, acm-certificate and route53-records against the AWS fake", () => {
  const fake = useFake();

  const orders: [string, string[][]][] = [
    // The HTTPS listener is alb's: made by the `create alb` that finds the certificate issued.
    [
      "the ALB first, then the certificate, then the ALB again",
      [["alb"], ["acm-certificate"], ["route53-records"], ["alb"]],
    ],
    ["the certificate first, then the ALB", [["acm-certificate"], ["alb"], ["route53-records"]]],
    ["all at once (the HTTPS listener waits for the certificate)", [["alb", "acm-certificate", "route53-records"]]],
  ];
  for (const [name, runs] of orders) {
    it(`reach the same stack with ${name}, verify clean, go away and come back`, async () => {
      const zoneId = userZone(fake.current);
      const path = tempEnvFile();
      for (let round = 0; round < 2; round++) {
        for (const names of runs) await runStack(fake.current, path, "create", names);
        const ctx = await contextFor(fake.current, path);
        expect(dnsState(fake.current)).toEqual(FULL);
        expect((await verifyAll(ctx)).filter((c) => c.status !== "OK")).toEqual([]);
        expect(ctx.env.get("HOSTED_ZONE_ID")).toBe(zoneId);
        expect(ctx.env.get("HOSTED_ZONE_CREATED_BY_INFRA")).toBe("false");
        expect(ctx.env.get("API_ALIAS_RECORD")).toBe(`api.${DOMAIN}`);

        await runStack(fake.current, path, "destroy");
        expect(dnsState(fake.current)).toEqual(EMPTY_USER_ZONE);
        const after = await contextFor(fake.current, path);
        expect(after.env.get("ACM_CERTIFICATE_ARN")).toBeUndefined();
        expect(after.env.get("API_ALIAS_RECORD")).toBeUndefined();
        // The zone is the user's: it stays, and so does its id.
        expect(after.env.get("HOSTED_ZONE_ID")).toBe(zoneId);
      }
      expect(readText(path).startsWith(INPUTS)).toBe(true);
    });
  }

  it("makes no mutating call when create runs again on the finished stack, and plans nothing", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create");
    const before = fake.current.calls.length;
    const ctx = await runStack(fake.current, path, "create");
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    const plans = [await lifecycleOf(acmResource).plan(ctx), await lifecycleOf(route53RecordsResource).plan(ctx)];
    expect(plans.flatMap((p) => p.changes).filter((c) => c.action !== "keep" && c.action !== "use")).toEqual([]);
    expect(fake.current.calls.filter((c) => c.op === "RequestCertificate")).toHaveLength(1);
  });

  it("finds nothing and succeeds when destroy runs twice", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create");
    await runStack(fake.current, path, "destroy");
    const before = fake.current.calls.length;
    await runStack(fake.current, path, "destroy");
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });
});

describe("a certificate the HTTPS listener serves", () => {
  const fake = useFake();

  it("is not destroyed alone: exit 2 before any change, saying to destroy alb first", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create");
    const before = fake.current.calls.length;
    const result = await runCli(["destroy", "acm-certificate", "--yes", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: certificate \*\.startupwebapp\.com is in use by a listener of load balancer startupwebapp-alb - destroy alb first \(`infra destroy alb -f \S+`\), or both at once \(`infra destroy all -f \S+`\)$/m,
    );
    expect(mutations(fake.current, before)).toEqual([]);
  });

  it("is deleted within destroy all once ACM has noticed the listener is gone (ResourceInUse is waited out)", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create");
    const ctx = await runStack(fake.current, path, "destroy");
    const waits = ctx.events.log.filter((e) => e.resource === "acm-certificate" && e.kind === "waiting");
    expect(waits.map((e) => e.state)).toContain("ResourceInUseException");
    expect(dnsState(fake.current).certificates).toEqual([]);
  });

  it("is deleted by itself a moment after its listener went: ACM's late InUseBy is waited out, not refused", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create");
    // The HTTPS listener goes (as `infra destroy alb` removes it first); ACM lists the load balancer a while longer.
    const https = [...fake.current.elbv2.listeners.values()].find((l) => l.Port === 443);
    await new ElasticLoadBalancingV2Client({ region: "us-east-1" }).send(
      new DeleteListenerCommand({ ListenerArn: https?.ListenerArn }),
    );
    const ctx = await runStack(fake.current, path, "destroy", ["acm-certificate"]);
    expect(ctx.events.log.filter((e) => e.kind === "waiting").map((e) => e.state)).toContain("ResourceInUseException");
    expect(dnsState(fake.current).certificates).toEqual([]);
  });

  it("is refused even within destroy all when something outside the stack uses it (a CloudFront distribution)", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create");
    const arn = (await contextFor(fake.current, path)).env.get("ACM_CERTIFICATE_ARN") as string;
    const distribution = "arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE0001";
    fake.current.acm.attach(arn, distribution);
    await expect(runStack(fake.current, path, "destroy")).rejects.toMatchObject({
      exitCode: 2,
      message: `certificate *.startupwebapp.com is in use by ${distribution}`,
    });
    expect(fake.current.acm.certificates.has(arn)).toBe(true);
  });

  it("is replaced for a new DOMAIN_NAME by a second one beside it, and deleted once alb serves the new one", async () => {
    userZone(fake.current);
    fake.current.route53.addZone("example.org");
    const path = tempEnvFile();
    await runStack(fake.current, path, "create");
    const old = (await contextFor(fake.current, path)).env.get("ACM_CERTIFICATE_ARN") as string;
    writeFileSync(
      path,
      readText(path)
        .replace(`DOMAIN_NAME="${DOMAIN}"`, 'DOMAIN_NAME="example.org"')
        .replace(`API_DOMAIN_NAME="api.${DOMAIN}"`, 'API_DOMAIN_NAME="api.example.org"'),
    );
    const ctx = await contextFor(fake.current, path);
    const changes = (await lifecycleOf(acmResource).plan(ctx)).changes.filter((c) => c.action !== "use");
    expect(changes.map((c) => `${c.action} ${"desired" in c ? c.desired.name : c.observed.name}`)).toEqual([
      "create *.example.org",
      "create CNAME of example.org",
      "delete *.startupwebapp.com (other names)",
    ]);

    await lifecycleOf(acmResource).create(ctx);
    expect(ctx.events.log.some((e) => e.kind === "skipped" && e.message.includes("still served by a listener"))).toBe(
      true,
    );
    expect(fake.current.acm.certificates.has(old)).toBe(true);
    // alb moves the listener to the new certificate; then nothing holds the old one (once ACM notices).
    await runStack(fake.current, path, "create", ["alb"]);
    await runStack(fake.current, path, "create", ["acm-certificate"]);
    expect(dnsState(fake.current).certificates).toEqual(["*.example.org,example.org ISSUED"]);
    expect(dnsState(fake.current).zones.map((z) => z.records.filter((r) => r.includes("CNAME")).length)).toEqual([
      0, 1,
    ]);
  });
});

describe("DNS inputs are checked before any change", () => {
  const fake = useFake();
  const cases: [string, string, RegExp][] = [
    [
      "a domain with spaces",
      'DOMAIN_NAME="startup webapp.com"',
      /DOMAIN_NAME="startup webapp\.com" is not a domain name/,
    ],
    ["a domain without a dot", 'DOMAIN_NAME="localhost"', /DOMAIN_NAME="localhost" is not a domain name/],
    ["a leading hyphen", 'DOMAIN_NAME="-startupwebapp.com"', /is not a domain name/],
    [
      "an API name outside the domain",
      'API_DOMAIN_NAME="api.example.org"',
      /API_DOMAIN_NAME="api\.example\.org" is not within DOMAIN_NAME startupwebapp\.com/,
    ],
    ["a malformed zone id", 'HOSTED_ZONE_ID="zone-1"', /HOSTED_ZONE_ID="zone-1" is not a hosted zone id/],
    ["an unknown DNS provider", 'DNS_PROVIDER="namecheap"', /DNS_PROVIDER="namecheap"/],
    [
      "a certificate of another region",
      'ACM_CERTIFICATE_ARN="arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-a000-000000000001"',
      /ACM_CERTIFICATE_ARN is a certificate in eu-west-1, but the stack is in us-east-1/,
    ],
  ];
  for (const [name, line, message] of cases) {
    it(`rejects ${name} with exit 2 and no AWS call`, async () => {
      const key = line.split("=")[0] as string;
      const text = INPUTS.includes(`${key}=`)
        ? INPUTS.replace(new RegExp(`^${key}=.*$`, "m"), line)
        : `${INPUTS}${line}\n`;
      const path = tempEnvFile(text);
      const result = await runCli(["create", "acm-certificate", "route53-records", "--file", path], fake.current);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(fake.current.calls).toEqual([]);
      expect(readText(path)).toBe(text);
    });
  }

  it("rejects a HOSTED_ZONE_ID of another domain with exit 2, changing nothing", async () => {
    const other = fake.current.route53.addZone("example.org").replace("/hostedzone/", "");
    const text = `${INPUTS}HOSTED_ZONE_ID="${other}"\n`;
    const path = tempEnvFile(text);
    const result = await runCli(["create", "acm-certificate", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `HOSTED_ZONE_ID ${other} is the zone of example\\.org\\., not the public zone of startupwebapp\\.com\\.`,
      ),
    );
    expect(fake.current.mutatingCalls()).toEqual([]);
    expect(readText(path)).toBe(text);
  });

  it("asks for HOSTED_ZONE_ID when two public zones share the domain's name, changing nothing", async () => {
    userZone(fake.current);
    userZone(fake.current);
    const result = await runCli(["create", "acm-certificate", "--file", tempEnvFile()], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/2 public hosted zones are named startupwebapp\.com\.: .* - set HOSTED_ZONE_ID/);
    expect(fake.current.mutatingCalls()).toEqual([]);
  });
});

describe("alb, acm-certificate and route53-records through the CLI", () => {
  const fake = useFake();
  const THREE = ["alb", "acm-certificate", "route53-records"];

  it("plans all three on an empty account, creates them, verifies clean, and destroys them", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    const planned = await runCli(["plan", ...THREE, "--file", path], fake.current);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/\+ certificate \*\.startupwebapp\.com/);
    expect(planned.stdout).toMatch(/validates: \(known after certificate \*\.startupwebapp\.com\)/);
    expect(planned.stdout).toMatch(/points at: \(known after alb\)/);

    const created = await runCli(["create", ...THREE, "--file", path], fake.current);
    expect(created.code, created.stderr).toBe(0);
    expect(dnsState(fake.current)).toEqual(FULL);
    const verified = await runCli(["verify", ...THREE, "--file", path], fake.current);
    expect(verified.code, verified.stdout).toBe(0);
    expect(verified.stdout).not.toMatch(/^\[FAIL\]/m);

    const destroyed = await runCli(["destroy", ...THREE, "--yes", "--file", path], fake.current);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(dnsState(fake.current)).toEqual(EMPTY_USER_ZONE);
  });

  const denied = (action: string) => () =>
    Object.assign(new Error(`User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ${action}`), {
      name: "AccessDenied",
      Code: "AccessDenied",
      $fault: "client",
      $metadata: { httpStatusCode: 403 },
    });

  it("ends at once, exit 3 with AWS's message, on a permanent error where ResourceInUse is retried", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create");
    fake.current.inject({ op: "DeleteCertificate", nth: 1, error: denied("acm:DeleteCertificate") });
    const start = fake.current.clock.now();
    const result = await runCli(["destroy", ...THREE, "--yes", "--file", path], fake.current);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/delete certificate \*\.startupwebapp\.com: AccessDenied: .*acm:DeleteCertificate/);
    // The load balancer's own waits take minutes; the certificate's error did not wait for a timeout.
    expect(fake.current.clock.now() - start).toBeLessThan(10 * 60_000);
  });

  it("ends at once, exit 3 with AWS's message, on a permanent error where a new zone's NoSuchHostedZone is retried", async () => {
    const path = tempEnvFile();
    fake.current.inject({
      op: "ChangeResourceRecordSets",
      nth: 1,
      error: () =>
        Object.assign(new Error("Invalid XML ; cvc-complex-type.2.4.a"), {
          name: "InvalidInput",
          Code: "InvalidInput",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
        }),
    });
    const result = await runCli(["create", "acm-certificate", "--file", path], fake.current);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/change records validation CNAME .*: InvalidInput: Invalid XML/);
    expect(fake.current.calls.filter((c) => c.op === "ChangeResourceRecordSets")).toHaveLength(1);
  });
});
