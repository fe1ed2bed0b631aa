// What AWS is sent for each object of the `waf` resource, and the one projection of it into the fields plan, verify
// and status show. observe.ts reads GetWebACL's answer (which uses CreateWebACL's names) and the load balancer's
// web ACL through the same projections, so a setting that is sent but not projected cannot hide from plan. Pure
// (type imports only): `plan` builds these with no SDK loaded.
import type { CreateWebACLRequest, DefaultAction, VisibilityConfig } from "@aws-sdk/client-wafv2";
import type { Fields, Ref } from "../../state/model.js";
import { describeRules, type RuleInputs, visibility, wantedRules } from "./rules.js";

/** CreateWebACL's input, less which ACL it is (its scope) and its tags; UpdateWebACL takes the same with its Id. */
export type WebAclInput = Required<Pick<CreateWebACLRequest, "Name" | "DefaultAction" | "Rules" | "VisibilityConfig">>;

/** AssociateWebACL's input: the web ACL (made in the same run, so a reference until then) on the load balancer. */
export interface AssociationInput {
  WebACLArn: string | Ref;
  /** ALB_ARN as `alb` records it ("<ALB_ARN from alb>" before that step has run). */
  ResourceArn: string;
}

export const webAclInput = (c: RuleInputs & { aclName: string }): WebAclInput => ({
  Name: c.aclName,
  DefaultAction: { Allow: {} },
  Rules: wantedRules(c),
  VisibilityConfig: visibility(c.aclName),
});

const defaultAction = (a: DefaultAction | undefined) => (a?.Allow ? "allow" : a?.Block ? "block" : "none");

/** "on" when CloudWatch metrics and sampled requests are; the metric's name when it is not the ACL's own. */
function metrics(v: VisibilityConfig | undefined, name: string | undefined): string {
  const on = v?.CloudWatchMetricsEnabled && v.SampledRequestsEnabled ? "on" : "off";
  return v?.MetricName && v.MetricName !== name ? `${on}, as ${v.MetricName}` : on;
}

/** A web ACL's fields, from its input or from what GetWebACL answers (the same names). */
export function webAclFields(acl: Partial<WebAclInput>): Fields {
  return {
    "default action": defaultAction(acl.DefaultAction),
    rules: describeRules(acl.Rules),
    metrics: metrics(acl.VisibilityConfig, acl.Name),
  };
}

export const associationFields = (a: AssociationInput): Fields => ({
  "load balancer": a.ResourceArn,
  "web ACL": a.WebACLArn,
});
