// The `waf` resource (opt-in): a regional web ACL with AWS's managed rule groups and a per-IP rate limit, and its
// association with the load balancer whose ARN `alb` records. Its inputs and the AWS objects it wants, with no SDK
// import.
import { type EnvReader, flag, readInputs } from "../../core/inputs.js";
import { type DesiredObject, isPending, ref } from "../../state/model.js";
import type { StackIdentity } from "../common/tags.js";
import type { Action, Resource } from "../resource.js";
import { type AssociationInput, associationFields, webAclFields, webAclInput } from "./inputs.js";

export const SCOPE = "REGIONAL" as const;

export interface WafConfig extends StackIdentity {
  aclName: string;
  rateLimit: number;
  blockedCountries: string[];
  /** The load balancer to protect: recorded by `alb` (a placeholder while that step has not run). */
  albArn: string | undefined;
}

export const wafResource: Resource<WafConfig> = {
  name: "waf",
  summary: "regional web ACL (AWS managed rules, per-IP rate limit) on the ALB; in `all` only when WAF_ENABLED=true",
  after: ["alb"],
  records: ["WAF_WEB_ACL_ARN"],
  inAll: (env) => flag(env, "WAF_ENABLED"),
  config: wafConfig,
  desired: wafDesired,
  load: async () => (await import("./model.js")).wafModel,
};

export function wafConfig(env: EnvReader, action: Action): WafConfig {
  const input = readInputs(env, "waf");
  const project = input.need("PROJECT_NAME");
  const countries = (input.maybe("WAF_BLOCKED_COUNTRIES") ?? "")
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => c.toUpperCase());
  const config: WafConfig = {
    project,
    environment: input.need("ENVIRONMENT"),
    aclName: `${project}-web-acl`,
    rateLimit: Number(input.need("WAF_RATE_LIMIT")),
    blockedCountries: [...new Set(countries)],
    // Destroy lets go of the load balancer it finds; without one there is no association to let go of.
    albArn: action === "destroy" ? input.maybe("ALB_ARN") : input.need("ALB_ARN"),
  };
  input.done();
  return config;
}

/** The load balancer's name, from its ARN (…:loadbalancer/app/<name>/<id>). */
export const albNameOf = (arn: string | undefined) =>
  arn === undefined || isPending(arn) ? "the load balancer" : (arn.split("/").at(-2) ?? arn);

export function wafDesired(c: WafConfig): DesiredObject[] {
  const acl = webAclInput(c);
  const association: AssociationInput = { WebACLArn: ref("web-acl"), ResourceArn: c.albArn ?? "(none)" };
  return [
    { key: "web-acl", kind: "web ACL", name: c.aclName, input: acl, fields: webAclFields(acl) },
    {
      key: "association",
      kind: "web ACL association",
      name: `${c.aclName} on ${albNameOf(c.albArn)}`,
      input: association,
      fields: associationFields(association),
    },
  ];
}
