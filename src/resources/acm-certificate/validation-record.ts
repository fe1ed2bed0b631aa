// Handlers for the validation CNAME in the zone: the one record ACM asks for (the wildcard and the apex share it),
// written in one UPSERT. It stays after issuance: ACM renews the certificate through it.
import type { ResourceRecord } from "@aws-sdk/client-acm";
import type { ResourceRecordSet } from "@aws-sdk/client-route-53";
import { awsStep } from "../../core/errors.js";
import type { ObservedObject } from "../../state/model.js";
import { changeRecords, type DnsRun, deleteRecord, readRecord } from "../common/dns/records.js";
import type { Zone } from "../common/dns/zone.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import { waitForValidationRecords } from "./acm.js";
import type { AcmConfig } from "./config.js";
import { type ValidationRecordInput, validationRecordFields, validationRecordInput } from "./inputs.js";
import { inZone, type ValidationRaw } from "./observe.js";

const normal = (v: string | undefined) => (v ?? "").toLowerCase().replace(/\.$/, "");

async function dnsRun(run: ApplyRun<AcmConfig>): Promise<DnsRun> {
  return { ctx: run.ctx, ev: run.ev, r53: await run.ctx.aws.route53() };
}

/**
 * Puts ACM's CNAME for the certificate in the zone unless it is there already (so the certificate's handlers and
 * this record's may both call it, and only the first writes): the record's input, with ACM's name and value.
 */
export async function publishValidation(
  run: ApplyRun<AcmConfig>,
  input: ValidationRecordInput,
  known?: ResourceRecord[],
): Promise<ValidationRaw> {
  const certificateArn = String(input.Name.of);
  const zone = run.objects.get("hosted-zone")?.raw as Zone | undefined;
  if (!zone) throw new Error("the hosted zone comes before the validation record");
  const acm = await run.ctx.aws.acm();
  const records =
    known ?? (await waitForValidationRecords({ ctx: run.ctx, ev: run.ev, acm }, certificateArn, run.c.names[0]));
  const wanted = records.filter((r) => inZone(r, zone));
  const dns = await dnsRun(run);
  const present: ResourceRecordSet[] = [];
  const changes = [];
  for (const r of wanted) {
    const set: ResourceRecordSet = { ...input, Name: r.Name, ResourceRecords: [{ Value: r.Value }] };
    const current = await awsStep("read record", `${r.Name} CNAME`, () =>
      readRecord(dns.r53, zone.id, r.Name as string, "CNAME"),
    );
    if (current?.ResourceRecords?.some((v) => normal(v.Value) === normal(r.Value))) present.push(current);
    else {
      changes.push({ Action: "UPSERT" as const, ResourceRecordSet: set });
      present.push(set);
    }
  }
  if (changes.length > 0)
    await changeRecords(
      dns,
      zone.id,
      changes,
      `validation CNAME ${changes.map((x) => x.ResourceRecordSet.Name).join(", ")}`,
    );
  return { certificateArn, present, zoneId: zone.id };
}

const observed = (d: { key: string; kind: string; name: string }, raw: ValidationRaw): ObservedObject => ({
  key: d.key,
  kind: d.kind,
  name: d.name,
  id: raw.present.map((r) => r.Name).join(", "),
  // As Route 53 holds it: ACM's CNAME for the certificate, with the TTL of the one found or written.
  fields: validationRecordFields({ ...validationRecordInput(raw.certificateArn), TTL: raw.present[0]?.TTL }),
  managed: true,
  raw,
});

export const validationRecordHandlers: KindHandlers<AcmConfig> = {
  async create(run, d) {
    return observed(d, await publishValidation(run, d.input as ValidationRecordInput));
  },
  async update(run, d) {
    await publishValidation(run, d.input as ValidationRecordInput);
  },
  // A record carries no tags: it is ours once the certificate it validates is.
  async adopt() {},
  async delete(run, o) {
    const raw = o.raw as ValidationRaw;
    const dns = await dnsRun(run);
    for (const record of raw.present) await deleteRecord(dns, raw.zoneId, record, `validation CNAME ${record.Name}`);
  },
};
