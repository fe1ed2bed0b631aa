import { type EnvReader, readInputs } from "../../core/inputs.js";
import { type AlbConfig, albConfig } from "../alb/config.js";
import type { Action, Resource } from "../resource.js";

export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesSQLiRuleSet",
] as const;

export interface WafConfig {
  project: string;
  environment: string;
  aclName: string;
  rateLimit: number;
  blockedCountries: string[];
  alb: AlbConfig;
}

export const wafResource: Resource<WafConfig> = {
  name: "waf",
  after: ["alb"],
  summary: "regional web ACL (AWS managed rules, per-IP rate limit) on the ALB; in `all` only when WAF_ENABLED=true",
  reads: ["PROJECT_NAME"],
  optional: ["WAF_ENABLED", "WAF_RATE_LIMIT", "WAF_BLOCKED_COUNTRIES", "ALB_NAME"],
  records: ["WAF_WEB_ACL_ARN"],
  inAll: (env) => env.get("WAF_ENABLED") === "true",
  config: wafConfig,
  plan: (c) => [
    `web ACL ${c.aclName} (regional, default allow): ${MANAGED_RULE_GROUPS.join(", ")}`,
    `rate limit: block an IP above ${c.rateLimit} requests per 5 minutes${c.blockedCountries.length ? `; block ${c.blockedCountries.join(", ")}` : ""}`,
    `associated with load balancer ${c.alb.albName}`,
  ],
  load: () => import("./actions.js"),
};

export function wafConfig(env: EnvReader, _action: Action): WafConfig {
  const input = readInputs(env, "waf");
  const project = input.need("PROJECT_NAME");
  const environment = input.need("ENVIRONMENT");
  const rate = input.need("WAF_RATE_LIMIT");
  const countries = (input.maybe("WAF_BLOCKED_COUNTRIES") ?? "")
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => c.toUpperCase());
  input.done();
  return {
    project,
    environment,
    aclName: `${project}-web-acl`,
    rateLimit: Number(rate),
    blockedCountries: [...new Set(countries)],
    alb: albConfig(env, "verify"),
  };
}
