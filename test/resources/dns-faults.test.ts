// acm-certificate and route53-records converge after a failure at any mutating call, whether AWS refused the call or
// made the change and its answer was lost: a second run finishes the job, with no duplicate and nothing left over.
import { describe, expect, it } from "vitest";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { contextFor, tempEnvFile } from "../helpers.js";
import { installInProcess } from "../support/in-process.js";
import { ALIAS, DOMAIN, dnsState, runStack, VALIDATION } from "./dns-support.js";

const DNS = ["acm-certificate", "route53-records"];

/** Runs body with a fresh fake on the SDK clients and the ALB made (HTTP only: its HTTPS listener comes later). */
async function withStack<T>(userZone: boolean, body: (fake: AwsFake, path: string) => Promise<T>): Promise<T> {
  const fake = installInProcess(new AwsFake());
  try {
    if (userZone) fake.route53.addZone(DOMAIN);
    const path = tempEnvFile();
    await runStack(fake, path, "create", ["alb"]);
    return await body(fake, path);
  } finally {
    fake.restore();
  }
}

/** The stack as `create acm-certificate route53-records` leaves it, and the env file pointing at it. */
async function expectCreated(fake: AwsFake, path: string, label: string) {
  expect(dnsState(fake), label).toEqual({
    certificates: [`*.${DOMAIN},${DOMAIN} ISSUED`],
    zones: [{ name: `${DOMAIN}.`, records: [VALIDATION, ALIAS] }],
    listeners: ["HTTP:80"],
  });
  const ctx = await contextFor(fake, path);
  const zone = fake.route53.zonesNamed(DOMAIN)[0];
  expect(ctx.env.get("ACM_CERTIFICATE_ARN"), label).toBe([...fake.acm.certificates.keys()][0]);
  expect(ctx.env.get("HOSTED_ZONE_ID"), label).toBe(zone?.Id.replace("/hostedzone/", ""));
  expect(ctx.env.get("API_ALIAS_RECORD"), label).toBe(`api.${DOMAIN}`);
}

describe.each([
  { name: "in the user's zone", userZone: true },
  { name: "with no zone yet", userZone: false },
])("acm-certificate and route53-records, $name, converge after a failure at any mutating call", ({ userZone }) => {
  it("of create, whether the call failed or only its answer was lost", { timeout: 60_000 }, async () => {
    const calls = await withStack(userZone, async (fake, path) => {
      const before = fake.calls.length;
      await runStack(fake, path, "create", DNS);
      return fake.acceptedMutations(before);
    });
    expect(calls.map((c) => c.op)).toEqual([
      ...(userZone ? [] : ["CreateHostedZone", "ChangeTagsForResource"]),
      "RequestCertificate",
      "ChangeResourceRecordSets", // the validation CNAME
      "ChangeResourceRecordSets", // the alias record
    ]);
    for (const when of ["before", "after"] as const) {
      for (const { nth, op } of calls) {
        await withStack(userZone, async (fake, path) => {
          const label = `${when} ${op} (#${nth})`;
          fake.inject({ mutating: true, nth, when });
          await expect(runStack(fake, path, "create", DNS), label).rejects.toThrow();
          fake.clearFaults();
          fake.clock.advance(60_000); // the user reads the error and runs it again
          await runStack(fake, path, "create", DNS);
          await expectCreated(fake, path, label);
          expect(fake.route53.zonesNamed(DOMAIN), label).toHaveLength(1);
          // And the run after changes nothing.
          const again = fake.calls.length;
          await runStack(fake, path, "create", DNS);
          expect(fake.mutatingCalls(again), label).toEqual([]);
        });
      }
    }
  });

  it("of destroy all, whether the call failed or only its answer was lost", { timeout: 120_000 }, async () => {
    const everything = ["alb", ...DNS];
    const calls = await withStack(userZone, async (fake, path) => {
      await runStack(fake, path, "create", everything);
      const before = fake.calls.length;
      await runStack(fake, path, "destroy", everything);
      return fake.acceptedMutations(before);
    });
    // route53-records first; then alb and acm-certificate side by side (their calls interleave), the certificate
    // deleted once ACM has noticed that the HTTPS listener is gone.
    const ops = calls.map((c) => c.op);
    const dns = ["ChangeResourceRecordSets", "DeleteCertificate", "DeleteHostedZone"];
    expect(ops.filter((op) => dns.includes(op))).toEqual([
      "ChangeResourceRecordSets", // the alias record
      "ChangeResourceRecordSets", // the validation CNAME
      "DeleteCertificate",
      ...(userZone ? [] : ["DeleteHostedZone"]),
    ]);
    expect(ops.filter((op) => !dns.includes(op))).toEqual([
      "DeleteListener",
      "DeleteListener",
      "RevokeSecurityGroupIngress",
      "DeleteLoadBalancer",
      "DeleteTargetGroup",
      "DeleteSecurityGroup",
    ]);
    for (const when of ["before", "after"] as const) {
      for (const { nth, op } of calls) {
        await withStack(userZone, async (fake, path) => {
          const label = `${when} ${op} (#${nth})`;
          await runStack(fake, path, "create", everything);
          fake.inject({ mutating: true, nth, when });
          await expect(runStack(fake, path, "destroy", everything), label).rejects.toThrow();
          fake.clearFaults();
          fake.clock.advance(60_000);
          const ctx = await runStack(fake, path, "destroy", everything);
          expect(dnsState(fake), label).toEqual({
            certificates: [],
            zones: userZone ? [{ name: `${DOMAIN}.`, records: [] }] : [],
            listeners: [],
          });
          for (const key of ["ACM_CERTIFICATE_ARN", "API_ALIAS_RECORD", "ALB_ARN"])
            expect(ctx.env.get(key), `${label} ${key}`).toBeUndefined();
          expect(ctx.env.get("HOSTED_ZONE_ID") !== undefined, label).toBe(userZone);
        });
      }
    }
  });
});
