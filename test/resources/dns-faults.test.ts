// acm-certificate and route53-records converge after a failure at any mutating call, whether AWS refused the call or
// made the change and its answer was lost: a second run finishes the job, with no duplicate and nothing left over.
import { describe, expect, it } from "vitest";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { contextFor, tempEnvFile } from "../helpers.js";
import { expectConvergesAfterAnyFault } from "../support/faults.js";
import { ALIAS, DOMAIN, dnsState, runStack, VALIDATION } from "./dns-support.js";

const DNS = ["acm-certificate", "route53-records"];

/** The ALB made (HTTP only: its HTTPS listener comes later), in the user's zone or with no zone yet. */
async function albMade(fake: AwsFake, userZone: boolean): Promise<string> {
  if (userZone) fake.route53.addZone(DOMAIN);
  const path = tempEnvFile();
  await runStack(fake, path, "create", ["alb"]);
  return path;
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
  it("of create, whether the call failed or only its answer was lost", { timeout: 60_000 }, () =>
    expectConvergesAfterAnyFault({
      setup: (fake) => albMade(fake, userZone),
      run: (fake, path) => runStack(fake, path, "create", DNS),
      calls: [
        ...(userZone ? [] : ["CreateHostedZone", "ChangeTagsForResource"]),
        "RequestCertificate",
        "ChangeResourceRecordSets", // the validation CNAME
        "ChangeResourceRecordSets", // the alias record
      ],
      converged: async (fake, path, label) => {
        await expectCreated(fake, path, label);
        expect(fake.route53.zonesNamed(DOMAIN), label).toHaveLength(1);
      },
    }),
  );

  // route53-records first; then alb and acm-certificate side by side (their calls interleave), the certificate
  // deleted once ACM has noticed that the HTTPS listener is gone.
  const everything = ["alb", ...DNS];
  const destroyCalls = (interleaved: string[]) => {
    const dns = ["ChangeResourceRecordSets", "DeleteCertificate", "DeleteHostedZone"];
    expect(interleaved.filter((op) => dns.includes(op))).toEqual([
      "ChangeResourceRecordSets", // the alias record
      "ChangeResourceRecordSets", // the validation CNAME
      "DeleteCertificate",
      ...(userZone ? [] : ["DeleteHostedZone"]),
    ]);
    expect(interleaved.filter((op) => !dns.includes(op))).toEqual([
      "DeleteListener",
      "DeleteListener",
      "RevokeSecurityGroupIngress",
      "DeleteLoadBalancer",
      "DeleteTargetGroup",
      "DeleteSecurityGroup",
    ]);
  };

  it("of destroy all, whether the call failed or only its answer was lost", { timeout: 120_000 }, () =>
    expectConvergesAfterAnyFault({
      setup: async (fake) => {
        const path = await albMade(fake, userZone);
        await runStack(fake, path, "create", everything);
        return path;
      },
      run: (fake, path) => runStack(fake, path, "destroy", everything),
      calls: destroyCalls,
      converged: (fake, _path, label, ctx) => {
        expect(dnsState(fake), label).toEqual({
          certificates: [],
          zones: userZone ? [{ name: `${DOMAIN}.`, records: [] }] : [],
          listeners: [],
        });
        for (const key of ["ACM_CERTIFICATE_ARN", "API_ALIAS_RECORD", "ALB_ARN"])
          expect(ctx.env.get(key), `${label} ${key}`).toBeUndefined();
        expect(ctx.env.get("HOSTED_ZONE_ID") !== undefined, label).toBe(userZone);
      },
    }),
  );
});
