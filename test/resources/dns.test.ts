import { describe, expect, it } from "vitest";
import type { Context } from "../../src/core/context.js";
import * as acm from "../../src/resources/acm-certificate/actions.js";
import { acmConfig } from "../../src/resources/acm-certificate/config.js";
import * as alb from "../../src/resources/alb/actions.js";
import { albConfig } from "../../src/resources/alb/config.js";
import type { Check } from "../../src/resources/resource.js";
import * as records from "../../src/resources/route53-records/actions.js";
import { recordsConfig } from "../../src/resources/route53-records/config.js";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { contextFor, INPUTS, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { installInProcess } from "../support/in-process.js";

type Step = (ctx: Context) => Promise<void>;
const step = {
  alb: (ctx: Context) => alb.create(ctx, albConfig(ctx.env, "create")),
  cert: (ctx: Context) => acm.create(ctx, acmConfig(ctx.env, "create")),
  records: (ctx: Context) => records.create(ctx, recordsConfig(ctx.env, "create")),
} satisfies Record<string, Step>;
const destroyAll = async (ctx: Context) => {
  await records.destroy(ctx, recordsConfig(ctx.env, "destroy"));
  await acm.destroy(ctx, acmConfig(ctx.env, "destroy"));
  await alb.destroy(ctx, albConfig(ctx.env, "destroy"));
};
const verifyAll = async (ctx: Context): Promise<Check[]> => [
  ...(await alb.verify(ctx, albConfig(ctx.env, "verify"))),
  ...(await acm.verify(ctx, acmConfig(ctx.env, "verify"))),
  ...(await records.verify(ctx, recordsConfig(ctx.env, "verify"))),
];

/** What AWS holds: certificates, zones and their records, listeners, without ids that change run to run. */
function dnsState(fake: AwsFake) {
  const zones = [...fake.route53.zones.values()];
  return {
    certificates: [...fake.acm.certificates.values()]
      .filter((c) => !("deleted" in c && c.deleted))
      .map(
        (c) =>
          `${c.DomainName} ${[...(c.SubjectAlternativeNames ?? [])].sort().join(",")} ${fake.acm.statusOf(c.CertificateArn)}`,
      ),
    zones: zones.map((z) => ({
      name: z.Name,
      records: fake.route53
        .recordsOf(z.Id)
        .filter((r) => r.Type !== "SOA" && r.Type !== "NS")
        .map((r) =>
          `${r.Name} ${r.Type} ${r.AliasTarget ? `alias ${r.AliasTarget.DNSName} ${r.AliasTarget.EvaluateTargetHealth}` : r.ResourceRecords?.map((v) => v.Value).join(",")}`
            .replace(/_[0-9a-f]{32}/g, "_X")
            .replace(/startupwebapp-alb-[0-9a-f]+/, "startupwebapp-alb-ID"),
        ),
    })),
    listeners: [...fake.elbv2.listeners.values()].map((l) => `${l.Protocol}:${l.Port}`).sort(),
  };
}

const FULL_STACK = {
  certificates: ["*.startupwebapp.com *.startupwebapp.com,startupwebapp.com ISSUED"],
  zones: [
    {
      name: "startupwebapp.com.",
      records: [
        expect.stringMatching(/^_X\.startupwebapp\.com\. CNAME _X\.[a-z]+\.acm-validations\.aws\.$/),
        "api.startupwebapp.com. A alias startupwebapp-alb-ID.us-east-1.elb.amazonaws.com. true",
      ],
    },
  ],
  listeners: ["HTTP:80", "HTTPS:443"],
};

describe("acm-certificate and route53-records against the AWS fake", () => {
  const fake = useFake();

  for (const order of [
    ["alb", "cert", "records"],
    ["cert", "alb", "records"],
  ] as const) {
    it(`reach the same stack created in the order ${order.join(", ")}, and go away and come back`, async () => {
      fake.current.route53.addZone("startupwebapp.com");
      const path = tempEnvFile();
      for (let round = 0; round < 2; round++) {
        for (const name of order) await step[name](await contextFor(fake.current, path));
        const ctx = await contextFor(fake.current, path);
        expect(dnsState(fake.current)).toEqual(FULL_STACK);
        expect((await verifyAll(ctx)).filter((c) => c.status !== "OK")).toEqual([]);
        await destroyAll(ctx);
        expect(dnsState(fake.current)).toEqual({
          certificates: [],
          zones: [{ name: "startupwebapp.com.", records: [] }],
          listeners: [],
        });
        expect(ctx.env.get("ACM_CERTIFICATE_ARN")).toBeUndefined();
        // The zone was the user's: it stays, and so does its id.
        expect(ctx.env.get("HOSTED_ZONE_ID")).toBe(
          fake.current.route53.zonesNamed("startupwebapp.com")[0]?.Id.replace("/hostedzone/", ""),
        );
      }
    });
  }

  it("waits for ISSUED, not for the names to read SUCCESS, and writes the shared CNAME once", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const ctx = await contextFor(fake.current, tempEnvFile());
    await step.cert(ctx);
    const upserts = fake.current.calls.filter((c) => c.op === "ChangeResourceRecordSets");
    expect(upserts).toHaveLength(1);
    expect(upserts[0]?.input).toMatchObject({ ChangeBatch: { Changes: [{ Action: "UPSERT" }] } });
    const states = ctx.events.log.filter((e) => e.kind === "waiting").map((e) => e.state);
    expect(states).toContain("PENDING_VALIDATION, 2/2 names validated");
    expect(fake.current.acm.statusOf(ctx.env.get("ACM_CERTIFICATE_ARN") as string)).toBe("ISSUED");
  });

  it("makes no mutating call when run again, and requests no second certificate", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    for (const name of ["alb", "cert", "records"] as const) await step[name](await contextFor(fake.current, path));
    const before = fake.current.calls.length;
    for (const name of ["alb", "cert", "records"] as const) await step[name](await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("makes the hosted zone when there is none, says which name servers to set, and removes it on destroy", async () => {
    const path = tempEnvFile();
    await step.alb(await contextFor(fake.current, path));
    const ctx = await contextFor(fake.current, path);
    await step.records(ctx);
    const zones = fake.current.route53.zonesNamed("startupwebapp.com");
    expect(zones).toHaveLength(1);
    expect(
      ctx.events.log.some(
        (e) =>
          e.kind === "warning" &&
          e.message.includes("at the registrar of startupwebapp.com (until then nobody sees the zone): ns-"),
      ),
    ).toBe(true);
    expect(ctx.env.get("HOSTED_ZONE_CREATED_BY_INFRA")).toBe("true");
    await step.cert(await contextFor(fake.current, path));
    expect(fake.current.route53.zonesNamed("startupwebapp.com")).toHaveLength(1);
    await destroyAll(await contextFor(fake.current, path));
    expect(fake.current.route53.zonesNamed("startupwebapp.com")).toEqual([]);
    expect(readText(path)).toContain('HOSTED_ZONE_ID=""');
  });

  it("stops with a plain message, instead of waiting, when the domain is delegated elsewhere", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    fake.current.delegations.set("startupwebapp.com", ["ns1.registrar-parking.example."]);
    const path = tempEnvFile();
    const result = await runCli(["create", "acm-certificate", "--file", path], fake.current);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /certificate validation cannot complete: startupwebapp\.com is delegated to ns1\.registrar-parking\.example\., not to its Route 53 zone/,
    );
    expect(fake.current.clock.slept).toBeLessThan(60_000);
    // The request is kept: the next run, once delegated, picks it up.
    expect(readText(path)).toMatch(/ACM_CERTIFICATE_ARN="arn:aws:acm:/);
  });

  it("prints the CNAME to set by hand when DNS is elsewhere, and --no-wait returns at once", async () => {
    const path = tempEnvFile(`${INPUTS}DNS_PROVIDER="external"\n`);
    const result = await runCli(["create", "acm-certificate", "--file", path, "--no-wait"], fake.current);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /set this record at your DNS provider: _[0-9a-f]+\.startupwebapp\.com\. CNAME _[0-9a-f]+\.[a-z]+\.acm-validations\.aws\./,
    );
    expect(fake.current.route53.zones.size).toBe(0);
    const timedOut = await runCli(["create", "acm-certificate", "--file", path, "--timeout", "2m"], fake.current);
    expect(timedOut.code).toBe(3);
    expect(timedOut.stderr).toMatch(
      /timed out after 120 s waiting for certificate for startupwebapp\.com ISSUED - run the same command again/,
    );
    expect(dnsState(fake.current).certificates).toHaveLength(1);
  });

  it("records the request under --no-wait, and a later create resumes the wait and attaches it", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    await step.alb(await contextFor(fake.current, path));
    await step.cert(await contextFor(fake.current, path, { wait: false }));
    const arn = readText(path).match(/ACM_CERTIFICATE_ARN="([^"]+)"/)?.[1] as string;
    expect(fake.current.acm.statusOf(arn)).toBe("PENDING_VALIDATION");
    expect(dnsState(fake.current).listeners).toEqual(["HTTP:80"]);
    await step.cert(await contextFor(fake.current, path));
    expect(fake.current.acm.statusOf(arn)).toBe("ISSUED");
    expect(dnsState(fake.current).certificates).toHaveLength(1);
    expect(dnsState(fake.current).listeners).toEqual(["HTTP:80", "HTTPS:443"]);
  });

  it("verifies expiry and delegation, and skips the delegation check when public DNS cannot be reached", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    for (const name of ["alb", "cert", "records"] as const) await step[name](await contextFor(fake.current, path));
    const ctx = await contextFor(fake.current, path);
    const arn = ctx.env.get("ACM_CERTIFICATE_ARN") as string;
    const cert = fake.current.acm.certificates.get(arn) as { notAfter?: number };
    cert.notAfter = fake.current.clock.now() + 10 * 86_400_000;
    ctx.dns = {
      resolveNs: async () => {
        throw Object.assign(new Error("queryNs ECONNREFUSED startupwebapp.com"), { code: "ECONNREFUSED" });
      },
    };
    const checks = await verifyAll(ctx);
    expect(checks.filter((c) => c.status === "FAIL").map((c) => c.name)).toEqual([
      "certificate does not expire within 30 days",
    ]);
    expect(checks.filter((c) => c.status === "SKIP")).toEqual([
      expect.objectContaining({ resource: "acm-certificate", detail: "could not ask public DNS (ECONNREFUSED)" }),
      expect.objectContaining({ resource: "route53-records", detail: "could not ask public DNS (ECONNREFUSED)" }),
    ]);
  });

  it("deletes the certificate only once ACM has noticed its listener is gone", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    for (const name of ["alb", "cert"] as const) await step[name](await contextFor(fake.current, path));
    const ctx = await contextFor(fake.current, path);
    await acm.destroy(ctx, acmConfig(ctx.env, "destroy"));
    const states = ctx.events.log.filter((e) => e.kind === "waiting").map((e) => e.state);
    expect(states).toContain("ResourceInUseException");
    expect(dnsState(fake.current).certificates).toEqual([]);
    expect(dnsState(fake.current).listeners).toEqual(["HTTP:80"]);
    expect(ctx.env.get("HTTPS_LISTENER_ARN")).toBeUndefined();
  });

  it("leaves an A record that points somewhere else", async () => {
    const zoneId = fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    for (const name of ["alb", "records"] as const) await step[name](await contextFor(fake.current, path));
    const a = fake.current.route53.recordsOf(zoneId).find((r) => r.Type === "A");
    if (a?.AliasTarget) a.AliasTarget.DNSName = "other-lb-123.us-east-1.elb.amazonaws.com.";
    const ctx = await contextFor(fake.current, path);
    await records.destroy(ctx, recordsConfig(ctx.env, "destroy"));
    expect(fake.current.route53.recordsOf(zoneId).filter((r) => r.Type === "A")).toHaveLength(1);
    expect(ctx.events.log.some((e) => e.kind === "skipped" && e.message.includes("does not point at"))).toBe(true);
  });

  it("refuses route53-records before the ALB exists, saying which step to run", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const result = await runCli(["create", "route53-records", "--file", tempEnvFile()], fake.current);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/load balancer startupwebapp-alb not found - run `infra create alb` first/);
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
});

