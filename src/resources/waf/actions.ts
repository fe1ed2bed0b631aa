// `waf` create, verify and destroy. UpdateWebACL and DeleteWebACL need the current LockToken: a stale one is
// WAFOptimisticLockException, answered by reading the ACL again. The association propagates late.
import {
  AssociateWebACLCommand,
  type CountryCode,
  CreateWebACLCommand,
  DeleteWebACLCommand,
  DisassociateWebACLCommand,
  GetWebACLCommand,
  GetWebACLForResourceCommand,
  ListResourcesForWebACLCommand,
  ListWebACLsCommand,
  type Rule,
  UpdateWebACLCommand,
  type WAFV2Client,
  type WebACL,
} from "@aws-sdk/client-wafv2";
import type { Context } from "../../core/context.js";
import { awsStep, InfraError, isAwsError } from "../../core/errors.js";
import { retryWhile, waitOptions } from "../../core/wait.js";
import { findLoadBalancer } from "../alb/load-balancer.js";
import { startRun } from "../alb/run.js";
import { type Check, checklist } from "../resource.js";
import { stackTags } from "../shared/tags.js";
import { MANAGED_RULE_GROUPS, type WafConfig } from "./config.js";

const RESOURCE = "waf";
const SCOPE = "REGIONAL" as const;
const MINUTE = 60_000;

const visibility = (metric: string) => ({
  SampledRequestsEnabled: true,
  CloudWatchMetricsEnabled: true,
  MetricName: metric,
});

export function wantedRules(c: WafConfig): Rule[] {
  const rules: Rule[] = [];
  if (c.blockedCountries.length) {
    rules.push({
      Name: `${c.project}-blocked-countries`,
      Priority: rules.length,
      Statement: { GeoMatchStatement: { CountryCodes: c.blockedCountries as CountryCode[] } },
      Action: { Block: {} },
      VisibilityConfig: visibility(`${c.project}-blocked-countries`),
    });
  }
  const [reputation, ...others] = MANAGED_RULE_GROUPS;
  const managed = (name: string): Rule => ({
    Name: name,
    Priority: rules.length,
    Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name: name } },
    OverrideAction: { None: {} },
    VisibilityConfig: visibility(name),
  });
  // Cheapest and most decisive first: known bad IPs, then the rate limit, then request inspection.
  rules.push(managed(reputation));
  rules.push({
    Name: `${c.project}-rate-limit`,
    Priority: rules.length,
    Statement: { RateBasedStatement: { Limit: c.rateLimit, AggregateKeyType: "IP" } },
    Action: { Block: {} },
    VisibilityConfig: visibility(`${c.project}-rate-limit`),
  });
  for (const name of others) rules.push(managed(name));
  return rules;
}

/** Same rules, whatever order keys come back in and whatever AWS adds (empty lists, default fields). */
export function sameRules(has: Rule[] | undefined, want: Rule[]): boolean {
  const canon = (rules: Rule[] | undefined) =>
    JSON.stringify(
      [...(rules ?? [])]
        .sort((a, b) => (a.Priority ?? 0) - (b.Priority ?? 0))
        .map((r) => ({
          Name: r.Name,
          Priority: r.Priority,
          Action: r.Action ? Object.keys(r.Action).sort() : undefined,
          OverrideAction: r.OverrideAction ? Object.keys(r.OverrideAction).sort() : undefined,
          Managed: r.Statement?.ManagedRuleGroupStatement
            ? `${r.Statement.ManagedRuleGroupStatement.VendorName}/${r.Statement.ManagedRuleGroupStatement.Name}`
            : undefined,
          Rate: r.Statement?.RateBasedStatement
            ? `${r.Statement.RateBasedStatement.Limit}/${r.Statement.RateBasedStatement.AggregateKeyType}`
            : undefined,
          Geo: r.Statement?.GeoMatchStatement?.CountryCodes
            ? [...r.Statement.GeoMatchStatement.CountryCodes].sort()
            : undefined,
          Metrics: r.VisibilityConfig?.CloudWatchMetricsEnabled && r.VisibilityConfig.SampledRequestsEnabled,
        })),
    );
  return canon(has) === canon(want);
}

interface Found {
  acl: WebACL;
  lockToken: string;
}

