import { appendFileSync } from "node:fs";
import { ListWebACLsCommand, WAFOptimisticLockException, WAFV2Client } from "@aws-sdk/client-wafv2";
import { describe, expect, it } from "vitest";
import { withPendingRecords } from "../../src/core/inputs.js";
import { albResource } from "../../src/resources/alb/config.js";
import { isManaged } from "../../src/resources/common/tags.js";
import { selectResources } from "../../src/resources/registry.js";
import { wafResource } from "../../src/resources/waf/config.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { LISTED_AFTER_CREATE_MS } from "../../src/sandbox/aws/wafv2.js";
import { formatValue } from "../../src/state/render.js";
import { contextFor, INPUTS, lifecycleOf, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { expectConvergesAfterAnyFault } from "../support/faults.js";

const waf = lifecycleOf(wafResource);
const alb = lifecycleOf(albResource);
const { create, destroy, verify, plan } = waf;

/** The stack's ALB, made by `alb`: the env file then records ALB_ARN. */
async function withAlb(fake: AwsFake, extra = ""): Promise<string> {
  const path = tempEnvFile(`${INPUTS}${extra}`);
  await alb.create(await contextFor(fake, path));
  return path;
}

function wafState(fake: AwsFake) {
  return {
    acls: [...fake.waf.webAcls.values()].map(
      (r) => `${r.webAcl.Name}${isManaged(r.tags) ? " *" : ""}: ${r.webAcl.Rules?.map((x) => x.Name).join(", ")}`,
    ),
    associations: [...fake.waf.associations].map(
      ([lb, acl]) => `${lb.split("/").at(-2)} -> ${fake.waf.webAcls.get(acl)?.webAcl.Name}`,
    ),
  };
}

const RULES = [
  "AWSManagedRulesAmazonIpReputationList",
  "startupwebapp-rate-limit",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesSQLiRuleSet",
].join(", ");
const ON = {
  acls: [`startupwebapp-web-acl *: ${RULES}`],
  associations: ["startupwebapp-alb -> startupwebapp-web-acl"],
};
const OFF = { acls: [], associations: [] };

const waited = (ctx: Awaited<ReturnType<typeof contextFor>>) =>
  ctx.events.log.filter((e) => e.kind === "waiting").map((e) => e.state);

describe("waf against the AWS fake", () => {
  const fake = useFake();

  it("goes create -> verify -> destroy -> recreate, waiting out AWS's late association and release", async () => {
    const path = await withAlb(fake.current);
    for (let round = 0; round < 2; round++) {
      const ctx = await contextFor(fake.current, path);
      await create(ctx);
      expect(wafState(fake.current)).toEqual(ON);
      expect(waited(ctx)).toContain("WAFUnavailableEntityException");
      expect((await verify(ctx)).filter((c) => c.status !== "OK")).toEqual([]);

      const gone = await contextFor(fake.current, path);
      await destroy(gone);
      expect(wafState(fake.current)).toEqual(OFF);
      expect(waited(gone)).toContain("WAFAssociatedItemException");
      expect(readText(path)).toMatch(/^WAF_WEB_ACL_ARN=""$/m);
    }
  });

  it("waits out a web ACL WAF calls unavailable for 14 minutes (it can take more than 5), even under --timeout 90s", async () => {
    const path = await withAlb(fake.current);
    fake.current.latency.webAclUnavailableMs = 14 * 60_000;
    const ctx = await contextFor(fake.current, path, { timeoutMs: 90_000 });

    await create(ctx);

    expect(wafState(fake.current)).toEqual(ON);
    expect(waited(ctx).filter((s) => s === "WAFUnavailableEntityException").length).toBeGreaterThan(10);
  });

  it("records and associates the web ACL CreateWebACL answered, though ListWebACLs does not list it yet", async () => {
    const path = await withAlb(fake.current);
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    const listed = await new WAFV2Client({ region: "us-east-1" }).send(new ListWebACLsCommand({ Scope: "REGIONAL" }));
    const acl = [...fake.current.waf.webAcls.values()][0]?.webAcl;

    expect(listed.WebACLs).toEqual([]);
    expect(ctx.env.get("WAF_WEB_ACL_ARN")).toBe(acl?.ARN);
    expect(wafState(fake.current)).toEqual(ON);
  });

  it("waits for the list to show a web ACL whose CreateWebACL answer was lost, instead of making a second", async () => {
    const path = await withAlb(fake.current);
    fake.current.inject({ op: "CreateWebACL", nth: 1, when: "after" });
    await expect(create(await contextFor(fake.current, path))).rejects.toThrow(/create web ACL/);
    const ctx = await contextFor(fake.current, path); // at once: the list does not show it yet
    await create(ctx);
    expect(wafState(fake.current)).toEqual(ON);
    expect(fake.current.calls.filter((c) => c.op === "CreateWebACL").map((c) => c.refused)).toEqual([
      undefined,
      "WAFDuplicateItemException",
    ]);
    expect(waited(ctx)).toContain("not listed yet");
    expect(ctx.env.get("WAF_WEB_ACL_ARN")).toBe([...fake.current.waf.webAcls.keys()][0]);
  });

  it("makes no mutating call when run again, and destroy run twice finds nothing the second time", async () => {
    const path = await withAlb(fake.current);
    await create(await contextFor(fake.current, path));
    fake.current.clock.advance(LISTED_AFTER_CREATE_MS);
    let before = fake.current.calls.length;
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect((await plan(ctx)).changes.map((c) => c.action)).toEqual(["keep", "keep"]);
    await destroy(ctx);
    before = fake.current.calls.length;
    await destroy(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(before)).toEqual([]);
  });

  it("lets go of the load balancer it protects by asking the load balancer, never listing the ACL's resources", async () => {
    const path = await withAlb(fake.current);
    await create(await contextFor(fake.current, path));
    const before = fake.current.calls.length;
    await destroy(await contextFor(fake.current, path));
    const ops = fake.current.calls.slice(before).map((c) => c.op);
    expect(ops).toContain("GetWebACLForResource");
    expect(ops).not.toContain("ListResourcesForWebACL");
    expect(
      fake.current
        .mutatingCalls(before)
        .filter((c) => !c.refused)
        .map((c) => c.op),
    ).toEqual(["DisassociateWebACL", "DeleteWebACL"]);
  });

  it("puts back a rule removed behind its back, with plan, verify and create agreeing", async () => {
    const path = await withAlb(fake.current);
    await create(await contextFor(fake.current, path));
    const record = [...fake.current.waf.webAcls.values()][0];
    if (record) record.webAcl.Rules = record.webAcl.Rules?.filter((r) => r.Name !== "AWSManagedRulesSQLiRuleSet");
    const ctx = await contextFor(fake.current, path);

    const planned = (await plan(ctx)).changes.flatMap((c) =>
      c.action === "update" ? c.fields.map((f) => `${c.desired.name}: ${f.field}`) : [],
    );
    const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => c.name);
    const before = fake.current.calls.length;
    await create(ctx);

    expect(planned).toEqual(["startupwebapp-web-acl: rules"]);
    expect(failing).toEqual(["web ACL startupwebapp-web-acl: rules"]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["UpdateWebACL"]);
    expect(wafState(fake.current)).toEqual(ON);
    const again = fake.current.calls.length;
    await create(await contextFor(fake.current, path));
    expect(fake.current.mutatingCalls(again)).toEqual([]);
  });

  it("puts back a rule's metric name changed behind its back, which plan and verify name in the rules", async () => {
    const path = await withAlb(fake.current);
    await create(await contextFor(fake.current, path));
    const rule = [...fake.current.waf.webAcls.values()][0]?.webAcl.Rules?.find(
      (r) => r.Name === "startupwebapp-rate-limit",
    );
    if (rule?.VisibilityConfig) rule.VisibilityConfig.MetricName = "renamed-in-console";
    const ctx = await contextFor(fake.current, path);

    const from = (await plan(ctx)).changes.flatMap((c) =>
      c.action === "update" ? c.fields.flatMap((f) => f.from) : [],
    );
    const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => c.name);
    const before = fake.current.calls.length;
    await create(ctx);

    expect(from).toContain(
      "1 startupwebapp-rate-limit: more than 2000 requests per IP in 300 s -> block (metric renamed-in-console)",
    );
    expect(failing).toEqual(["web ACL startupwebapp-web-acl: rules"]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["UpdateWebACL"]);
    const now = [...fake.current.waf.webAcls.values()][0]?.webAcl.Rules?.find((r) => r.Name === rule?.Name);
    expect(now?.VisibilityConfig?.MetricName).toBe("startupwebapp-rate-limit");
  });

  it("associates the load balancer again when the association was removed by hand", async () => {
    const path = await withAlb(fake.current);
    await create(await contextFor(fake.current, path));
    fake.current.waf.associations.clear();
    const ctx = await contextFor(fake.current, path);
    const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => `${c.name}: ${c.detail}`);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(failing).toEqual([
      "web ACL association startupwebapp-web-acl on startupwebapp-alb: missing: create makes it",
    ]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["AssociateWebACL"]);
    expect(wafState(fake.current)).toEqual(ON);
  });

  it("updates the rules with a fresh lock token when another writer changed the web ACL first", async () => {
    const path = await withAlb(fake.current);
    await create(await contextFor(fake.current, path));
    appendFileSync(path, 'WAF_RATE_LIMIT="500"\n');
    fake.current.inject({
      op: "UpdateWebACL",
      nth: 1,
      error: () => new WAFOptimisticLockException({ message: "changed since you last retrieved it", $metadata: {} }),
    });
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(waited(ctx)).toContain("WAFOptimisticLockException");
    const gets = fake.current.calls.filter((c) => c.op === "GetWebACL").length;
    expect(gets).toBeGreaterThanOrEqual(3); // observe, then one read per try
    const rate = [...fake.current.waf.webAcls.values()][0]?.webAcl.Rules?.find(
      (r) => r.Name === "startupwebapp-rate-limit",
    );
    expect(rate?.Statement?.RateBasedStatement?.Limit).toBe(500);
  });

  it("adopts a web ACL of its name made outside infra, tagging it and changing nothing else", async () => {
    const path = await withAlb(fake.current);
    await create(await contextFor(fake.current, path));
    const record = [...fake.current.waf.webAcls.values()][0];
    if (record) record.tags = [{ Key: "Owner", Value: "console" }];
    appendFileSync(path, 'WAF_WEB_ACL_ARN=""\n');
    fake.current.clock.advance(LISTED_AFTER_CREATE_MS); // made a while ago: listed
    const ctx = await contextFor(fake.current, path);

    const planned = (await plan(ctx)).changes.map((c) => `${c.action} ${"desired" in c ? c.desired.kind : ""}`);
    const before = fake.current.calls.length;
    await create(ctx);

    expect(planned).toEqual(["adopt web ACL", "adopt web ACL association"]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["TagResource"]);
    expect(wafState(fake.current)).toEqual(ON);
    await destroy(ctx);
    expect(wafState(fake.current)).toEqual(OFF);
  });
});

