// Reading and changing record sets: one change batch per change (UPSERT, since CREATE fails on a record that
// exists), DELETE with the record exactly as read ("not found" means gone), and the wait for INSYNC.
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import type { Context } from "../../../core/context.js";
import { awsStep, isAwsError } from "../../../core/errors.js";
import type { ResourceEvents } from "../../../core/events.js";
import { sharedRead } from "../../../core/shared-reads.js";
import { done, pending, retryWhile, waitOptions, waitUntil } from "../../../core/wait.js";
import { sameName } from "./names.js";

const MINUTE = 60_000;

export interface DnsRun {
  ctx: Context;
  ev: ResourceEvents;
  r53: Route53Client;
}

/** Every record set of the zone, page by page. */
export async function listRecords(r53: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const all: ResourceRecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: ResourceRecordSet["Type"]; StartRecordIdentifier?: string } =
    {};
  for (;;) {
    const out = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...start }));
    all.push(...(out.ResourceRecordSets ?? []));
    if (!out.IsTruncated) return all;
    start = {
      StartRecordName: out.NextRecordName,
      StartRecordType: out.NextRecordType,
      ...(out.NextRecordIdentifier ? { StartRecordIdentifier: out.NextRecordIdentifier } : {}),
    };
  }
}

/** listRecords, read once for acm-certificate and route53-records while a command looks at the stack. */
export const readRecords = (ctx: Context, r53: Route53Client, zoneId: string) =>
  sharedRead(ctx, `route53 records ${zoneId}`, () => listRecords(r53, zoneId));

/** The record set of that name and type, if the zone has one. */
export async function readRecord(r53: Route53Client, zoneId: string, name: string, type: ResourceRecordSet["Type"]) {
  const out = await r53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      StartRecordName: name,
      StartRecordType: type,
      MaxItems: 1,
    }),
  );
  const first = out.ResourceRecordSets?.[0];
  return first && first.Type === type && sameName(first.Name ?? "", name) ? first : undefined;
}

/** Applies the changes in one batch (all or nothing) and, unless --no-wait, waits until Route 53 serves them. */
export async function changeRecords(run: DnsRun, zoneId: string, changes: Change[], label: string): Promise<void> {
  const changeId = await awsStep("change records", label, () =>
    // A zone made a moment ago may not be found yet (NoSuchHostedZone) for up to a minute.
    retryWhile(
      run.ctx,
      run.ev,
      {
        ...waitOptions(run.ctx, `hosted zone ${zoneId} to accept changes`),
        timeoutMs: 2 * MINUTE,
        transient: ["NoSuchHostedZone"],
      },
      async () => {
        const out = await run.r53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            ChangeBatch: { Comment: `infra: ${label}`, Changes: changes },
          }),
        );
        return out.ChangeInfo?.Id as string;
      },
    ),
  );
  if (!run.ctx.options.wait) return;
  await awsStep("wait for records", label, () =>
    waitUntil(run.ctx, run.ev, waitOptions(run.ctx, `${label} in sync`), async () => {
      const out = await run.r53.send(new GetChangeCommand({ Id: changeId }));
      return out.ChangeInfo?.Status === "INSYNC" ? done(undefined) : pending(out.ChangeInfo?.Status ?? "PENDING");
    }),
  );
}

/** DELETE must match the record exactly: pass it as read. A record already gone is success. */
export async function deleteRecord(run: DnsRun, zoneId: string, record: ResourceRecordSet, label: string) {
  await awsStep("delete record", label, async () => {
    try {
      await run.r53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Comment: `infra: delete ${label}`,
            Changes: [{ Action: "DELETE", ResourceRecordSet: record }],
          },
        }),
      );
    } catch (err) {
      if (isAwsError(err, "InvalidChangeBatch") && /not found/i.test((err as Error).message)) return;
      throw err;
    }
  });
}
