// The Route 53 fake behaves as AWS does (docs/aws-behaviours.md, "Route 53"): checked with the real SDK client.
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  HostedZoneAlreadyExists,
  HostedZoneNotEmpty,
  InvalidChangeBatch,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  NoSuchChange,
  NoSuchHostedZone,
  type ResourceRecordSet,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { describe, expect, it } from "vitest";
import { INSYNC_AFTER_MS } from "../../src/sandbox/aws/route53.js";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const r53 = () => new Route53Client({ region: "us-east-1" });

const cname = (Name: string, Value: string, TTL = 300): ResourceRecordSet => ({
  Name,
  Type: "CNAME",
  TTL,
  ResourceRecords: [{ Value }],
});
const a = (Name: string, ip = "192.0.2.1", TTL = 300): ResourceRecordSet => ({
  Name,
  Type: "A",
  TTL,
  ResourceRecords: [{ Value: ip }],
});
const change = (HostedZoneId: string, ...Changes: Change[]) =>
  r53().send(new ChangeResourceRecordSetsCommand({ HostedZoneId, ChangeBatch: { Changes } }));
const create = (s: ResourceRecordSet): Change => ({ Action: "CREATE", ResourceRecordSet: s });
const upsert = (s: ResourceRecordSet): Change => ({ Action: "UPSERT", ResourceRecordSet: s });
const del = (s: ResourceRecordSet): Change => ({ Action: "DELETE", ResourceRecordSet: s });
const listNames = async (zoneId: string) =>
  ((await r53().send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets ?? []).map(
    (r) => `${r.Name} ${r.Type}`,
  );

describe("Route 53 fake: hosted zones", () => {
  it("creates a zone with a lower-case name, four name servers, and SOA and NS records", async () => {
    const out = await r53().send(new CreateHostedZoneCommand({ Name: "Example.COM", CallerReference: "ref-1" }));
    // No "Z" is promised: the fake never gives one, so code cannot lean on it.
    expect(out.HostedZone?.Id).toMatch(/^\/hostedzone\/[0-9A-F]{13,20}$/);
    expect(out.HostedZone?.Name).toBe("example.com.");
    expect(out.HostedZone?.Config?.PrivateZone).toBe(false);
    expect(out.ChangeInfo?.Status).toBe("PENDING");
    expect(out.DelegationSet?.NameServers).toHaveLength(4);
    expect(out.DelegationSet?.NameServers?.[0]).toMatch(/^ns-\d+\.awsdns-\d\d\.com$/);
    expect(out.Location).toContain(out.HostedZone?.Id);
    expect(await listNames(out.HostedZone?.Id as string)).toEqual(["example.com. NS", "example.com. SOA"]);
  });

  it("refuses a reused CallerReference but makes ANOTHER zone of the same name under a new one", async () => {
    await r53().send(new CreateHostedZoneCommand({ Name: "example.com", CallerReference: "ref-1" }));
    await expect(
      r53().send(new CreateHostedZoneCommand({ Name: "example.com", CallerReference: "ref-1" })),
    ).rejects.toBeInstanceOf(HostedZoneAlreadyExists);
    await r53().send(new CreateHostedZoneCommand({ Name: "example.com", CallerReference: "ref-2" }));
    expect(fake.current.route53.zonesNamed("example.com")).toHaveLength(2);
  });

  it("gets a zone by id with or without the /hostedzone/ prefix, and NoSuchHostedZone when absent", async () => {
    const id = fake.current.route53.addZone("example.com");
    const withPrefix = await r53().send(new GetHostedZoneCommand({ Id: id }));
    const bare = await r53().send(new GetHostedZoneCommand({ Id: id.replace("/hostedzone/", "") }));
    expect(withPrefix.HostedZone?.Id).toBe(id);
    expect(bare.HostedZone?.Id).toBe(id);
    expect(bare.DelegationSet?.NameServers).toEqual(fake.current.route53.nameServersOf(id));
    await expect(r53().send(new GetHostedZoneCommand({ Id: "/hostedzone/ZNOSUCHZONE0001" }))).rejects.toBeInstanceOf(
      NoSuchHostedZone,
    );
  });

  it("lists zones from a name onward, not only the exact name", async () => {
    for (const name of [
      "zexample.com",
      "example.org",
      "example.com",
      "a.example.com",
      "other.net",
      "aaa.com",
      "example.ca",
    ]) {
      fake.current.route53.addZone(name);
    }
    const out = await r53().send(new ListHostedZonesByNameCommand({ DNSName: "example.com" }));
    // Route 53's order reverses the labels: (ca.example, com.aaa before the start) com.example, com.example.a,
    // com.zexample, net.other, org.example.
    expect(out.HostedZones?.map((z) => z.Name)).toEqual([
      "example.com.",
      "a.example.com.",
      "zexample.com.",
      "other.net.",
      "example.org.",
    ]);
  });

  it("lists private zones of the same name too", async () => {
    fake.current.route53.addZone("example.com", { private: true });
    fake.current.route53.addZone("example.com");
    const out = await r53().send(new ListHostedZonesByNameCommand({ DNSName: "example.com" }));
    expect(out.HostedZones?.map((z) => z.Config?.PrivateZone).sort()).toEqual([false, true]);
  });

  it("pages zones with NextDNSName and NextHostedZoneId", async () => {
    for (const name of ["a.com", "b.com", "c.com"]) fake.current.route53.addZone(name);
    const first = await r53().send(new ListHostedZonesByNameCommand({ MaxItems: 2 }));
    expect(first.HostedZones?.map((z) => z.Name)).toEqual(["a.com.", "b.com."]);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextDNSName).toBe("c.com.");
    const next = await r53().send(
      new ListHostedZonesByNameCommand({ DNSName: first.NextDNSName, HostedZoneId: first.NextHostedZoneId }),
    );
    expect(next.HostedZones?.map((z) => z.Name)).toEqual(["c.com."]);
    expect(next.IsTruncated).toBe(false);
  });

  it("deletes only a zone that holds nothing but its SOA and NS", async () => {
    const id = fake.current.route53.addZone("example.com");
    await change(id, create(a("www.example.com")));
    await expect(r53().send(new DeleteHostedZoneCommand({ Id: id }))).rejects.toBeInstanceOf(HostedZoneNotEmpty);
    await change(id, del(a("www.example.com")));
    await r53().send(new DeleteHostedZoneCommand({ Id: id }));
    expect(fake.current.route53.zonesNamed("example.com")).toEqual([]);
    await expect(r53().send(new DeleteHostedZoneCommand({ Id: id }))).rejects.toBeInstanceOf(NoSuchHostedZone);
  });
});

