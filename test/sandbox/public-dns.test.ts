// The fake's public DNS answers NS lookups as Node's resolver does, and can be a resolver that fails
// (docs/aws-behaviours.md, "Route 53": delegation).
import {
  ChangeTagsForResourceCommand,
  InvalidInput,
  ListTagsForResourceCommand,
  Route53Client,
} from "@aws-sdk/client-route-53";
import { describe, expect, it } from "vitest";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => "answered",
    (err: NodeJS.ErrnoException) => err.code,
  );

describe("the fake's public DNS", () => {
  it("sends a domain to its first public zone, and answers NXDOMAIN for a domain that does not exist", async () => {
    const id = fake.current.route53.addZone("example.com");
    fake.current.route53.addZone("example.com");
    expect(await fake.current.dns.resolveNs("example.com.")).toEqual(fake.current.route53.nameServersOf(id));
    expect(await codeOf(fake.current.dns.resolveNs("nowhere.example.org"))).toBe("ENOTFOUND");
  });

  it("follows the delegation a test sets, none meaning the domain does not exist", async () => {
    fake.current.route53.addZone("example.com");
    fake.current.delegations.set("example.com", ["ns1.parking.example."]);
    expect(await fake.current.dns.resolveNs("example.com")).toEqual(["ns1.parking.example."]);
    fake.current.delegations.set("example.com", []);
    expect(await codeOf(fake.current.dns.resolveNs("example.com"))).toBe("ENOTFOUND");
  });

  it("knows Route 53's name servers exist, without NS records of their own (ENODATA)", async () => {
    const id = fake.current.route53.addZone("example.com");
    for (const ns of fake.current.route53.nameServersOf(id))
      expect(await codeOf(fake.current.dns.resolveNs(ns))).toBe("ENODATA");
  });

  it("can be a resolver that answers NXDOMAIN for every name, or one that cannot be reached", async () => {
    const id = fake.current.route53.addZone("example.com");
    const ns = fake.current.route53.nameServersOf(id)[0] as string;
    fake.current.dns.mode = "nxdomain";
    expect(await codeOf(fake.current.dns.resolveNs("example.com"))).toBe("ENOTFOUND");
    expect(await codeOf(fake.current.dns.resolveNs(ns))).toBe("ENOTFOUND");
    fake.current.dns.mode = "unreachable";
    expect(await codeOf(fake.current.dns.resolveNs("example.com"))).toBe("ECONNREFUSED");
  });
});

describe("Route 53 fake: hosted zone tags", () => {
  const r53 = () => new Route53Client({ region: "us-east-1" });
  const tag = (n: number) => ({ Key: `k${n}`, Value: `v${n}` });

  it("adds, overwrites and removes tags, at most 10 a call", async () => {
    const id = fake.current.route53.addZone("example.com").replace("/hostedzone/", "");
    const change = (input: object) =>
      r53().send(new ChangeTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: id, ...input }));
    const list = async () =>
      (await r53().send(new ListTagsForResourceCommand({ ResourceType: "hostedzone", ResourceId: id }))).ResourceTagSet
        ?.Tags;
    await change({ AddTags: [tag(1), tag(2)] });
    await change({ AddTags: [{ Key: "k1", Value: "new" }], RemoveTagKeys: ["k2"] });
    expect(await list()).toEqual([{ Key: "k1", Value: "new" }]);
    await expect(change({ AddTags: Array.from({ length: 11 }, (_, i) => tag(i)) })).rejects.toBeInstanceOf(
      InvalidInput,
    );
    expect(fake.current.tagging.tagged().map((r) => r.arn)).toEqual([`arn:aws:route53:::hostedzone/${id}`]);
  });
});
