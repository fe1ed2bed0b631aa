// route53-records: API_DOMAIN_NAME as an alias of the load balancer, in the zone acm-certificate records.
import { writeFileSync } from "node:fs";
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import { describe, expect, it } from "vitest";
import { route53RecordsResource } from "../../src/resources/route53-records/config.js";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { INSYNC_AFTER_MS } from "../../src/sandbox/aws/route53.js";
import { contextFor, INPUTS, lifecycleOf, readText, runCli, tempEnvFile, useFake } from "../helpers.js";
import { ALIAS, DOMAIN, dnsState, mutations, runStack, userZone } from "./dns-support.js";

const { create, destroy, verify, plan } = lifecycleOf(route53RecordsResource);
type Ctx = Parameters<typeof plan>[0];

const planned = async (ctx: Ctx) =>
  (await plan(ctx)).changes
    .filter((c) => c.action !== "keep")
    .map((c) => [
      c.action,
      "desired" in c ? c.desired.name : c.observed.name,
      ...("fields" in c ? c.fields.map((f) => `${f.field}: ${f.from} -> ${f.to}`) : []),
    ]);
const failing = async (ctx: Ctx) =>
  (await verify(ctx)).filter((c) => c.status === "FAIL").map((c) => [c.name, c.detail]);

/** A record set written behind infra's back, straight into the fake's zone. */
function put(fake: AwsFake, zoneId: string, set: ResourceRecordSet) {
  const zone = fake.route53.zones.get(`/hostedzone/${zoneId}`);
  zone?.records.set(`${set.Name}|${set.Type}|`, { set, since: fake.clock.now() });
}

const OTHER_LB = "other-lb-1234567890.us-east-1.elb.amazonaws.com.";