describe("Route 53 fake: record sets", () => {
  it("stores names lower-case with a trailing dot and a leading * as \\052", async () => {
    const id = fake.current.route53.addZone("example.com");
    await change(id, create(cname("*.Example.com", "target.example.net")), create(a("WWW.example.com.")));
    expect(await listNames(id)).toEqual([
      "example.com. NS",
      "example.com. SOA",
      "\\052.example.com. CNAME",
      "www.example.com. A",
    ]);
    expect(fake.current.route53.findRecord("*.example.com", "CNAME")?.Name).toBe("\\052.example.com.");
    expect(fake.current.route53.findRecord("\\052.example.com.", "CNAME")).toBeDefined();
  });

  it("refuses to CREATE a record that exists", async () => {
    const id = fake.current.route53.addZone("example.com");
    await change(id, create(a("x.example.com")));
    const err = await change(id, create(a("x.example.com", "192.0.2.9"))).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidChangeBatch);
    expect(err.message).toBe(
      "[Tried to create resource record set [name='x.example.com.', type='A'] but it already exists]",
    );
  });

  it("UPSERTs a record whether or not it exists", async () => {
    const id = fake.current.route53.addZone("example.com");
    await change(id, upsert(a("x.example.com")));
    await change(id, upsert(a("x.example.com", "192.0.2.2")));
    expect(fake.current.route53.findRecord("x.example.com", "A")?.ResourceRecords).toEqual([{ Value: "192.0.2.2" }]);
  });

  it("DELETE must match exactly: name, type, TTL and values", async () => {
    const id = fake.current.route53.addZone("example.com");
    await change(id, create(a("x.example.com", "192.0.2.1", 300)));
    const wrongTtl = await change(id, del(a("x.example.com", "192.0.2.1", 60))).catch((e) => e);
    expect(wrongTtl).toBeInstanceOf(InvalidChangeBatch);
    expect(wrongTtl.message).toContain("but the values provided do not match the current values");
    const wrongValue = await change(id, del(a("x.example.com", "192.0.2.7", 300))).catch((e) => e);
    expect(wrongValue).toBeInstanceOf(InvalidChangeBatch);
    await change(id, del(a("X.Example.com", "192.0.2.1", 300)));
    const gone = await change(id, del(a("x.example.com"))).catch((e) => e);
    expect(gone.message).toBe(
      "[Tried to delete resource record set [name='x.example.com.', type='A'] but it was not found]",
    );
  });

  it("DELETE of an alias must match its target; the target is kept as given, lower-case with a trailing dot", async () => {
    const id = fake.current.route53.addZone("example.com");
    const alias = (DNSName: string): ResourceRecordSet => ({
      Name: "example.com",
      Type: "A",
      AliasTarget: { HostedZoneId: "Z35SXDOTRQ7X7K", DNSName, EvaluateTargetHealth: false },
    });
    await change(id, create(alias("My-ALB-123.us-east-1.elb.amazonaws.com")));
    const listed = await r53().send(new ListResourceRecordSetsCommand({ HostedZoneId: id }));
    const stored = listed.ResourceRecordSets?.find((r) => r.Type === "A");
    expect(stored?.AliasTarget?.DNSName).toBe("my-alb-123.us-east-1.elb.amazonaws.com.");
    await expect(change(id, del(alias("other.elb.amazonaws.com")))).rejects.toBeInstanceOf(InvalidChangeBatch);
    await change(id, del(alias("my-alb-123.us-east-1.elb.amazonaws.com.")));
  });

  it("refuses the same record twice in one batch, and applies nothing of a refused batch", async () => {
    const id = fake.current.route53.addZone("example.com");
    const err = await change(
      id,
      create(a("new.example.com")),
      upsert(cname("v.example.com", "x")),
      upsert(cname("v.example.com", "x")),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidChangeBatch);
    expect(err.message).toContain("invalid set of changes for a resource record set 'CNAME v.example.com.'");
    expect(fake.current.route53.findRecord("new.example.com", "A")).toBeUndefined();
  });

  it("replaces a record with DELETE then CREATE in one batch", async () => {
    const id = fake.current.route53.addZone("example.com");
    await change(id, create(a("x.example.com")));
    await change(id, del(a("x.example.com")), create(a("x.example.com", "192.0.2.5")));
    expect(fake.current.route53.findRecord("x.example.com", "A")?.ResourceRecords).toEqual([{ Value: "192.0.2.5" }]);
  });

  it("refuses a record outside the zone, a CNAME at the apex, and NoSuchHostedZone for an unknown zone", async () => {
    const id = fake.current.route53.addZone("example.com");
    const outside = await change(id, create(a("www.example.org"))).catch((e) => e);
    expect(outside).toBeInstanceOf(InvalidChangeBatch);
    expect(outside.message).toContain("is not permitted in zone example.com.");
    await expect(change(id, create(cname("example.com", "x.example.net")))).rejects.toBeInstanceOf(InvalidChangeBatch);
    await expect(change("/hostedzone/ZNOSUCHZONE0001", create(a("x.example.com")))).rejects.toBeInstanceOf(
      NoSuchHostedZone,
    );
  });

  it("reports a change PENDING, then INSYNC twenty seconds later", async () => {
    const id = fake.current.route53.addZone("example.com");
    const { ChangeInfo } = await change(id, create(a("x.example.com")));
    expect(ChangeInfo?.Id).toMatch(/^\/change\/C/);
    expect(ChangeInfo?.Status).toBe("PENDING");
    const status = async () => (await r53().send(new GetChangeCommand({ Id: ChangeInfo?.Id }))).ChangeInfo?.Status;
    await fake.current.clock.sleep(INSYNC_AFTER_MS - 1);
    expect(await status()).toBe("PENDING");
    await fake.current.clock.sleep(1);
    expect(await status()).toBe("INSYNC");
    await expect(r53().send(new GetChangeCommand({ Id: "/change/CNOSUCH" }))).rejects.toBeInstanceOf(NoSuchChange);
  });

  it("lists records in Route 53's order from a start name and type, page by page", async () => {
    const id = fake.current.route53.addZone("example.com");
    await change(
      id,
      create(a("b.example.com")),
      create({ Name: "b.example.com", Type: "TXT", TTL: 60, ResourceRecords: [{ Value: '"v"' }] }),
      create(a("a.b.example.com")),
      create(a("a.example.com")),
    );
    expect(await listNames(id)).toEqual([
      "example.com. NS",
      "example.com. SOA",
      "a.example.com. A",
      "b.example.com. A",
      "b.example.com. TXT",
      "a.b.example.com. A",
    ]);
    const page = await r53().send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: id,
        StartRecordName: "b.example.com",
        StartRecordType: "TXT",
        MaxItems: 1,
      }),
    );
    expect(page.ResourceRecordSets?.map((r) => `${r.Name} ${r.Type}`)).toEqual(["b.example.com. TXT"]);
    expect(page).toMatchObject({ IsTruncated: true, NextRecordName: "a.b.example.com.", NextRecordType: "A" });
  });

  it("finds records only in public zones", async () => {
    const privateId = fake.current.route53.addZone("example.com", { private: true });
    await change(privateId, create(a("x.example.com")));
    expect(fake.current.route53.findRecord("x.example.com", "A")).toBeUndefined();
    expect(fake.current.route53.recordsOf(privateId).map((r) => r.Name)).toContain("x.example.com.");
  });
});
