// The Resource Groups Tagging API as `infra` uses it: GetResources finds what carries the project's tags across
// services. It keeps no resources of its own: every call reads the other models of the fake. Like AWS it is
// eventually consistent: a deleted resource may still be listed, with the tags it had, for a short while.
import {
  GetResourcesCommand,
  type GetResourcesInput,
  InvalidParameterException,
  PaginationTokenExpiredException,
  ResourceGroupsTaggingAPIClient,
  type ResourceTagMapping,
  type TagFilter,
} from "@aws-sdk/client-resource-groups-tagging-api";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { modeled } from "./errors.js";
import { instanceArn } from "./rds-state.js";

/**
 * A deleted resource stays listed while less than this has passed since a GetResources last saw it alive. That
 * is a lower bound on its deletion time, so the fake lists it no longer than "10 s after deletion", and only to
 * callers that listed before deleting (a destroy that checks what is left over, say).
 */
export const LISTED_AFTER_DELETE_MS = 10_000;
/** AWS: "A PaginationToken is valid for a maximum of 15 minutes." */
export const TOKEN_VALID_MS = 15 * 60_000;
const DEFAULT_PER_PAGE = 50;

/** ECS spells its tags' fields in lower case ({ key, value }); Logs and auto scaling keep a map. */
type Pair = { Key?: string; Value?: string; key?: string; value?: string };
type Tags = ReadonlyArray<Pair> | Readonly<Record<string, string>> | undefined;

/** A tagged resource as GetResources sees it; `type` is what ResourceTypeFilters name ("service:resourceType"). */
interface Found {
  arn: string;
  type: string;
  tags: { Key: string; Value: string }[];
}

interface Row {
  arn: string;
  type: string;
  tags: Tags;
}

const row = (arn: string, type: string, tags: Tags): Row => ({ arn, type, tags });

const invalid = (message: string) => modeled(InvalidParameterException, message);

/** Tags as GetResources shows them ({ Key, Value }), however the model keeps them. */
function pairs(tags: Tags): { Key: string; Value: string }[] {
  if (!tags) return [];
  if (Array.isArray(tags))
    return (tags as Pair[]).map((t) => ({ Key: t.Key ?? t.key ?? "", Value: t.Value ?? t.value ?? "" }));
  return Object.entries(tags as Record<string, string>).map(([Key, Value]) => ({ Key, Value }));
}

const matchesFilter = (r: Found, f: TagFilter) =>
  r.tags.some((t) => t.Key === f.Key && (!f.Values?.length || f.Values.includes(t.Value)));

/** "ecs" matches every ECS resource, "ecs:service" only services. */
const matchesType = (r: Found, filters: string[]) => filters.some((f) => f === r.type || f === r.type.split(":")[0]);

export class TaggingModel {
  readonly name = "ResourceGroupsTaggingAPI";
  readonly client = ResourceGroupsTaggingAPIClient;
  /** ARN -> what the last GetResources saw of it, and when: ghosts of deleted resources come from here. */
  private readonly seen = new Map<string, Found & { at: number }>();

  constructor(private readonly fake: Fake) {}

  readonly handlers: ServiceModel["handlers"] = [[GetResourcesCommand, (i) => this.getResources(i)]];

  private now = () => this.fake.clock.now();

  /** Every live resource of the other models that carries at least one tag. */
  tagged(): Found[] {
    const f = this.fake;
    const region = `us-east-1:${ACCOUNT}`;
    const all: Row[] = [
      ...f.ec2
        .visibleGroups()
        .map((g) => row(`arn:aws:ec2:${region}:security-group/${g.GroupId}`, "ec2:security-group", g.Tags)),
      ...f.elbv2
        .liveLoadBalancers()
        .map((lb) => row(lb.arn, "elasticloadbalancing:loadbalancer", f.elbv2.tags.get(lb.arn))),
      ...[...f.elbv2.targetGroups.keys()].map((arn) =>
        row(arn, "elasticloadbalancing:targetgroup", f.elbv2.tags.get(arn)),
      ),
      ...[...f.elbv2.listeners.keys()].map((arn) => row(arn, "elasticloadbalancing:listener", f.elbv2.tags.get(arn))),
      ...[...f.acm.certificates.values()].map((c) => row(c.CertificateArn, "acm:certificate", c.tags)),
      // A deleted service keeps its tags while ECS still describes it (DRAINING, then INACTIVE), and a deregistered
      // task definition revision is INACTIVE, not gone: both are still tagged resources to this API.
      ...[...f.ecs.services.values()]
        .filter((s) => f.ecs.statusOf(s) !== "MISSING")
        .map((s) => row(s.arn, "ecs:service", s.tags)),
      ...f.ecs.taskDefinitions.map((t) => row(t.arn, "ecs:task-definition", t.tags)),
      ...[...f.logs.groups.values()].map((g) => row(f.logs.arnOf(g.logGroupName), "logs:log-group", g.tags)),
      ...[...f.cloudwatch.alarms.values()].map((a) =>
        row(a.AlarmArn ?? "", "cloudwatch:alarm", f.cloudwatch.tags.get(a.AlarmArn ?? "")),
      ),
      ...[...f.cloudwatch.dashboards.values()].map((d) =>
        row(d.DashboardArn, "cloudwatch:dashboard", f.cloudwatch.dashboardStore.tags.get(d.DashboardName)),
      ),
      // An SNS topic's ARN names no resource type, but the tagging API calls it "sns:topic".
      ...[...f.sns.topics.values()].map((t) => row(t.TopicArn, "sns:topic", t.tags)),
      ...[...f.autoscaling.targets.values()].map((t) =>
        row(t.ScalableTargetARN ?? "", "application-autoscaling:scalable-target", t.tags),
      ),
      ...f.rds.live().map((i) => row(instanceArn(i.id), "rds:db", i.tags)),
      ...[...f.waf.webAcls.values()].map((w) => row(w.webAcl.ARN ?? "", "wafv2:regional/webacl", w.tags)),
      ...[...f.route53.zones.values()].map((z) =>
        row(`arn:aws:route53:::hostedzone/${z.Id.replace("/hostedzone/", "")}`, "route53:hostedzone", z.tags),
      ),
    ];
    return all
      .map(({ arn, type, tags }) => ({ arn, type, tags: pairs(tags) }))
      .filter((r) => r.arn !== "" && r.tags.length > 0);
  }

