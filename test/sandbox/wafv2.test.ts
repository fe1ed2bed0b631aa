// The WAF fake behaves as AWS does: definitions checked as WAF checks them, lock tokens, associations with the
// ALBs of the ELBv2 fake and their delays. Checked with the real SDK clients.
import { CreateSecurityGroupCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  AssociateWebACLCommand,
  CreateWebACLCommand,
  type CreateWebACLRequest,
  DeleteWebACLCommand,
  DisassociateWebACLCommand,
  GetWebACLCommand,
  GetWebACLForResourceCommand,
  ListResourcesForWebACLCommand,
  ListTagsForResourceCommand,
  ListWebACLsCommand,
  type Rule,
  TagResourceCommand,
  UpdateWebACLCommand,
  WAFAssociatedItemException,
  WAFDuplicateItemException,
  WAFInvalidParameterException,
  WAFLimitsExceededException,
  WAFNonexistentItemException,
  WAFOptimisticLockException,
  WAFUnavailableEntityException,
  WAFV2Client,
} from "@aws-sdk/client-wafv2";
import { describe, expect, it } from "vitest";
import { SUBNETS, VPC_ID } from "../../src/sandbox/aws/ec2.js";
import {
  ASSOCIATED_AFTER_DISASSOCIATION_MS,
  LISTED_AFTER_CREATE_MS,
  UNAVAILABLE_AFTER_CREATE_MS,
} from "../../src/sandbox/aws/wafv2.js";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const waf = () => new WAFV2Client({ region: "us-east-1" });
const visibility = (MetricName: string) => ({
  SampledRequestsEnabled: true,
  CloudWatchMetricsEnabled: true,
  MetricName,
});
const managed = (Name: string, Priority: number): Rule => ({
  Name,
  Priority,
  OverrideAction: { None: {} },
  Statement: { ManagedRuleGroupStatement: { VendorName: "AWS", Name } },
  VisibilityConfig: visibility(Name),
});
const rateLimit = (Limit: number, Priority = 10): Rule => ({
  Name: "rate-limit",
  Priority,
  Action: { Block: {} },
  Statement: { RateBasedStatement: { Limit, AggregateKeyType: "IP" } },
  VisibilityConfig: visibility("rate-limit"),
});
const RULES = [
  managed("AWSManagedRulesCommonRuleSet", 1),
  managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
  managed("AWSManagedRulesSQLiRuleSet", 3),
  managed("AWSManagedRulesAmazonIpReputationList", 4),
  rateLimit(2000),
];

const create = async (input: Partial<CreateWebACLRequest> = {}) =>
  (
    await waf().send(
      new CreateWebACLCommand({
        Name: "web",
        Scope: "REGIONAL",
        DefaultAction: { Allow: {} },
        Rules: RULES,
        VisibilityConfig: visibility("web"),
        ...input,
      }),
    )
  ).Summary as { Name: string; Id: string; ARN: string; LockToken: string };
const refusal = (input: Partial<CreateWebACLRequest>) => create(input).catch((e) => e);
const get = (acl: { Id: string; Name?: string }) =>
  waf().send(new GetWebACLCommand({ Name: acl.Name ?? "web", Scope: "REGIONAL", Id: acl.Id }));
const associate = (WebACLArn: string, ResourceArn: string) =>
  waf().send(new AssociateWebACLCommand({ WebACLArn, ResourceArn }));
const aclOf = async (ResourceArn: string) =>
  (await waf().send(new GetWebACLForResourceCommand({ ResourceArn }))).WebACL?.ARN;
const remove = (acl: { Id: string; LockToken: string }) =>
  waf().send(new DeleteWebACLCommand({ Name: "web", Scope: "REGIONAL", Id: acl.Id, LockToken: acl.LockToken }));

/** A live ALB of the ELBv2 fake, in the fake's subnets, with a security group made through EC2. */
async function alb(Name = "web"): Promise<string> {
  const sg = await new EC2Client({ region: "us-east-1" }).send(
    new CreateSecurityGroupCommand({ GroupName: `${Name}-alb`, Description: "alb", VpcId: VPC_ID }),
  );
  const lb = await new ElasticLoadBalancingV2Client({ region: "us-east-1" }).send(
    new CreateLoadBalancerCommand({ Name, Subnets: SUBNETS, SecurityGroups: [sg.GroupId as string] }),
  );
  return lb.LoadBalancers?.[0]?.LoadBalancerArn as string;
}

