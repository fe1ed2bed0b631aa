// What Route 53 is sent for the alias record (the record set of its change), and the one projection of it into the
// fields plan, verify and status show. The alias target's DNS name and zone are the load balancer's, which only
// ELBv2 knows: the input holds them as answers of the load balancer ALB_ARN names, read by the handler before it
// sends the change, and the field shows that load balancer. Pure (type imports only): `plan` builds it with no SDK
// loaded.
import type { AliasTarget, ResourceRecordSet } from "@aws-sdk/client-route-53";
import { type Answer, answer, type Fields, isAnswer, type Pending } from "../../state/model.js";
import { fqdn } from "../common/dns/names.js";

/** The record set of the alias's change, its target's DNS name and zone not known until the load balancer is read. */
export type AliasRecordInput = Omit<ResourceRecordSet, "AliasTarget"> & {
  AliasTarget: Omit<AliasTarget, "DNSName" | "HostedZoneId"> & { DNSName: Answer; HostedZoneId: Answer };
};

/** A record set as the projection reads it: wanted (an alias of a load balancer to be read) or found. */
export type RecordShape = Omit<ResourceRecordSet, "AliasTarget"> & {
  AliasTarget?: Omit<AliasTarget, "DNSName" | "HostedZoneId"> & {
    DNSName?: string | Answer;
    HostedZoneId?: string | Answer;
  };
};

/** The load balancer an alias points at: its ARN, or a placeholder while `alb` has not run. */
export const ofLoadBalancer = (arn: string | Pending) => ({
  DNSName: answer("the load balancer's DNS name", arn),
  HostedZoneId: answer("the load balancer's hosted zone", arn),
});

export const aliasRecordInput = (apiDomain: string, albArn: string | Pending): AliasRecordInput => ({
  Name: fqdn(apiDomain),
  Type: "A",
  AliasTarget: { ...ofLoadBalancer(albArn), EvaluateTargetHealth: true },
});

/** Where a record sends the name: the load balancer it is an alias of, else an alias's target or a CNAME's value. */
function target(r: RecordShape) {
  const to = r.AliasTarget?.DNSName ?? r.ResourceRecords?.[0]?.Value ?? "";
  return isAnswer(to) ? to.of : to;
}

export const aliasRecordFields = (r: RecordShape): Fields => ({
  type: r.Type,
  "points at": target(r),
  "evaluate target health": r.AliasTarget?.EvaluateTargetHealth ?? false,
});
