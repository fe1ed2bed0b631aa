// alb, acm-certificate and route53-records together, as `create all` and `destroy all` run them.
import { describe, expect, it } from "vitest";
import { acmResource } from "../../src/resources/acm-certificate/config.js";
import { albResource } from "../../src/resources/alb/config.js";
import type { Check } from "../../src/resources/resource.js";
import { route53RecordsResource } from "../../src/resources/route53-records/config.js";
import { contextFor, INPUTS, lifecycleOf, readText, tempEnvFile, useFake } from "../helpers.js";
import { DOMAIN, dnsState, FULL, runStack, userZone } from "./dns-support.js";

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
    for (const r of [acmResource, route53RecordsResource]) {
      const planned = (await lifecycleOf(r).plan(ctx)).changes.filter((c) => c.action !== "keep" && c.action !== "use");
      expect(planned).toEqual([]);
    }
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
