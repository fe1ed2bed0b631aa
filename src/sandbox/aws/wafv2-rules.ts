// A web ACL's definition checked as WAF checks it (rules, statements, actions, visibility), and its capacity in
// WAF capacity units (WCUs). The costs follow AWS's WCU tables only roughly: enough that a few managed groups and a
// rate limit fit easily, and that many costly rules (XSS, regex sets, text transformations) run into the 5,000 WCU
// ceiling of a web ACL.
import {
  CountryCode,
  type CreateWebACLRequest,
  type DefaultAction,
  type Rule,
  type Statement,
  type TextTransformation,
  type VisibilityConfig,
  WAFInvalidParameterException,
  WAFLimitsExceededException,
  WAFNonexistentItemException,
} from "@aws-sdk/client-wafv2";
import { modeled } from "./errors.js";

/** The most WCUs one web ACL may use (AWS's hard limit; above 1,500 costs more). */
export const MAX_CAPACITY = 5_000;
/** AWS's bounds for RateBasedStatement.Limit (the minimum went down from 100 to 10 in 2024). */
export const RATE_LIMIT_MIN = 10;
export const RATE_LIMIT_MAX = 2_000_000_000;
const EVALUATION_WINDOWS = [60, 120, 300, 600];

/** AWS's managed rule groups (vendor "AWS") and their capacity in WCUs. */
export const MANAGED_RULE_GROUPS: Record<string, number> = {
  AWSManagedRulesCommonRuleSet: 700,
  AWSManagedRulesAdminProtectionRuleSet: 100,
  AWSManagedRulesKnownBadInputsRuleSet: 200,
  AWSManagedRulesSQLiRuleSet: 200,
  AWSManagedRulesLinuxRuleSet: 200,
  AWSManagedRulesUnixRuleSet: 100,
  AWSManagedRulesWindowsRuleSet: 200,
  AWSManagedRulesPHPRuleSet: 100,
  AWSManagedRulesWordPressRuleSet: 100,
  AWSManagedRulesAmazonIpReputationList: 25,
  AWSManagedRulesAnonymousIpList: 50,
  AWSManagedRulesBotControlRuleSet: 50,
  AWSManagedRulesATPRuleSet: 50,
  AWSManagedRulesACFPRuleSet: 50,
  AWSManagedRulesAntiDDoSRuleSet: 50,
};

/** Only ALBs: the fake has no API Gateway, AppSync, Cognito, App Runner or Verified Access. */
const ALB_ARN = /^arn:aws:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[\w-]+\/[0-9a-f]+$/;
const COUNTRIES = new Set<string>(Object.values(CountryCode));
const RULE_ACTIONS = ["Allow", "Block", "Count", "Captcha", "Challenge"];
/** Statements that may only stand at the top of a rule, never inside And/Or/Not or a scope-down. */
const TOP_LEVEL_ONLY = ["RateBasedStatement", "ManagedRuleGroupStatement", "RuleGroupReferenceStatement"];

/** WAF's parameter errors carry Field, Parameter and Reason, and spell all three in the message. */
export function invalidParameter(field: string, parameter: string, reason: string): Error {
  const message = `Error reason: ${reason}, field: ${field}, parameter: ${parameter}`;
  return Object.assign(modeled(WAFInvalidParameterException, message), {
    Field: field,
    Parameter: parameter,
    Reason: reason,
  });
}

export const nonexistent = (what = "") =>
  modeled(
    WAFNonexistentItemException,
    `AWS WAF couldn’t perform the operation because your resource doesn’t exist.${what ? ` (${what})` : ""}`,
  );

const EXACTLY_ONE = "You have used none or multiple values for a field that requires exactly one value.";
const INVALID_VALUE = "The parameter contains formatting that's not valid.";

/** Exactly one of `keys` is set on `value` (WAF's unions: actions, statements). */
function one(value: object | undefined, keys: string[], field: string, parameter: string): string {
  const set = Object.entries(value ?? {})
    .filter(([k, v]) => keys.includes(k) && v !== undefined)
    .map(([k]) => k);
  const [only] = set;
  if (set.length !== 1 || only === undefined) throw invalidParameter(field, parameter, EXACTLY_ONE);
  return only;
}

export type Definition = Omit<CreateWebACLRequest, "Scope" | "Tags">;

export function checkScope(scope: string | undefined): void {
  // CloudFront web ACLs live in us-east-1 too, but `infra` only protects an ALB: the fake refuses them.
  if (scope !== "REGIONAL") throw invalidParameter("SCOPE_VALUE", String(scope), "The scope isn't valid here.");
}