/** Each input waf reads: the field plan names, verify fails on, and the only call create makes. */
const INPUT_CHANGES = [
  { line: 'WAF_RATE_LIMIT="500"', rule: "1 startupwebapp-rate-limit: more than 500 requests per IP in 300 s -> block" },
  { line: 'WAF_BLOCKED_COUNTRIES="KP, ir"', rule: "0 startupwebapp-blocked-countries: from IR KP -> block" },
];

describe("waf: one desired state for plan, verify and create", () => {
  const fake = useFake();

  it.each(INPUT_CHANGES)(
    "after $line, plan names the rules, verify fails on them, create updates only them",
    async ({ line, rule }) => {
      const path = await withAlb(fake.current);
      await create(await contextFor(fake.current, path));
      appendFileSync(path, `${line}\n`);
      const ctx = await contextFor(fake.current, path);

      const updates = (await plan(ctx)).changes.filter((c) => c.action === "update");
      const failing = (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => c.name);
      const before = fake.current.calls.length;
      await create(ctx);

      expect(updates.flatMap((c) => ("fields" in c ? c.fields.map((f) => f.field) : []))).toEqual(["rules"]);
      expect(updates.flatMap((c) => ("fields" in c ? c.fields.flatMap((f) => f.to) : []))).toContain(rule);
      expect(failing).toEqual(["web ACL startupwebapp-web-acl: rules"]);
      expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["UpdateWebACL"]);
      const again = fake.current.calls.length;
      await create(await contextFor(fake.current, path));
      expect(fake.current.mutatingCalls(again)).toEqual([]);
    },
  );

  it("associates the new load balancer when alb made a new one (ALB_ARN changed)", async () => {
    const path = await withAlb(fake.current);
    await create(await contextFor(fake.current, path));
    await alb.destroy(await contextFor(fake.current, path)); // the association goes with the load balancer
    await alb.create(await contextFor(fake.current, path));
    const ctx = await contextFor(fake.current, path);
    const planned = (await plan(ctx)).changes.map((c) => c.action);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(planned).toEqual(["keep", "create"]);
    expect(fake.current.mutatingCalls(before).map((c) => c.op)).toEqual(["AssociateWebACL"]);
    expect(wafState(fake.current)).toEqual(ON);
  });

  it("comes after alb and reads the ALB_ARN it records: known after alb in a run that makes both", () => {
    const inputs = new Map([
      ["PROJECT_NAME", "startupwebapp"],
      ["ENVIRONMENT", "production"],
    ]);
    const c = wafResource.config(withPendingRecords({ get: (k) => inputs.get(k) }, [albResource]), "plan");
    const association = wafResource.desired(c).find((d) => d.key === "association");
    expect(wafResource.after).toEqual(["alb"]);
    expect(formatValue(association?.fields["load balancer"])).toBe("(known after alb)");
  });

  it("is part of all only when WAF_ENABLED=true", () => {
    const names = (text: string) =>
      selectResources(["all"], { get: (k) => (k === "WAF_ENABLED" ? text : undefined) }).map((r) => r.name);
    expect(names("false")).not.toContain("waf");
    expect(names("true")).toContain("waf");
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
    ["no load balancer recorded", "", /waf needs ALB_ARN, which is not set in the env file/],
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
  const run = async (fake: AwsFake, path: string, phase: "create" | "destroy") =>
    (phase === "create" ? create : destroy)(await contextFor(fake, path));

  it("of create, whether the call failed or only its response was lost", () =>
    expectConvergesAfterAnyFault({
      setup: (fake) => withAlb(fake),
      run: (fake, path) => run(fake, path, "create"),
      calls: ["CreateWebACL", "AssociateWebACL"],
      converged: (fake, _path, label) => expect(wafState(fake), label).toEqual(ON),
    }));

  it("of destroy, whether the call failed or only its response was lost", () =>
    expectConvergesAfterAnyFault({
      setup: async (fake) => {
        const path = await withAlb(fake);
        await run(fake, path, "create");
        return path;
      },
      run: (fake, path) => run(fake, path, "destroy"),
      calls: ["DisassociateWebACL", "DeleteWebACL"],
      converged: (fake, _path, label) => expect(wafState(fake), label).toEqual(OFF),
    }));
});