describe("route53-records against the AWS fake", () => {
  const fake = useFake();

  /** The zone, the ALB and the certificate, then the alias record. */
  async function stack() {
    const zoneId = userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create");
    return { zoneId, path, ctx: await contextFor(fake.current, path) };
  }

  it("points API_DOMAIN_NAME at the load balancer ALB_ARN names, evaluating target health, and waits until INSYNC", async () => {
    userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create", ["alb", "acm-certificate"]);
    const ctx = await contextFor(fake.current, path);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(dnsState(fake.current).zones[0]?.records).toContain(ALIAS);
    const waits = ctx.events.log.filter((e) => e.kind === "waiting").map((e) => `${e.message}: ${e.state}`);
    expect(waits).toContain(`alias api.${DOMAIN} in sync: PENDING`);
    const [change] = fake.current.mutatingCalls(before);
    expect(fake.current.clock.now()).toBeGreaterThanOrEqual((change?.at ?? 0) + INSYNC_AFTER_MS);
    expect(ctx.env.get("API_ALIAS_RECORD")).toBe(`api.${DOMAIN}`);
    expect(await failing(ctx)).toEqual([]);
  });

  it("points the record back when it was pointed elsewhere behind its back: plan, verify and create agree", async () => {
    const { ctx, zoneId } = await stack();
    const lbArn = ctx.env.get("ALB_ARN") as string;
    const short = lbArn.split(":").slice(5).join(":");
    put(fake.current, zoneId, {
      Name: `api.${DOMAIN}.`,
      Type: "A",
      AliasTarget: { HostedZoneId: "Z35SXDOTRQ7X7K", DNSName: OTHER_LB, EvaluateTargetHealth: true },
    });

    expect(await planned(ctx)).toEqual([["update", `api.${DOMAIN}`, `points at: ${OTHER_LB} -> ${lbArn}`]]);
    expect(await failing(ctx)).toEqual([[`alias record api.${DOMAIN}: points at`, `${OTHER_LB}, want ${short}`]]);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(mutations(fake.current, before)).toEqual(["ChangeResourceRecordSets"]);
    expect(dnsState(fake.current).zones[0]?.records).toContain(ALIAS);
    expect(await planned(ctx)).toEqual([]);
  });

  it("moves the record when API_DOMAIN_NAME changes: the new one made, then the old one deleted", async () => {
    const { path } = await stack();
    writeFileSync(path, readText(path).replace(`API_DOMAIN_NAME="api.${DOMAIN}"`, `API_DOMAIN_NAME="www.${DOMAIN}"`));
    const ctx = await contextFor(fake.current, path);

    expect((await planned(ctx)).map((c) => c.slice(0, 2))).toEqual([
      ["create", `www.${DOMAIN}`],
      ["delete", `api.${DOMAIN}`],
    ]);
    expect((await failing(ctx)).map((c) => c[0])).toEqual([`alias record www.${DOMAIN}`, `alias record api.${DOMAIN}`]);
    const before = fake.current.calls.length;
    await create(ctx);
    expect(mutations(fake.current, before)).toEqual(["ChangeResourceRecordSets", "ChangeResourceRecordSets"]);
    const records = dnsState(fake.current).zones[0]?.records ?? [];
    expect(records.filter((r) => r.includes(" A alias "))).toEqual([ALIAS.replace("api.", "www.")]);
    expect(ctx.env.get("API_ALIAS_RECORD")).toBe(`www.${DOMAIN}`);
    expect(await planned(ctx)).toEqual([]);
  });

  it("swaps a CNAME at API_DOMAIN_NAME (as set by hand for the scripts) for the alias, in one change", async () => {
    const zoneId = userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create", ["alb", "acm-certificate"]);
    const ctx = await contextFor(fake.current, path);
    const dnsName = ctx.env.get("ALB_DNS_NAME") as string;
    put(fake.current, zoneId, {
      Name: `api.${DOMAIN}.`,
      Type: "CNAME",
      TTL: 300,
      ResourceRecords: [{ Value: dnsName }],
    });

    expect(await planned(ctx)).toEqual([
      ["update", `api.${DOMAIN}`, "type: CNAME -> A", "evaluate target health: false -> true"],
    ]);
    const before = fake.current.calls.length;
    await create(ctx);
    const change = fake.current.mutatingCalls(before);
    expect(change.map((c) => c.op)).toEqual(["ChangeResourceRecordSets"]);
    expect(change[0]?.input).toMatchObject({
      ChangeBatch: { Changes: [{ Action: "DELETE" }, { Action: "CREATE", ResourceRecordSet: { Type: "A" } }] },
    });
    expect(await planned(ctx)).toEqual([]);
  });

  it("takes over a record at API_DOMAIN_NAME that infra did not make only with create (which asks); destroy leaves it", async () => {
    const zoneId = userZone(fake.current);
    const path = tempEnvFile();
    await runStack(fake.current, path, "create", ["alb", "acm-certificate"]);
    put(fake.current, zoneId, {
      Name: `api.${DOMAIN}.`,
      Type: "A",
      AliasTarget: { HostedZoneId: "Z35SXDOTRQ7X7K", DNSName: OTHER_LB, EvaluateTargetHealth: false },
    });
    const ctx = await contextFor(fake.current, path);
    expect((await planned(ctx))[0]?.slice(0, 2)).toEqual(["adopt", `api.${DOMAIN}`]);
    const refused = await runCli(["create", "route53-records", "--file", path], fake.current);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/create would change what exists: route53-records .* pass --yes/);

    await destroy(ctx);
    expect(dnsState(fake.current).zones[0]?.records).toContain(`api.${DOMAIN}. A alias ${OTHER_LB} false`);
    expect(ctx.events.log.map((e) => e.message)).toContain(
      `alias record api.${DOMAIN}: left in place, not made by infra`,
    );
  });

  it("skips the record while there is no zone, saying which step makes it, and verify says why", async () => {
    const path = tempEnvFile();
    await runStack(fake.current, path, "create", ["alb"]);
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(ctx.events.log.map((e) => `${e.kind} ${e.message}`)).toContain(
      `skipped alias record api.${DOMAIN}: there is no public hosted zone of ${DOMAIN} yet; \`infra create acm-certificate\` makes it`,
    );
    expect(await failing(ctx)).toEqual([
      [`alias record api.${DOMAIN}`, "missing: create makes it"],
      [`public hosted zone of ${DOMAIN} exists`, "none: `infra create acm-certificate` makes it"],
    ]);
  });

  it("skips the record while the load balancer ALB_ARN names does not exist, saying which step makes it", async () => {
    userZone(fake.current);
    const gone =
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/startupwebapp-alb/0000000000000000";
    const ctx = await contextFor(fake.current, tempEnvFile(`${INPUTS}ALB_ARN="${gone}"\n`));
    await create(ctx);
    expect(ctx.events.log.map((e) => `${e.kind} ${e.message}`)).toContain(
      `skipped alias record api.${DOMAIN}: load balancer ${gone} (ALB_ARN) does not exist; run \`infra create alb\``,
    );
    expect(fake.current.mutatingCalls()).toEqual([]);
  });

  it("makes nothing with DNS_PROVIDER=external, and verify says what to set at the DNS provider", async () => {
    const path = tempEnvFile(`${INPUTS}DNS_PROVIDER="external"\n`);
    await runStack(fake.current, path, "create", ["alb"]);
    const ctx = await contextFor(fake.current, path);
    await create(ctx);
    expect(fake.current.calls.some((c) => c.service === "Route53")).toBe(false);
    const checks = await verify(ctx);
    expect(checks).toEqual([
      expect.objectContaining({
        status: "SKIP",
        detail: expect.stringMatching(
          /^DNS_PROVIDER=external: at your DNS provider, point api\.startupwebapp\.com at startupwebapp-alb-[0-9a-f]+\.us-east-1\.elb\.amazonaws\.com \(CNAME/,
        ),
      }),
    ]);
  });

  it("refuses to run before alb has recorded ALB_ARN: exit 2, no AWS call", async () => {
    userZone(fake.current);
    const text = INPUTS;
    const path = tempEnvFile(text);
    const result = await runCli(["create", "route53-records", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ALB_ARN is not recorded - run `infra create alb -f \S+` first/);
    expect(fake.current.calls).toEqual([]);
    expect(readText(path)).toBe(text);
  });
});