export function checkResourceArn(arn: string | undefined): string {
  if (arn === undefined || !ALB_ARN.test(arn))
    throw invalidParameter(
      "RESOURCE_ARN",
      String(arn),
      "The ARN isn't valid. A valid ARN begins with arn: and includes other information separated by colons or slashes.",
    );
  return arn;
}

/** The whole definition checked; returns its capacity (WCUs). */
export function checkDefinition(name: string, definition: Definition): number {
  checkDefaultAction(definition.DefaultAction);
  checkVisibility(definition.VisibilityConfig, "WEB_ACL");
  if (definition.Description !== undefined && !/^[\w+=:#@/\-,. ]{1,256}$/.test(definition.Description))
    throw invalidParameter("WEB_ACL", "Description", INVALID_VALUE);
  const capacity = checkRules(definition.Rules ?? []);
  if (capacity > MAX_CAPACITY)
    throw modeled(
      WAFLimitsExceededException,
      `AWS WAF couldn’t perform the operation because you exceeded your resource limit. (web ACL ${name} needs ${capacity} WCUs, at most ${MAX_CAPACITY})`,
    );
  return capacity;
}

export function checkName(name: string | undefined, field = "WEB_ACL"): string {
  if (!name || !/^[\w-]{1,128}$/.test(name)) throw invalidParameter(field, name ?? "", INVALID_VALUE);
  return name;
}

function checkVisibility(config: VisibilityConfig | undefined, field: string): void {
  if (!config) throw invalidParameter(field, "VisibilityConfig", EXACTLY_ONE);
  const metric = config.MetricName ?? "";
  if (!/^[\w#:.\-/]{1,128}$/.test(metric)) throw invalidParameter("METRIC_NAME", metric, INVALID_VALUE);
  if (typeof config.SampledRequestsEnabled !== "boolean" || typeof config.CloudWatchMetricsEnabled !== "boolean")
    throw invalidParameter(field, "VisibilityConfig", INVALID_VALUE);
}

function checkDefaultAction(action: DefaultAction | undefined): void {
  one(action, ["Allow", "Block"], "DEFAULT_ACTION", "DefaultAction");
}

/** Checks the rules and returns the web ACL's capacity (WCUs) before the MAX_CAPACITY check. */
export function checkRules(rules: Rule[]): number {
  const names = new Set<string>();
  const priorities = new Set<number>();
  let capacity = 0;
  for (const rule of rules) {
    const name = checkName(rule.Name, "RULE");
    if (names.has(name)) throw invalidParameter("RULE", name, "A rule with this name already exists.");
    names.add(name);
    const priority = rule.Priority;
    if (priority === undefined || !Number.isInteger(priority) || priority < 0)
      throw invalidParameter("RULE", String(priority), INVALID_VALUE);
    if (priorities.has(priority))
      throw invalidParameter("RULE", String(priority), "A rule with this priority already exists.");
    priorities.add(priority);
    checkVisibility(rule.VisibilityConfig, "RULE");
    const kind = one(rule.Statement, STATEMENTS, "STATEMENT", "Statement");
    // A rule group's rules bring their own actions: the web ACL can only override them (Count or None).
    if (kind === "ManagedRuleGroupStatement" || kind === "RuleGroupReferenceStatement") {
      if (rule.Action) throw invalidParameter("RULE_ACTION", name, EXACTLY_ONE);
      one(rule.OverrideAction, ["Count", "None"], "OVERRIDE_ACTION", name);
    } else {
      if (rule.OverrideAction) throw invalidParameter("OVERRIDE_ACTION", name, EXACTLY_ONE);
      one(rule.Action, RULE_ACTIONS, "RULE_ACTION", name);
    }
    capacity += cost(rule.Statement as Statement, true);
  }
  return capacity;
}

type Costed = (s: Statement, top: boolean) => number;

const transformations = (list: TextTransformation[] | undefined) =>
  10 * (list ?? []).filter((t) => t.Type !== "NONE").length;

/** Each statement kind: its checks and its WCUs. */
const KINDS: Record<string, (s: Statement, cost: Costed) => number> = {
  ByteMatchStatement: (s) => {
    const b = s.ByteMatchStatement;
    return (
      (["CONTAINS", "CONTAINS_WORD"].includes(b?.PositionalConstraint ?? "") ? 10 : 2) +
      transformations(b?.TextTransformations)
    );
  },
  SqliMatchStatement: (s) =>
    (s.SqliMatchStatement?.SensitivityLevel === "HIGH" ? 30 : 20) +
    transformations(s.SqliMatchStatement?.TextTransformations),
  XssMatchStatement: (s) => 40 + transformations(s.XssMatchStatement?.TextTransformations),
  SizeConstraintStatement: (s) => 1 + transformations(s.SizeConstraintStatement?.TextTransformations),
  RegexMatchStatement: (s) => 3 + transformations(s.RegexMatchStatement?.TextTransformations),
  LabelMatchStatement: () => 1,
  AsnMatchStatement: () => 1,
  GeoMatchStatement: (s) => {
    const codes = s.GeoMatchStatement?.CountryCodes ?? [];
    if (codes.length === 0) throw invalidParameter("GEO_MATCH_STATEMENT", "CountryCodes", EXACTLY_ONE);
    for (const code of codes)
      if (!COUNTRIES.has(code)) throw invalidParameter("GEO_MATCH_STATEMENT", code, INVALID_VALUE);
    return 1;
  },
  // The fake keeps no IP sets, regex pattern sets or rule groups of your own: any reference is to nothing.
  IPSetReferenceStatement: (s) => missing(s.IPSetReferenceStatement?.ARN),
  RegexPatternSetReferenceStatement: (s) => missing(s.RegexPatternSetReferenceStatement?.ARN),
  RuleGroupReferenceStatement: (s) => missing(s.RuleGroupReferenceStatement?.ARN),
  AndStatement: (s, cost) => nested(s.AndStatement?.Statements, 2, "AND_STATEMENT", cost),
  OrStatement: (s, cost) => nested(s.OrStatement?.Statements, 2, "OR_STATEMENT", cost),
  NotStatement: (s, cost) =>
    nested(s.NotStatement?.Statement ? [s.NotStatement.Statement] : [], 1, "NOT_STATEMENT", cost),
  RateBasedStatement: (s, cost) => {
    const r = s.RateBasedStatement;
    const limit = r?.Limit ?? 0;
    if (!Number.isInteger(limit) || limit < RATE_LIMIT_MIN || limit > RATE_LIMIT_MAX)
      throw invalidParameter(
        "RATE_BASED_STATEMENT",
        String(limit),
        `The value must be between ${RATE_LIMIT_MIN} and ${RATE_LIMIT_MAX}.`,
      );
    if (!["IP", "FORWARDED_IP", "CUSTOM_KEYS", "CONSTANT"].includes(r?.AggregateKeyType ?? ""))
      throw invalidParameter("RATE_BASED_STATEMENT", "AggregateKeyType", INVALID_VALUE);
    if (r?.EvaluationWindowSec !== undefined && !EVALUATION_WINDOWS.includes(r.EvaluationWindowSec))
      throw invalidParameter("RATE_BASED_STATEMENT", String(r.EvaluationWindowSec), INVALID_VALUE);
    return 2 + (r?.ScopeDownStatement ? cost(r.ScopeDownStatement, false) : 0);
  },
  ManagedRuleGroupStatement: (s, cost) => {
    const m = s.ManagedRuleGroupStatement;
    const wcus = m?.VendorName === "AWS" ? MANAGED_RULE_GROUPS[m.Name ?? ""] : undefined;
    if (wcus === undefined) throw nonexistent(`managed rule group ${m?.VendorName}/${m?.Name}`);
    return wcus + (m?.ScopeDownStatement ? cost(m.ScopeDownStatement, false) : 0);
  },
};

const STATEMENTS = Object.keys(KINDS);

function missing(arn: string | undefined): number {
  throw nonexistent(arn);
}

function nested(statements: Statement[] | undefined, min: number, field: string, cost: Costed): number {
  if ((statements ?? []).length < min) throw invalidParameter(field, "Statements", INVALID_VALUE);
  return (statements ?? []).reduce((sum, s) => sum + cost(s, false), 0);
}

/** A statement's WCUs, after checking it (and whether it may stand where it is). */
function cost(statement: Statement, top: boolean): number {
  const kind = one(statement, STATEMENTS, "STATEMENT", "Statement");
  if (!top && TOP_LEVEL_ONLY.includes(kind))
    throw invalidParameter(
      "STATEMENT",
      kind,
      "Your nested statement isn't valid. You might have tried to nest a statement that can't be nested.",
    );
  return (KINDS[kind] as (s: Statement, c: Costed) => number)(statement, cost);
}
