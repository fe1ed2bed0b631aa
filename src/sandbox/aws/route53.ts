// Route 53 as `infra` uses it: hosted zones (duplicates allowed under a new CallerReference), record sets
// with AWS's normalised names and strict change batches, and changes that go PENDING -> INSYNC.
// Behaviours from docs/aws-behaviours.md "Route 53". It also remembers when each record existed, so that ACM's
// DNS validation (acm.ts) can tell when a validation CNAME was in place.
import { createHash } from "node:crypto";
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  HostedZoneAlreadyExists,
  HostedZoneNotEmpty,
  InvalidDomainName,
  InvalidInput,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourceCommand,
  NoSuchChange,
  NoSuchHostedZone,
  type ResourceRecordSet,
  Route53Client,
  type VPC,
} from "@aws-sdk/client-route-53";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { modeled } from "./errors.js";
import {
  applyBatch,
  cmp,
  compareNames,
  dnsName,
  keyOf,
  type RecordChange,
  type Stored,
  type Zone,
} from "./route53-records.js";

export type { Zone } from "./route53-records.js";

/** A change reads PENDING for this long after it was submitted, then INSYNC. */
export const INSYNC_AFTER_MS = 20_000;
const ZONE = "/hostedzone/";
const CHANGE = "/change/";

const bare = (id: string, prefix: string) => (id.startsWith(prefix) ? id.slice(prefix.length) : id);
const hash = (text: string) => createHash("sha256").update(text).digest("hex").toUpperCase();

interface Past {
  publicZone: boolean;
  set: ResourceRecordSet;
  from: number;
  to: number;
}

export class Route53Model {
  readonly name = "Route53";
  readonly client = Route53Client;
  readonly zones = new Map<string, Zone>();
  /** Change id -> when it was submitted. */
  readonly changes = new Map<string, number>();
  private readonly callerReferences = new Set<string>();
  private readonly past: Past[] = [];
  private seq = 0;

  constructor(private readonly fake: Fake) {}

  readonly handlers: ServiceModel["handlers"] = [
    [CreateHostedZoneCommand, (i) => this.createHostedZone(i)],
    [GetHostedZoneCommand, (i) => this.getHostedZone(i)],
    [ListHostedZonesByNameCommand, (i) => this.listHostedZonesByName(i)],
    [DeleteHostedZoneCommand, (i) => this.deleteHostedZone(i)],
    [ChangeResourceRecordSetsCommand, (i) => this.changeResourceRecordSets(i)],
    [ListResourceRecordSetsCommand, (i) => this.listResourceRecordSets(i)],
    [GetChangeCommand, (i) => this.getChange(i)],
    [ChangeTagsForResourceCommand, (i) => this.changeTags(i)],
    [ListTagsForResourceCommand, (i) => this.listTags(i)],
  ];

  private now = () => this.fake.clock.now();

  /** A zone made outside `infra` (tests): returns its Id, "/hostedzone/<13 to 20 characters>". */
  addZone(name: string, opts: { private?: boolean } = {}): string {
    return this.makeZone(name, `fake-zone-${this.seq + 1}`, !!opts.private).Id;
  }

  zonesNamed(name: string): Zone[] {
    return [...this.zones.values()].filter((z) => z.Name === dnsName(name));
  }

  recordsOf(zoneId: string): ResourceRecordSet[] {
    return [...(this.zones.get(ZONE + bare(zoneId, ZONE))?.records.values() ?? [])].map((r) => r.set);
  }

  nameServersOf(zoneId: string): string[] {
    return this.zones.get(ZONE + bare(zoneId, ZONE))?.nameServers ?? [];
  }

  /** A record set of that name and type in any public zone ("*" or "\052", trailing dot or not). */
  findRecord(name: string, type: string): ResourceRecordSet | undefined {
    const key = `${dnsName(name)}|${type}|`;
    for (const z of this.zones.values()) {
      const found = z.Config.PrivateZone ? undefined : z.records.get(key);
      if (found) return found.set;
    }
    return undefined;
  }