describe.each([
  { name: "in the user's zone", zone: true },
  { name: "with no zone yet", zone: false },
])("acm-certificate and route53-records, $name, converge after a failure at any mutating call", ({ zone }) => {
  async function withStack<T>(body: (fake: AwsFake, path: string) => Promise<T>): Promise<T> {
    const fake = installInProcess(new AwsFake());
    try {
      if (zone) fake.route53.addZone("startupwebapp.com");
      const path = tempEnvFile();
      await step.alb(await contextFor(fake, path));
      return await body(fake, path);
    } finally {
      fake.restore();
    }
  }
  const createDns = async (fake: AwsFake, path: string) => {
    await step.cert(await contextFor(fake, path));
    await step.records(await contextFor(fake, path));
  };
  const destroyDns = async (fake: AwsFake, path: string) => {
    const ctx = await contextFor(fake, path);
    await records.destroy(ctx, recordsConfig(ctx.env, "destroy"));
    await acm.destroy(ctx, acmConfig(ctx.env, "destroy"));
  };

  it("of create, whether the call failed or only its response was lost", async () => {
    const calls = await withStack(async (fake, path) => {
      const before = fake.calls.length;
      await createDns(fake, path);
      return fake.acceptedMutations(before);
    });
    expect(calls.map((c) => c.op)).toContain("RequestCertificate");
    for (const when of ["before", "after"] as const) {
      for (const { nth, op } of calls) {
        await withStack(async (fake, path) => {
          fake.inject({ mutating: true, nth, when });
          await expect(createDns(fake, path), `${when} ${op}`).rejects.toThrow();
          fake.clearFaults();
          fake.clock.advance(60_000);
          await createDns(fake, path);
          expect(dnsState(fake), `${when} ${op}`).toEqual(FULL_STACK);
          expect(fake.route53.zonesNamed("startupwebapp.com")).toHaveLength(1);
        });
      }
    }
  });

  it("of destroy, whether the call failed or only its response was lost", async () => {
    const calls = await withStack(async (fake, path) => {
      await createDns(fake, path);
      const before = fake.calls.length;
      await destroyDns(fake, path);
      return fake.acceptedMutations(before);
    });
    expect(calls.map((c) => c.op)).toEqual([
      "ChangeResourceRecordSets", // the alias record
      "DeleteListener",
      "ChangeResourceRecordSets", // the validation CNAME
      ...(zone ? [] : ["DeleteHostedZone"]),
      "DeleteCertificate", // once ACM has noticed the listener is gone
    ]);
    for (const when of ["before", "after"] as const) {
      for (const { nth, op } of calls) {
        await withStack(async (fake, path) => {
          await createDns(fake, path);
          fake.inject({ mutating: true, nth, when });
          await expect(destroyDns(fake, path), `${when} ${op}`).rejects.toThrow();
          fake.clearFaults();
          fake.clock.advance(60_000);
          await destroyDns(fake, path);
          const state = dnsState(fake);
          expect(state.certificates, `${when} ${op}`).toEqual([]);
          expect(state.listeners).toEqual(["HTTP:80"]);
          expect(state.zones.flatMap((z) => z.records)).toEqual([]);
          expect(state.zones).toHaveLength(zone ? 1 : 0);
        });
      }
    }
  });
});
