// Reading and changing record sets: UPSERT (CREATE fails on an existing record), exact-match DELETE
// ("not found" means gone), and the wait for INSYNC.
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import { awsStep, isAwsError } from "../../../core/errors.js";
import { done, pending, retryWhile, waitOptions, waitUntil } from "../../../core/wait.js";
import { fqdn, sameName } from "./names.js";
import type { Zone, ZoneRun } from "./zone.js";

const MINUTE = 60_000;

export async function readRecord(run: ZoneRun, zone: Zone, name: string, type: string) {
  const out = await awsStep("read record", `${name} ${type}`, () =>
    run.r53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zone.id,
        StartRecordName: fqdn(name),
        StartRecordType: type as ResourceRecordSet["Type"],
        MaxItems: 1,
      }),
    ),
  );
  const first = out.ResourceRecordSets?.[0];
  return first && first.Type === type && sameName(first.Name as string, name) ? first : undefined;
}

/** UPSERTs the records in one change and waits until Route 53 has them everywhere (INSYNC). */
export async function upsertRecords(run: ZoneRun, zone: Zone, records: ResourceRecordSet[], label: string) {
  const changeId = await awsStep("change records", label, () =>
    // Right after a zone is made it may not be found yet; a change still being applied blocks the next.
    retryWhile(
      run.ctx,
      run.ev,
      {
        ...waitOptions(run.ctx, `hosted zone ${zone.name} to accept changes`),
        timeoutMs: 2 * MINUTE,
        transient: ["NoSuchHostedZone", "PriorRequestNotComplete"],
      },
      async () => {
        const out = await run.r53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zone.id,
            ChangeBatch: {
              Comment: `infra: ${label}`,
              Changes: records.map((r) => ({ Action: "UPSERT", ResourceRecordSet: r })),
            },
          }),
        );
        return out.ChangeInfo?.Id as string;
      },
    ),
  );
  if (run.ctx.options.wait) await waitInsync(run, changeId, label);
}

export async function waitInsync(run: ZoneRun, changeId: string, label: string) {
  await awsStep("wait for records", label, () =>
    waitUntil(run.ctx, run.ev, { ...waitOptions(run.ctx, `${label} in sync`) }, async () => {
      const out = await run.r53.send(new GetChangeCommand({ Id: changeId }));
      return out.ChangeInfo?.Status === "INSYNC" ? done(undefined) : pending(out.ChangeInfo?.Status ?? "PENDING");
    }),
  );
}

/** DELETE must match the record exactly: pass the record as read. A record already gone is success. */
export async function deleteRecord(run: ZoneRun, zone: Zone, record: ResourceRecordSet, label: string) {
  await awsStep("delete record", label, async () => {
    try {
      await run.r53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone.id,
          ChangeBatch: { Changes: [{ Action: "DELETE", ResourceRecordSet: record }] },
        }),
      );
    } catch (err) {
      if (isAwsError(err, "InvalidChangeBatch") && /not found/i.test((err as Error).message)) return;
      throw err;
    }
  });
  run.ev.deleted(label);
}