  /** When a record with that name, type and value existed in a public zone: [from, to) spans, to = Infinity now. */
  spansOf(name: string, type: string, value: string): Array<[number, number]> {
    const norm = (v: string) => v.toLowerCase().replace(/\.$/, "");
    const matches = (s: ResourceRecordSet) =>
      s.Name === dnsName(name) &&
      s.Type === type &&
      (s.ResourceRecords ?? []).some((r) => norm(r.Value ?? "") === norm(value));
    const live = [...this.zones.values()]
      .filter((z) => !z.Config.PrivateZone)
      .flatMap((z) => [...z.records.values()])
      .filter((r) => matches(r.set))
      .map((r): [number, number] => [r.since, Number.POSITIVE_INFINITY]);
    const gone = this.past.filter((p) => p.publicZone && matches(p.set)).map((p): [number, number] => [p.from, p.to]);
    return [...gone, ...live];
  }

  private makeZone(name: string, callerReference: string, privateZone: boolean, comment?: string, vpc?: VPC): Zone {
    const zoneName = dnsName(name);
    if (!/^([a-z0-9_-]+\.)+$/.test(zoneName) || zoneName.split(".").length < 3) {
      throw modeled(InvalidDomainName, `${name} is not a valid domain name`);
    }
    const h = hash(`zone:${++this.seq}`);
    const servers = [".com", ".net", ".org", ".co.uk"].map(
      (tld, i) =>
        `ns-${parseInt(h.slice(i * 3, i * 3 + 3), 16) % 2048}.awsdns-${String(parseInt(h.slice(12 + i * 2, 14 + i * 2), 16) % 64).padStart(2, "0")}${tld}`,
    );
    const zone: Zone = {
      // AWS promises no form for a zone id beyond "up to 32 characters" (its own start with Z; emulators' need not):
      // the fake's never do, and vary in length, so nothing can lean on a prefix.
      Id: `${ZONE}${h.slice(20, 33 + (this.seq % 8))}`,
      Name: zoneName,
      CallerReference: callerReference,
      Config: { PrivateZone: privateZone, ...(comment !== undefined ? { Comment: comment } : {}) },
      ...(vpc ? { vpc } : {}),
      nameServers: servers,
      records: new Map(),
      tags: [],
    };
    // Every new zone starts with its SOA and NS record sets at the apex.
    const soa = `${servers[0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`;
    const apex: ResourceRecordSet[] = [
      { Name: zoneName, Type: "NS", TTL: 172800, ResourceRecords: servers.map((s) => ({ Value: `${s}.` })) },
      { Name: zoneName, Type: "SOA", TTL: 900, ResourceRecords: [{ Value: soa }] },
    ];
    for (const set of apex) zone.records.set(keyOf(set), { set, since: this.now() });
    this.callerReferences.add(callerReference);
    this.zones.set(zone.Id, zone);
    return zone;
  }

  private renderZone(z: Zone) {
    return {
      Id: z.Id,
      Name: z.Name,
      CallerReference: z.CallerReference,
      Config: z.Config,
      ResourceRecordSetCount: z.records.size,
    };
  }

  /** Public zones come with a delegation set; private ones with their VPC instead. */
  private placement(z: Zone) {
    return z.Config.PrivateZone ? { VPCs: z.vpc ? [z.vpc] : [] } : { DelegationSet: { NameServers: z.nameServers } };
  }

  private newChange() {
    const Id = `${CHANGE}C${hash(`change:${this.changes.size + 1}`).slice(0, 20)}`;
    this.changes.set(Id, this.now());
    return { Id, Status: "PENDING", SubmittedAt: new Date(this.now()) };
  }

