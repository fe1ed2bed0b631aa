// Route 53 record sets: names as AWS stores them, AWS's listing order, and ChangeResourceRecordSets' rules
// (docs/aws-behaviours.md, "Route 53"): CREATE of an existing record, a DELETE that does not match exactly, the same
// record twice in a batch and a record outside the zone are InvalidChangeBatch, and a batch is all or nothing.
import { InvalidChangeBatch, InvalidInput, type ResourceRecordSet, type VPC } from "@aws-sdk/client-route-53";
import { modeled } from "./errors.js";

export interface Stored {
  set: ResourceRecordSet;
  /** When this exact record set was written: ACM validation looks back at it. */
  since: number;
}

export interface Zone {
  Id: string;
  Name: string;
  CallerReference: string;
  Config: { PrivateZone: boolean; Comment?: string };
  vpc?: VPC;
  nameServers: string[];
  records: Map<string, Stored>;
  tags: { Key: string; Value: string }[];
}

export interface RecordChange {
  Action: "CREATE" | "DELETE" | "UPSERT";
  ResourceRecordSet: ResourceRecordSet;
}

/** A name as Route 53 stores and lists it: lower case, a trailing dot, a leading "*" as "\052". */
export function dnsName(name: string): string {
  const n = name.trim().toLowerCase().replace(/^\*/, "\\052");
  return n.endsWith(".") ? n : `${n}.`;
}

/** Route 53's order: by labels from the right (com.example.www). */
export function compareNames(a: string, b: string): number {
  const la = a.replace(/\.$/, "").split(".").reverse();
  const lb = b.replace(/\.$/, "").split(".").reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    const x = la[i] as string;
    const y = lb[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return la.length - lb.length;
}

export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const keyOf = (s: ResourceRecordSet) => `${s.Name}|${s.Type}|${s.SetIdentifier ?? ""}`;
const label = (s: ResourceRecordSet) => `[name='${s.Name}', type='${s.Type}']`;

/** What DELETE has to match and what makes an UPSERT a change: everything but the order of the values. */
function content(s: ResourceRecordSet): string {
  const a = s.AliasTarget;
  return JSON.stringify([
    s.TTL ?? null,
    (s.ResourceRecords ?? []).map((r) => r.Value).sort(),
    a ? [a.HostedZoneId, a.DNSName, a.EvaluateTargetHealth ?? false] : null,
    s.Weight ?? null,
    s.Region ?? null,
    s.Failover ?? null,
    s.HealthCheckId ?? null,
  ]);
}

/** As AWS stores a record set: normalised names, alias DNS names lower case with a trailing dot. */
function normalise(change: RecordChange): ResourceRecordSet {
  if (!["CREATE", "DELETE", "UPSERT"].includes(change.Action)) {
    throw modeled(InvalidInput, `Invalid request: unknown action ${change.Action}`);
  }
  const s = structuredClone(change.ResourceRecordSet);
  const hasRecords = s.TTL !== undefined && !!s.ResourceRecords?.length;
  if (!s.Name || !s.Type || !!s.AliasTarget === hasRecords) {
    throw modeled(
      InvalidInput,
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found ${s.AliasTarget && hasRecords ? "more than one" : "none"} in Change with [Action=${change.Action}, Name=${s.Name}, Type=${s.Type}, SetIdentifier=${s.SetIdentifier ?? null}]`,
    );
  }
  s.Name = dnsName(s.Name);
  if (s.AliasTarget) s.AliasTarget = { ...s.AliasTarget, DNSName: dnsName(s.AliasTarget.DNSName ?? "") };
  return s;
}

/** What AWS refuses to write: a name outside the zone, a CNAME at the apex or beside other types. */
function misplaced(zone: Zone, s: ResourceRecordSet, records: Map<string, Stored>): string | undefined {
  const name = s.Name as string;
  if (name !== zone.Name && !name.endsWith(`.${zone.Name}`))
    return `RRSet with DNS name ${name} is not permitted in zone ${zone.Name}`;
  if (s.Type === "CNAME" && name === zone.Name)
    return `RRSet of type CNAME with DNS name ${name} is not permitted at apex in zone ${zone.Name}`;
  const clash = [...records.values()].find(
    (r) => r.set.Name === name && r.set.Type !== s.Type && (r.set.Type === "CNAME" || s.Type === "CNAME"),
  );
  if (clash) {
    return `RRSet of type ${s.Type} with DNS name ${name} is not permitted because a conflicting RRSet of type ${clash.set.Type} with the same DNS name already exists in zone ${zone.Name}`;
  }
  return undefined;
}

/**
 * The zone's records after the batch, or InvalidChangeBatch with every problem found. Each change is checked
 * against a working copy in order; nothing is applied unless all pass. An UPSERT that changes nothing keeps
 * the stored record (and its `since`).
 */
export function applyBatch(zone: Zone, changes: RecordChange[], now: number): Map<string, Stored> {
  if (changes.length === 0) throw modeled(InvalidInput, "Invalid request: Changes must contain at least 1 item");
  const working = new Map(zone.records);
  const messages: string[] = [];
  const actions = new Map<string, string>();
  for (const change of changes) {
    const s = normalise(change);
    const key = keyOf(s);
    // The same record twice in a batch is refused, except DELETE then CREATE (AWS's documented replace).
    const before = actions.get(key);
    actions.set(key, change.Action);
    if (before && !(before === "DELETE" && change.Action === "CREATE")) {
      messages.push(`The request contains an invalid set of changes for a resource record set '${s.Type} ${s.Name}'`);
      continue;
    }
    const current = working.get(key);
    if (change.Action === "DELETE") {
      if (!current) messages.push(`Tried to delete resource record set ${label(s)} but it was not found`);
      else if (content(current.set) !== content(s))
        messages.push(
          `Tried to delete resource record set ${label(s)} but the values provided do not match the current values`,
        );
      else if (s.Name === zone.Name && (s.Type === "SOA" || s.Type === "NS"))
        messages.push(`A HostedZone must contain at least one ${s.Type} record for the zone itself.`);
      else working.delete(key);
      continue;
    }
    const problem = misplaced(zone, s, working);
    if (problem) messages.push(problem);
    else if (change.Action === "CREATE" && current)
      messages.push(`Tried to create resource record set ${label(s)} but it already exists`);
    else if (!current || content(current.set) !== content(s)) working.set(key, { set: s, since: now });
  }
  if (messages.length > 0) throw Object.assign(modeled(InvalidChangeBatch, `[${messages.join(", ")}]`), { messages });
  return working;
}