/** By the recorded ARN, else by name; the LockToken comes with it. */
async function findAcl(waf: WAFV2Client, c: WafConfig, recorded: string | undefined): Promise<Found | undefined> {
  const id = recorded?.split("/").at(-1) ?? (await idByName(waf, c.aclName));
  if (!id) return undefined;
  try {
    const out = await waf.send(new GetWebACLCommand({ Name: c.aclName, Scope: SCOPE, Id: id }));
    return { acl: out.WebACL as WebACL, lockToken: out.LockToken as string };
  } catch (err) {
    if (!isAwsError(err, "WAFNonexistentItemException")) throw err;
    return recorded ? findAcl(waf, c, undefined) : undefined; // the recorded one is gone: try the name
  }
}

async function idByName(waf: WAFV2Client, name: string): Promise<string | undefined> {
  let NextMarker: string | undefined;
  do {
    const out = await waf.send(new ListWebACLsCommand({ Scope: SCOPE, NextMarker, Limit: 100 }));
    const id = out.WebACLs?.find((a) => a.Name === name)?.Id;
    if (id) return id;
    NextMarker = out.NextMarker;
  } while (NextMarker);
  return undefined;
}

async function albArn(ctx: Context, c: WafConfig): Promise<string | undefined> {
  const run = await startRun(ctx, c.alb, RESOURCE);
  return (await awsStep("find load balancer", c.alb.albName, () => findLoadBalancer(run)))?.LoadBalancerArn;
}

export async function create(ctx: Context, c: WafConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  const waf = await ctx.aws.waf();
  const lbArn = await albArn(ctx, c);
  if (!lbArn) throw new InfraError(`load balancer ${c.alb.albName} not found`, 3, "run `infra create alb` first");
  const rules = wantedRules(c);
  const definition: Definition = {
    DefaultAction: { Allow: {} },
    Rules: rules,
    VisibilityConfig: visibility(c.aclName),
  };
  let found = await awsStep("find web ACL", c.aclName, () => findAcl(waf, c, ctx.env.get("WAF_WEB_ACL_ARN")));
  if (!found) {
    await awsStep("create web ACL", c.aclName, async () => {
      try {
        await waf.send(
          new CreateWebACLCommand({ Name: c.aclName, Scope: SCOPE, ...definition, Tags: stackTags(c, c.aclName) }),
        );
      } catch (err) {
        if (!isAwsError(err, "WAFDuplicateItemException")) throw err; // made by a run whose answer was lost
      }
    });
    found = await awsStep("find web ACL", c.aclName, () => findAcl(waf, c, ctx.env.get("WAF_WEB_ACL_ARN")));
    ev.created(`web ACL ${c.aclName} (${rules.length} rules)`);
  } else if (sameRules(found.acl.Rules, rules) && found.acl.DefaultAction?.Allow) {
    ev.exists(`web ACL ${c.aclName}`);
  } else {
    await updateAcl(waf, ctx, c, definition);
    ev.updated(`web ACL ${c.aclName} rules`);
  }
  const aclArn = found?.acl.ARN as string;
  await ctx.env.record({ WAF_WEB_ACL_ARN: aclArn });

  const current = await awsStep("read association", c.alb.albName, () =>
    waf.send(new GetWebACLForResourceCommand({ ResourceArn: lbArn })),
  );
  if (current.WebACL?.ARN === aclArn) {
    ev.exists(`association with ${c.alb.albName}`);
    return;
  }
  // Right after CreateWebACL, AWS may answer WAFUnavailableEntityException: "retry the request".
  const retry = {
    ...waitOptions(ctx, `web ACL ${c.aclName} to be usable`),
    timeoutMs: 2 * MINUTE,
    transient: ["WAFUnavailableEntityException"],
  };
  await awsStep("associate web ACL", c.alb.albName, () =>
    retryWhile(ctx, ev, retry, () => waf.send(new AssociateWebACLCommand({ WebACLArn: aclArn, ResourceArn: lbArn }))),
  );
  ev.created(`association with ${c.alb.albName}${current.WebACL ? ` (replacing ${current.WebACL.Name})` : ""}`);
}

/** UpdateWebACL with a fresh LockToken each try: a concurrent change makes the token stale. */
type Definition = Pick<WebACL, "DefaultAction" | "Rules" | "VisibilityConfig"> &
  Required<Pick<WebACL, "DefaultAction" | "VisibilityConfig">>;