/** A web ACL past its first seconds, when it can be associated. */
async function settled() {
  const acl = await create();
  fake.current.clock.advance(UNAVAILABLE_AFTER_CREATE_MS);
  return acl;
}

describe("WAF fake: web ACLs", () => {
  it("returns a new web ACL's rules exactly as sent, with its capacity", async () => {
    const acl = await create({ Description: "in front of the ALB" });
    expect(acl.ARN).toBe(`arn:aws:wafv2:us-east-1:123456789012:regional/webacl/web/${acl.Id}`);
    expect(acl.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const { WebACL, LockToken } = await get(acl);
    expect(LockToken).toBe(acl.LockToken);
    expect(WebACL?.Rules).toEqual(RULES);
    expect(WebACL).toMatchObject({
      Name: "web",
      Description: "in front of the ALB",
      DefaultAction: { Allow: {} },
      Capacity: 700 + 200 + 200 + 25 + 2,
      ManagedByFirewallManager: false,
      LabelNamespace: "awswaf:123456789012:webacl:web:",
    });
  });

  it("refuses the CLOUDFRONT scope", async () => {
    expect(await refusal({ Scope: "CLOUDFRONT" })).toBeInstanceOf(WAFInvalidParameterException);
  });

  it("refuses a second web ACL of the same name", async () => {
    await create();
    expect(await refusal({})).toBeInstanceOf(WAFDuplicateItemException);
  });

  it("refuses a rate limit below 10", async () => {
    const err = await refusal({ Rules: [rateLimit(9)] });
    expect(err).toBeInstanceOf(WAFInvalidParameterException);
    expect(err).toMatchObject({ Field: "RATE_BASED_STATEMENT", Parameter: "9" });
    await create({ Rules: [rateLimit(10)] });
  });

  it("refuses a rate limit above two billion", async () => {
    expect(await refusal({ Rules: [rateLimit(2_000_000_001)] })).toBeInstanceOf(WAFInvalidParameterException);
  });

  it("refuses two rules with one name or one priority", async () => {
    const sameName = [managed("AWSManagedRulesSQLiRuleSet", 1), managed("AWSManagedRulesSQLiRuleSet", 2)];
    expect(await refusal({ Rules: sameName })).toBeInstanceOf(WAFInvalidParameterException);
    expect(await refusal({ Rules: [rateLimit(100, 1), managed("AWSManagedRulesSQLiRuleSet", 1)] })).toBeInstanceOf(
      WAFInvalidParameterException,
    );
  });

  it("a managed rule group takes an OverrideAction, any other rule an Action", async () => {
    const { OverrideAction: _, ...bare } = managed("AWSManagedRulesSQLiRuleSet", 1);
    expect(await refusal({ Rules: [{ ...bare, Action: { Block: {} } }] })).toBeInstanceOf(WAFInvalidParameterException);
    expect(await refusal({ Rules: [{ ...rateLimit(100), OverrideAction: { None: {} } }] })).toBeInstanceOf(
      WAFInvalidParameterException,
    );
  });

  it("refuses a rule without a statement or a visibility config", async () => {
    const { Statement: _s, ...noStatement } = rateLimit(100);
    const { VisibilityConfig: _v, ...noVisibility } = rateLimit(100);
    expect(await refusal({ Rules: [noStatement as Rule] })).toBeInstanceOf(WAFInvalidParameterException);
    expect(await refusal({ Rules: [noVisibility as Rule] })).toBeInstanceOf(WAFInvalidParameterException);
  });

  it("refuses a country code ISO 3166 does not have", async () => {
    const geo = (CountryCodes: string[]): Rule => ({
      Name: "geo",
      Priority: 1,
      Action: { Block: {} },
      Statement: { GeoMatchStatement: { CountryCodes: CountryCodes as never } },
      VisibilityConfig: visibility("geo"),
    });
    expect(await refusal({ Rules: [geo(["FR", "XX"])] })).toBeInstanceOf(WAFInvalidParameterException);
    await create({ Rules: [geo(["FR", "KP", "RU"])] });
  });

  it("refuses a managed rule group AWS does not have", async () => {
    expect(await refusal({ Rules: [managed("AWSManagedRulesMadeUpRuleSet", 1)] })).toBeInstanceOf(
      WAFNonexistentItemException,
    );
  });

  it("refuses a web ACL above 5,000 WCUs", async () => {
    const xss = (i: number): Rule => ({
      Name: `xss-${i}`,
      Priority: i,
      Action: { Block: {} },
      Statement: {
        XssMatchStatement: {
          FieldToMatch: { Body: {} },
          TextTransformations: [{ Priority: 0, Type: "URL_DECODE" }],
        },
      },
      VisibilityConfig: visibility(`xss-${i}`),
    });
    const rules = Array.from({ length: 101 }, (_, i) => xss(i)); // 101 x 50 WCUs
    expect(await refusal({ Rules: rules })).toBeInstanceOf(WAFLimitsExceededException);
    await create({ Rules: rules.slice(0, 100) });
  });

  it("lists web ACLs in pages", async () => {
    for (const Name of ["c", "a", "b"]) await create({ Name });
    fake.current.clock.advance(LISTED_AFTER_CREATE_MS);
    const first = await waf().send(new ListWebACLsCommand({ Scope: "REGIONAL", Limit: 2 }));
    expect(first.WebACLs?.map((w) => w.Name)).toEqual(["a", "b"]);
    const rest = await waf().send(
      new ListWebACLsCommand({ Scope: "REGIONAL", Limit: 2, NextMarker: first.NextMarker }),
    );
    expect(rest.WebACLs?.map((w) => w.Name)).toEqual(["c"]);
    expect(rest.NextMarker).toBeUndefined();
  });

  it("lists a new web ACL only once the create has reached every reader, though GetWebACL has it at once", async () => {
    const acl = await create();
    const names = async () =>
      (await waf().send(new ListWebACLsCommand({ Scope: "REGIONAL" }))).WebACLs?.map((w) => w.Name);
    expect(await names()).toEqual([]);
    expect((await get(acl)).WebACL?.ARN).toBe(acl.ARN);
    fake.current.clock.advance(LISTED_AFTER_CREATE_MS - 1);
    expect(await names()).toEqual([]);
    fake.current.clock.advance(1);
    expect(await names()).toEqual(["web"]);
  });

  it("a stale lock token is refused", async () => {
    const acl = await create();
    const update = (LockToken: string) =>
      waf().send(
        new UpdateWebACLCommand({
          Name: "web",
          Scope: "REGIONAL",
          Id: acl.Id,
          DefaultAction: { Allow: {} },
          Rules: RULES,
          VisibilityConfig: visibility("web"),
          LockToken,
        }),
      );
    const { NextLockToken } = await update(acl.LockToken);
    expect(NextLockToken).not.toBe(acl.LockToken);
    await expect(update(acl.LockToken)).rejects.toBeInstanceOf(WAFOptimisticLockException);
    await expect(remove(acl)).rejects.toBeInstanceOf(WAFOptimisticLockException);
    await remove({ Id: acl.Id, LockToken: NextLockToken as string });
  });

  it("an update replaces the whole definition", async () => {
    const acl = await create({ Description: "first" });
    await waf().send(
      new UpdateWebACLCommand({
        Name: "web",
        Scope: "REGIONAL",
        Id: acl.Id,
        DefaultAction: { Block: {} },
        Rules: [rateLimit(500)],
        VisibilityConfig: visibility("web"),
        LockToken: acl.LockToken,
      }),
    );
    const { WebACL } = await get(acl);
    expect(WebACL?.Description).toBeUndefined();
    expect(WebACL?.DefaultAction).toEqual({ Block: {} });
    expect(WebACL?.Rules).toEqual([rateLimit(500)]);
    expect(WebACL?.Capacity).toBe(2);
  });

  it("a missing web ACL is a WAFNonexistentItemException", async () => {
    const acl = await create();
    await remove(acl);
    await expect(get(acl)).rejects.toBeInstanceOf(WAFNonexistentItemException);
    await expect(remove(acl)).rejects.toBeInstanceOf(WAFNonexistentItemException);
  });

  it("tags a web ACL", async () => {
    const acl = await create({ Tags: [{ Key: "ManagedBy", Value: "infra" }] });
    await waf().send(new TagResourceCommand({ ResourceARN: acl.ARN, Tags: [{ Key: "Project", Value: "web" }] }));
    const listed = await waf().send(new ListTagsForResourceCommand({ ResourceARN: acl.ARN }));
    expect(listed.TagInfoForResource).toEqual({
      ResourceARN: acl.ARN,
      TagList: [
        { Key: "ManagedBy", Value: "infra" },
        { Key: "Project", Value: "web" },
      ],
    });
  });
});

describe("WAF fake: associations", () => {
  it("a new web ACL cannot be associated for its first seconds", async () => {
    const lb = await alb();
    const acl = await create();
    await expect(associate(acl.ARN, lb)).rejects.toBeInstanceOf(WAFUnavailableEntityException);
    fake.current.clock.advance(UNAVAILABLE_AFTER_CREATE_MS);
    await associate(acl.ARN, lb);
    expect(fake.current.waf.associations.get(lb)).toBe(acl.ARN);
  });

  it("associates only a load balancer that exists", async () => {
    const acl = await settled();
    const lb = await alb();
    const gone = lb.replace(/[0-9a-f]{16}$/, "0123456789abcdef");
    await expect(associate(acl.ARN, gone)).rejects.toBeInstanceOf(WAFNonexistentItemException);
    await expect(associate(acl.ARN, "arn:aws:s3:::bucket")).rejects.toBeInstanceOf(WAFInvalidParameterException);
  });

  it("associating another web ACL replaces the first", async () => {
    const lb = await alb();
    const first = await create({ Name: "first" });
    const second = await create({ Name: "second" });
    fake.current.clock.advance(UNAVAILABLE_AFTER_CREATE_MS);
    await associate(first.ARN, lb);
    await associate(second.ARN, lb);
    expect(await aclOf(lb)).toBe(second.ARN);
    const listed = await waf().send(new ListResourcesForWebACLCommand({ WebACLArn: first.ARN }));
    expect(listed.ResourceArns).toEqual([]);
  });

  it("disassociating is idempotent", async () => {
    const acl = await settled();
    const lb = await alb();
    await associate(acl.ARN, lb);
    await waf().send(new DisassociateWebACLCommand({ ResourceArn: lb }));
    await waf().send(new DisassociateWebACLCommand({ ResourceArn: lb }));
    expect(await aclOf(lb)).toBeUndefined();
  });

  it("GetWebACLForResource answers nothing for a bare ALB and refuses a missing one", async () => {
    const lb = await alb();
    expect(await aclOf(lb)).toBeUndefined();
    await new ElasticLoadBalancingV2Client({ region: "us-east-1" }).send(
      new DeleteLoadBalancerCommand({ LoadBalancerArn: lb }),
    );
    await expect(aclOf(lb)).rejects.toBeInstanceOf(WAFNonexistentItemException);
  });

  it("a web ACL cannot be deleted while it is associated, nor for a moment after", async () => {
    const acl = await settled();
    const lb = await alb();
    await associate(acl.ARN, lb);
    await expect(remove(acl)).rejects.toBeInstanceOf(WAFAssociatedItemException);
    await waf().send(new DisassociateWebACLCommand({ ResourceArn: lb }));
    fake.current.clock.advance(ASSOCIATED_AFTER_DISASSOCIATION_MS - 1);
    await expect(remove(acl)).rejects.toBeInstanceOf(WAFAssociatedItemException);
    fake.current.clock.advance(1);
    await remove(acl);
    expect(fake.current.waf.webAcls.size).toBe(0);
  });

  it("deleting a load balancer drops its association", async () => {
    const acl = await settled();
    const lb = await alb();
    await associate(acl.ARN, lb);
    await new ElasticLoadBalancingV2Client({ region: "us-east-1" }).send(
      new DeleteLoadBalancerCommand({ LoadBalancerArn: lb }),
    );
    expect(fake.current.waf.associations.size).toBe(0);
    const listed = await waf().send(
      new ListResourcesForWebACLCommand({ WebACLArn: acl.ARN, ResourceType: "APPLICATION_LOAD_BALANCER" }),
    );
    expect(listed.ResourceArns).toEqual([]);
    // WAF learns of it late, as of a disassociation.
    await expect(remove(acl)).rejects.toBeInstanceOf(WAFAssociatedItemException);
    fake.current.clock.advance(ASSOCIATED_AFTER_DISASSOCIATION_MS);
    await remove(acl);
  });
});
