// What Route 53 is sent for the hosted zone (CreateHostedZone) and the validation CNAME (the record set of its
// change), and the one projection of each into the fields plan, verify and status show; observe.ts reads what Route
// 53 answers through the same projections. The CNAME's name and value are ACM's answer for the certificate: the
// input holds them as answers of the certificate, read by the handler, and the field shows that certificate. Pure
// (type imports only): `plan` builds them with no SDK loaded.
import type { CreateHostedZoneRequest } from "@aws-sdk/client-route-53";
import { type Answer, answer, type Fields, isAnswer, type Ref } from "../../state/model.js";
import { fqdn } from "../common/dns/names.js";

/** CreateHostedZone's input, less its caller reference (an idempotency token: a new one per zone made). */
export interface ZoneInput extends Pick<CreateHostedZoneRequest, "Name" | "HostedZoneConfig"> {
  Name: string;
  HostedZoneConfig: { Comment: string; PrivateZone: boolean };
}

export const zoneInput = (c: { domain: string; project: string }): ZoneInput => ({
  Name: fqdn(c.domain),
  HostedZoneConfig: { Comment: `made by infra for ${c.project}`, PrivateZone: false },
});

/** A zone's fields, from its input or from what GetHostedZone answers (its Config under the input's name). */
export const zoneFields = (
  z: Partial<Pick<ZoneInput, "Name">> & { HostedZoneConfig?: Partial<ZoneInput["HostedZoneConfig"]> },
): Fields => ({
  name: z.Name,
  type: z.HostedZoneConfig?.PrivateZone ? "private" : "public",
  comment: z.HostedZoneConfig?.Comment ?? "",
});

/** ACM's example TTL for the validation record. */
export const VALIDATION_TTL = 300;

/** The record set of the validation CNAME's change: its name and value ACM's answer for the certificate. */
export interface ValidationRecordInput {
  Name: Answer;
  Type: "CNAME";
  TTL: number;
  ResourceRecords: { Value: Answer }[];
}

/** A validation record set as the projection reads it: wanted (ACM's CNAME for a certificate) or found. */
export interface ValidationShape {
  Name?: string | Answer;
  Type?: string;
  TTL?: number;
  ResourceRecords?: { Value?: string | Answer }[];
}

export const validationRecordInput = (certificate: string | Ref): ValidationRecordInput => ({
  Name: answer("the name of the CNAME ACM asks for", certificate),
  Type: "CNAME",
  TTL: VALIDATION_TTL,
  ResourceRecords: [{ Value: answer("the value of the CNAME ACM asks for", certificate) }],
});

/** "validates" is the certificate whose CNAME it holds, else the values it holds. */
export const validationRecordFields = (r: ValidationShape): Fields => ({
  validates: isAnswer(r.Name)
    ? r.Name.of
    : `CNAME ${(r.ResourceRecords ?? []).map((v) => (isAnswer(v.Value) ? "" : v.Value)).join(", ")}`,
  type: r.Type,
  TTL: r.TTL,
});
