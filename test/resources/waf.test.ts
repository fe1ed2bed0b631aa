import { appendFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Context } from "../../src/core/context.js";
import * as alb from "../../src/resources/alb/actions.js";
import { albConfig } from "../../src/resources/alb/config.js";
import * as waf from "../../src/resources/waf/actions.js";
import { wafConfig } from "../../src/resources/waf/config.js";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { contextFor, INPUTS, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { installInProcess } from "../support/in-process.js";

const create = (ctx: Context) => waf.create(ctx, wafConfig(ctx.env, "create"));
const destroy = (ctx: Context) => waf.destroy(ctx, wafConfig(ctx.env, "destroy"));

async function withAlb(fake: AwsFake, extra = ""): Promise<string> {
  const path = tempEnvFile(`${INPUTS}${extra}`);
  const ctx = await contextFor(fake, path);
  await alb.create(ctx, albConfig(ctx.env, "create"));
  return path;
}

function wafState(fake: AwsFake) {
  return {
    acls: [...fake.waf.webAcls.values()].map((r) => `${r.webAcl.Name} ${r.webAcl.Rules?.map((x) => x.Name).join(",")}`),
    associations: [...fake.waf.associations.values()].map((a) => a.split("/").at(-2)),
  };
}

const RULES =
  "AWSManagedRulesAmazonIpReputationList,startupwebapp-rate-limit,AWSManagedRulesCommonRuleSet,AWSManagedRulesKnownBadInputsRuleSet,AWSManagedRulesSQLiRuleSet";
const ON = { acls: [`startupwebapp-web-acl ${RULES}`], associations: ["startupwebapp-web-acl"] };
const OFF = { acls: [], associations: [] };

describe("waf against the AWS fake", () => {
  const fake = useFake();

  it("goes create -> verify -> destroy -> recreate, waiting out AWS's late association and release", async () => {
    const path = await withAlb(fake.current);
    for (let round = 0; round < 2; round++) {
      const ctx = await contextFor(fake.current, path);
      await create(ctx);
      expect(wafState(fake.current)).toEqual(ON);
      expect((await waf.verify(ctx, wafConfig(ctx.env, "verify"))).filter((c) => c.status !== "OK")).toEqual([]);
      const states = ctx.events.log.filter((e) => e.kind === "waiting").map((e) => e.state);
      expect(states).toContain("WAFUnavailableEntityException");
      const gone = await contextFor(fake.current, path);
      await destroy(gone);
      expect(wafState(fake.current)).toEqual(OFF);
      expect(gone.events.log.filter((e) => e.kind === "waiting").map((e) => e.state)).toContain(
        "WAFAssociatedItemException",
      );
    }
  });

  it("makes no mutating call when run again, and updates the rules with a fresh lock token when they change", async () => {
    const path = await withAlb(fake.current);
    await create(await contextFor(fake.current, path));
    const before = fake.current.calls.length;
    await create(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    appendFileSync(path, 'WAF_RATE_LIMIT="500"\nWAF_BLOCKED_COUNTRIES="KP, IR"\n');
    await create(await contextFor(fake.current, path));
    const acl = [...fake.current.waf.webAcls.values()][0]?.webAcl;
    expect(acl?.Rules?.find((r) => r.Name === "startupwebapp-rate-limit")?.Statement?.RateBasedStatement?.Limit).toBe(
      500,
    );
    expect(acl?.Rules?.[0]?.Statement?.GeoMatchStatement?.CountryCodes).toEqual(["KP", "IR"]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["UpdateWebACL"]);
  });

  it("is part of all only when WAF_ENABLED=true, and destroy all then leaves nothing", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = tempEnvFile();
    expect((await runCli(["plan", "all", "--file", path], fake.current)).stdout).not.toMatch(/^waf: /m);
    appendFileSync(path, 'WAF_ENABLED="true"\n');
    expect((await runCli(["plan", "all", "--file", path], fake.current)).stdout).toMatch(/^waf: create/m);
    expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
    expect(wafState(fake.current)).toEqual(ON);
    const destroyed = await runCli(["destroy", "all", "--yes", "--file", path], fake.current);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(wafState(fake.current)).toEqual(OFF);
    expect(fake.current.elbv2.liveLoadBalancers()).toEqual([]);
  });

  it("lets go of the ALB before `destroy alb` deletes it, leaving no dangling association", async () => {
    const path = await withAlb(fake.current);
    await create(await contextFor(fake.current, path));
    const ctx = await contextFor(fake.current, path);
    await alb.destroy(ctx, albConfig(ctx.env, "destroy"));
    const ops = fake.current.calls.map((c) => c.op);
    expect(ops.lastIndexOf("DisassociateWebACL")).toBeLessThan(ops.lastIndexOf("DeleteLoadBalancer"));
    expect(fake.current.waf.associations.size).toBe(0);
  });
});

describe("WAF inputs are checked before any change", () => {
  const fake = useFake();
  const cases: [string, string, RegExp][] = [
    ["a rate limit below AWS's minimum", 'WAF_RATE_LIMIT="5"', /WAF_RATE_LIMIT="5" is not a rate limit AWS accepts/],
    ["a non-numeric rate limit", 'WAF_RATE_LIMIT="lots"', /WAF_RATE_LIMIT="lots" is not a rate limit/],
    [
      "an unknown country code",
      'WAF_BLOCKED_COUNTRIES="US,XX,UK"',
      /WAF_BLOCKED_COUNTRIES has codes that are not ISO 3166 countries: XX, UK/,
    ],
  ];
  for (const [name, line, message] of cases) {
    it(`rejects ${name} with exit 2 and no AWS call`, async () => {
      const text = `${INPUTS}${line}\n`;
      const path = tempEnvFile(text);
      const result = await runCli(["create", "waf", "--file", path], fake.current);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(fake.current.calls).toEqual([]);
      expect(readText(path)).toBe(text);
    });
  }
});

describe("waf converges after a failure at any mutating call", () => {
  async function withStack<T>(body: (fake: AwsFake, path: string) => Promise<T>): Promise<T> {
    const fake = installInProcess(new AwsFake());
    try {
      return await body(fake, await withAlb(fake));
    } finally {
      fake.restore();
    }
  }

  for (const phase of ["create", "destroy"] as const) {
    it(`of ${phase}, whether the call failed or only its response was lost`, async () => {
      const run = async (fake: AwsFake, path: string) =>
        (phase === "create" ? create : destroy)(await contextFor(fake, path));
      const calls = await withStack(async (fake, path) => {
        if (phase === "destroy") await create(await contextFor(fake, path));
        const before = fake.calls.length;
        await run(fake, path);
        return fake.acceptedMutations(before);
      });
      expect(calls.length).toBeGreaterThanOrEqual(2);
      for (const when of ["before", "after"] as const) {
        for (const { nth, op } of calls) {
          await withStack(async (fake, path) => {
            if (phase === "destroy") await create(await contextFor(fake, path));
            fake.inject({ mutating: true, nth, when });
            await expect(run(fake, path), `${when} ${op}`).rejects.toThrow();
            fake.clearFaults();
            fake.clock.advance(60_000);
            await run(fake, path);
            expect(wafState(fake), `${when} ${op}`).toEqual(phase === "create" ? ON : OFF);
          });
        }
      }
    });
  }
});