  /** What GetResources lists now: the live resources, and the deleted ones it still remembers. */
  private listed(): Found[] {
    const now = this.now();
    const live = this.tagged();
    for (const r of live) this.seen.set(r.arn, { ...r, at: now });
    const liveArns = new Set(live.map((r) => r.arn));
    const ghosts: Found[] = [];
    for (const [arn, r] of this.seen) {
      if (liveArns.has(arn)) continue;
      if (now < r.at + this.fake.latency.taggingListedAfterDeleteMs) ghosts.push({ arn, type: r.type, tags: r.tags });
      else this.seen.delete(arn);
    }
    return [...live, ...ghosts].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  }

  private getResources(input: GetResourcesInput) {
    const perPage = input.ResourcesPerPage ?? DEFAULT_PER_PAGE;
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100)
      throw invalid("ResourcesPerPage must be between 1 and 100.");
    const filters = input.TagFilters ?? [];
    if (filters.length > 50) throw invalid("TagFilters can have at most 50 items.");
    for (const f of filters) {
      if (!f.Key) throw invalid("A TagFilter must have a Key.");
      if ((f.Values?.length ?? 0) > 20) throw invalid("A TagFilter can have at most 20 Values.");
    }
    const types = input.ResourceTypeFilters ?? [];
    const arns = input.ResourceARNList;
    if (arns?.length && (filters.length || types.length))
      throw invalid("ResourceARNList cannot be used with TagFilters or ResourceTypeFilters.");
    if (arns) return this.byArns(input, arns);
    const from = this.offset(input.PaginationToken);
    const all = this.listed()
      .filter((r) => filters.every((f) => matchesFilter(r, f)))
      .filter((r) => !types.length || matchesType(r, types));
    const items = all.slice(from, from + perPage);
    const more = from + perPage < all.length;
    const mappings: ResourceTagMapping[] = items.map((r) => ({ ResourceARN: r.arn, Tags: r.tags }));
    // AWS answers an empty string, not no token, on the last page.
    return { ResourceTagMappingList: mappings, PaginationToken: more ? this.token(from + perPage) : "" };
  }

  /** The tags of up to 100 ARNs, in one answer: an ARN it does not list (untagged, or unknown) is left out. */
  private byArns(input: GetResourcesInput, arns: string[]) {
    if (arns.length < 1 || arns.length > 100) throw invalid("ResourceARNList must have 1 to 100 items.");
    if (input.PaginationToken || input.ResourcesPerPage !== undefined || input.TagsPerPage !== undefined)
      throw invalid("ResourceARNList cannot be used with PaginationToken, ResourcesPerPage or TagsPerPage.");
    const listed = this.listed().filter((r) => arns.includes(r.arn));
    return { ResourceTagMappingList: listed.map((r) => ({ ResourceARN: r.arn, Tags: r.tags })), PaginationToken: "" };
  }

  /** Tokens carry the offset and when they were handed out: they expire after TOKEN_VALID_MS. */
  private token(offset: number): string {
    return Buffer.from(JSON.stringify({ offset, at: this.now() })).toString("base64");
  }

  private offset(token: string | undefined): number {
    if (!token) return 0;
    let parsed: { offset?: unknown; at?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(token, "base64").toString()) ?? {};
    } catch {
      throw invalid("The PaginationToken is not valid.");
    }
    const { offset, at } = parsed;
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || typeof at !== "number")
      throw invalid("The PaginationToken is not valid.");
    if (this.now() > at + TOKEN_VALID_MS)
      throw modeled(PaginationTokenExpiredException, "The PaginationToken has expired. Start again without it.");
    return offset;
  }
}
