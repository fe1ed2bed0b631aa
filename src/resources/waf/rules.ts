// The web ACL's rules: IP reputation first (cheapest and most decisive), then the per-IP rate limit, then AWS's
// request-inspection groups; blocked countries, when asked for, before them all. And one line per rule, the form
// both the desired state and observe describe rules in (every setting of a rule, its metric's name when it is not the
// rule's), so a rule removed or changed by hand shows as a difference.
import type { CountryCode, Rule, VisibilityConfig } from "@aws-sdk/client-wafv2";

export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesSQLiRuleSet",
] as const;

export interface RuleInputs {
  project: string;
  rateLimit: number;
  blockedCountries: string[];
}

export const visibility = (metric: string): VisibilityConfig => ({
  SampledRequestsEnabled: true,
  CloudWatchMetricsEnabled: true,
  MetricName: metric,
});

export function wantedRules(c: RuleInputs): Rule[] {
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

/**
 * One line per rule, in priority order: "0 AWSManagedRulesCommonRuleSet (AWS managed) -> the group's actions",
 * "1 startupwebapp-rate-limit: more than 2000 requests per IP in 300 s -> block".
 */
export function describeRules(rules: readonly Rule[] | undefined): string[] {
  return [...(rules ?? [])].sort((a, b) => (a.Priority ?? 0) - (b.Priority ?? 0)).map(describeRule);
}

function describeRule(r: Rule): string {
  const s = r.Statement;
  const group = s?.ManagedRuleGroupStatement;
  const rate = s?.RateBasedStatement;
  const geo = s?.GeoMatchStatement;
  const overridden = group?.ExcludedRules?.length || group?.RuleActionOverrides?.length ? ", with overrides" : "";
  const what = group
    ? group.Name === r.Name
      ? ` (${group.VendorName} managed${overridden})`
      : `: ${group.VendorName}/${group.Name}${overridden}`
    : rate
      ? `: more than ${rate.Limit} requests per ${rate.AggregateKeyType} in ${rate.EvaluationWindowSec ?? 300} s`
      : geo
        ? `: from ${[...(geo.CountryCodes ?? [])].sort().join(" ")}`
        : ": a custom statement";
  const action = r.OverrideAction
    ? r.OverrideAction.Count
      ? "count only"
      : "the group's actions"
    : (Object.keys(r.Action ?? {})[0]?.toLowerCase() ?? "none");
  const v = r.VisibilityConfig;
  const metrics = `${v?.CloudWatchMetricsEnabled && v.SampledRequestsEnabled ? "" : " (metrics off)"}${v?.MetricName && v.MetricName !== r.Name ? ` (metric ${v.MetricName})` : ""}`;
  return `${r.Priority} ${r.Name}${what} -> ${action}${metrics}`;
}