  private createHostedZone(input: {
    Name: string;
    CallerReference: string;
    HostedZoneConfig?: { Comment?: string; PrivateZone?: boolean };
    VPC?: VPC;
  }) {
    // Reusing a CallerReference is refused; the same name under a new one makes ANOTHER zone.
    if (this.callerReferences.has(input.CallerReference)) {
      throw modeled(
        HostedZoneAlreadyExists,
        `A hosted zone has already been created with the specified caller reference.`,
      );
    }
    const privateZone = !!input.VPC || !!input.HostedZoneConfig?.PrivateZone;
    const zone = this.makeZone(
      input.Name,
      input.CallerReference,
      privateZone,
      input.HostedZoneConfig?.Comment,
      input.VPC,
    );
    const { VPCs, DelegationSet } = this.placement(zone);
    return {
      HostedZone: this.renderZone(zone),
      ChangeInfo: this.newChange(),
      ...(DelegationSet ? { DelegationSet } : { VPC: VPCs?.[0] }),
      Location: `https://route53.amazonaws.com/2013-04-01${zone.Id}`,
    };
  }

  private getHostedZone(input: { Id: string }) {
    const zone = this.mustGetZone(input.Id);
    return { HostedZone: this.renderZone(zone), ...this.placement(zone) };
  }

  /** Zones from DNSName onward in Route 53's order, private ones included: callers must check the exact name. */
  private listHostedZonesByName(input: { DNSName?: string; HostedZoneId?: string; MaxItems?: number }) {
    if (input.HostedZoneId && !input.DNSName) throw modeled(InvalidInput, "HostedZoneId requires DNSName");
    const startId = input.HostedZoneId ? ZONE + bare(input.HostedZoneId, ZONE) : "";
    const start = input.DNSName ? dnsName(input.DNSName) : undefined;
    const all = [...this.zones.values()]
      .sort((a, b) => compareNames(a.Name, b.Name) || cmp(a.Id, b.Id))
      .filter((z) => !start || (compareNames(z.Name, start) || cmp(z.Id, startId)) >= 0);
    const max = Math.min(Number(input.MaxItems ?? 100), 100);
    const next = all[max];
    return {
      HostedZones: all.slice(0, max).map((z) => this.renderZone(z)),
      ...(input.DNSName ? { DNSName: input.DNSName } : {}),
      ...(input.HostedZoneId ? { HostedZoneId: input.HostedZoneId } : {}),
      IsTruncated: !!next,
      ...(next ? { NextDNSName: next.Name, NextHostedZoneId: next.Id } : {}),
      MaxItems: max,
    };
  }

  private deleteHostedZone(input: { Id: string }) {
    const zone = this.mustGetZone(input.Id);
    const extra = [...zone.records.values()].some(
      (r) => r.set.Name !== zone.Name || !["SOA", "NS"].includes(r.set.Type ?? ""),
    );
    if (extra) {
      throw modeled(
        HostedZoneNotEmpty,
        "The specified hosted zone contains non-required resource record sets and so cannot be deleted.",
      );
    }
    for (const r of zone.records.values()) this.forget(zone, r);
    this.zones.delete(zone.Id);
    return { ChangeInfo: this.newChange() };
  }

  private forget(zone: Zone, r: Stored) {
    this.past.push({ publicZone: !zone.Config.PrivateZone, set: r.set, from: r.since, to: this.now() });
  }

  /** All or nothing: see applyBatch. The records replaced or deleted go to the history ACM looks back at. */
  private changeResourceRecordSets(input: { HostedZoneId: string; ChangeBatch: { Changes: RecordChange[] } }) {
    const zone = this.mustGetZone(input.HostedZoneId);
    const working = applyBatch(zone, input.ChangeBatch?.Changes ?? [], this.now());
    for (const [key, old] of zone.records) if (working.get(key) !== old) this.forget(zone, old);
    zone.records = working;
    return { ChangeInfo: this.newChange() };
  }