async function updateAcl(waf: WAFV2Client, ctx: Context, c: WafConfig, definition: Definition) {
  const retry = {
    ...waitOptions(ctx, `web ACL ${c.aclName} lock`),
    timeoutMs: MINUTE,
    transient: ["WAFOptimisticLockException"],
  };
  await awsStep("update web ACL", c.aclName, () =>
    retryWhile(ctx, ctx.events.for(RESOURCE), retry, async () => {
      const fresh = await findAcl(waf, c, ctx.env.get("WAF_WEB_ACL_ARN"));
      if (!fresh)
        throw new InfraError(`web ACL ${c.aclName} disappeared while being updated`, 3, "run the command again");
      await waf.send(
        new UpdateWebACLCommand({
          Name: c.aclName,
          Scope: SCOPE,
          Id: fresh.acl.Id,
          LockToken: fresh.lockToken,
          ...definition,
        }),
      );
    }),
  );
}

export async function destroy(ctx: Context, c: WafConfig): Promise<void> {
  const ev = ctx.events.for(RESOURCE);
  const waf = await ctx.aws.waf();
  const found = await awsStep("find web ACL", c.aclName, () => findAcl(waf, c, ctx.env.get("WAF_WEB_ACL_ARN")));
  if (found) {
    const arn = found.acl.ARN as string;
    const users = await awsStep("list associations", c.aclName, () =>
      waf.send(new ListResourcesForWebACLCommand({ WebACLArn: arn, ResourceType: "APPLICATION_LOAD_BALANCER" })),
    );
    for (const resource of users.ResourceArns ?? []) {
      await awsStep("disassociate web ACL", resource, () =>
        waf.send(new DisassociateWebACLCommand({ ResourceArn: resource })),
      );
      ev.deleted(`association with ${resource.split("/").at(-2)}`);
    }
    // The disassociation propagates late (WAFAssociatedItemException); every try needs a fresh LockToken.
    const retry = {
      ...waitOptions(ctx, `web ACL ${c.aclName} to be released`),
      timeoutMs: Math.max(ctx.options.timeoutMs, 5 * MINUTE),
      transient: ["WAFAssociatedItemException", "WAFOptimisticLockException"],
    };
    await awsStep("delete web ACL", c.aclName, () =>
      retryWhile(ctx, ev, retry, async () => {
        const fresh = await findAcl(waf, c, ctx.env.get("WAF_WEB_ACL_ARN"));
        if (!fresh) return;
        try {
          await waf.send(
            new DeleteWebACLCommand({ Name: c.aclName, Scope: SCOPE, Id: fresh.acl.Id, LockToken: fresh.lockToken }),
          );
        } catch (err) {
          if (!isAwsError(err, "WAFNonexistentItemException")) throw err;
        }
      }),
    );
    ev.deleted(`web ACL ${c.aclName}`);
  }
  await ctx.env.record({ WAF_WEB_ACL_ARN: "" });
}

/** For `destroy alb`: take the ALB out of any web ACL first, so no association is left dangling. */
export async function disassociate(ctx: Context, lbArn: string): Promise<void> {
  const waf = await ctx.aws.waf();
  const current = await awsStep("read association", lbArn, () =>
    waf.send(new GetWebACLForResourceCommand({ ResourceArn: lbArn })),
  );
  if (!current.WebACL) return;
  await awsStep("disassociate web ACL", lbArn, () => waf.send(new DisassociateWebACLCommand({ ResourceArn: lbArn })));
  ctx.events.for("alb").deleted(`association with web ACL ${current.WebACL.Name}`);
}

export async function verify(ctx: Context, c: WafConfig): Promise<Check[]> {
  const { checks, check } = checklist(RESOURCE);
  const waf = await ctx.aws.waf();
  const found = await awsStep("find web ACL", c.aclName, () => findAcl(waf, c, ctx.env.get("WAF_WEB_ACL_ARN")));
  check(`web ACL ${c.aclName} exists`, Boolean(found));
  if (!found) return checks;
  check("rules as configured (managed groups, rate limit, countries)", sameRules(found.acl.Rules, wantedRules(c)));
  const lbArn = await albArn(ctx, c);
  const current = lbArn
    ? await awsStep("read association", c.alb.albName, () =>
        waf.send(new GetWebACLForResourceCommand({ ResourceArn: lbArn })),
      )
    : undefined;
  check(
    `associated with load balancer ${c.alb.albName}`,
    current?.WebACL?.ARN === found.acl.ARN,
    current?.WebACL?.Name ?? "none",
  );
  return checks;
}