  private listResourceRecordSets(input: {
    HostedZoneId: string;
    StartRecordName?: string;
    StartRecordType?: string;
    StartRecordIdentifier?: string;
    MaxItems?: number;
  }) {
    const zone = this.mustGetZone(input.HostedZoneId);
    if (input.StartRecordType && !input.StartRecordName)
      throw modeled(InvalidInput, "StartRecordType requires StartRecordName");
    const order = (a: ResourceRecordSet, b: ResourceRecordSet) =>
      compareNames(a.Name as string, b.Name as string) ||
      cmp(a.Type as string, b.Type as string) ||
      cmp(a.SetIdentifier ?? "", b.SetIdentifier ?? "");
    const start: ResourceRecordSet = {
      Name: dnsName(input.StartRecordName ?? ""),
      Type: (input.StartRecordType ?? "") as ResourceRecordSet["Type"],
      SetIdentifier: input.StartRecordIdentifier ?? "",
    };
    const all = [...zone.records.values()]
      .map((r) => r.set)
      .sort(order)
      .filter((s) => !input.StartRecordName || order(s, start) >= 0);
    const max = Math.min(Number(input.MaxItems ?? 300), 300);
    const next = all[max];
    return {
      ResourceRecordSets: all.slice(0, max),
      IsTruncated: !!next,
      ...(next
        ? {
            NextRecordName: next.Name,
            NextRecordType: next.Type,
            ...(next.SetIdentifier ? { NextRecordIdentifier: next.SetIdentifier } : {}),
          }
        : {}),
      MaxItems: max,
    };
  }

  private getChange(input: { Id: string }) {
    const Id = CHANGE + bare(input.Id, CHANGE);
    const at = this.changes.get(Id);
    if (at === undefined) throw modeled(NoSuchChange, `A change with the specified change ID does not exist: ${Id}`);
    const Status = this.now() < at + this.fake.latency.route53InsyncMs ? "PENDING" : "INSYNC";
    return { ChangeInfo: { Id, Status, SubmittedAt: new Date(at) } };
  }

  /**
   * Tags of a hosted zone (CreateHostedZone takes none): at most 10 added per call, 50 on a zone; a key is 1-128
   * characters, a value up to 256.
   */
  private changeTags(input: {
    ResourceType: string;
    ResourceId: string;
    AddTags?: { Key?: string; Value?: string }[];
    RemoveTagKeys?: string[];
  }) {
    if (input.ResourceType !== "hostedzone") throw modeled(InvalidInput, "Only hosted zones are modeled");
    const zone = this.mustGetZone(input.ResourceId);
    const add = input.AddTags ?? [];
    if (add.length > 10 || (input.RemoveTagKeys?.length ?? 0) > 10)
      throw modeled(InvalidInput, "At most 10 tags can be added or removed in one request");
    for (const t of add) {
      if (!t.Key || t.Key.length > 128 || (t.Value ?? "").length > 256)
        throw modeled(InvalidInput, `Invalid tag: ${t.Key}`);
    }
    const kept = zone.tags.filter(
      (t) => !add.some((a) => a.Key === t.Key) && !(input.RemoveTagKeys ?? []).includes(t.Key),
    );
    const next = [...kept, ...add.map((t) => ({ Key: t.Key as string, Value: t.Value ?? "" }))];
    if (next.length > 50) throw modeled(InvalidInput, "A hosted zone can have at most 50 tags");
    zone.tags = next;
    return {};
  }

  private listTags(input: { ResourceType: string; ResourceId: string }) {
    const zone = this.mustGetZone(input.ResourceId);
    return { ResourceTagSet: { ResourceType: "hostedzone", ResourceId: bare(zone.Id, ZONE), Tags: zone.tags } };
  }

  private mustGetZone(id: string): Zone {
    const zone = this.zones.get(ZONE + bare(id ?? "", ZONE));
    if (!zone) throw modeled(NoSuchHostedZone, `No hosted zone found with ID: ${bare(id ?? "", ZONE)}`);
    return zone;
  }
}
