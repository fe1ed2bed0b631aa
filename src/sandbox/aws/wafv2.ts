// WAF (v2) as `infra` uses it: one REGIONAL web ACL in front of the ALB. Definitions are checked as WAF checks
// them (wafv2-rules.ts); every change needs the current LockToken and issues a new one; a new web ACL cannot be
// associated for a few seconds ("retry the request"); a resource has at most one web ACL (associating another
// replaces it); a web ACL cannot be deleted while associated, nor for a while after, because WAF learns of a
// disassociation late; ListWebACLs leaves a new web ACL out for a while, for the same reason (only CreateWebACL's
// answer is sure to name it); deleting the load balancer takes its association with it (elbv2.ts calls `forget`).
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
  type Tag,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateWebACLCommand,
  type UpdateWebACLRequest,
  WAFAssociatedItemException,
  WAFDuplicateItemException,
  WAFOptimisticLockException,
  WAFUnavailableEntityException,
  WAFV2Client,
  type WebACL,
} from "@aws-sdk/client-wafv2";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { uuid } from "./ecs-state.js";
import { modeled } from "./errors.js";
import { byName, page } from "./shared.js";
import {
  checkDefinition,
  checkName,
  checkResourceArn,
  checkScope,
  type Definition,
  invalidParameter,
  nonexistent,
} from "./wafv2-rules.js";

export { MANAGED_RULE_GROUPS, MAX_CAPACITY, RATE_LIMIT_MAX, RATE_LIMIT_MIN } from "./wafv2-rules.js";

export const WEB_ACL_PREFIX = `arn:aws:wafv2:us-east-1:${ACCOUNT}:regional/webacl/`;
/** AssociateWebACL answers WAFUnavailableEntityException this long after CreateWebACL. */
export const UNAVAILABLE_AFTER_CREATE_MS = 5_000;
/** ListWebACLs leaves a new web ACL out for this long after CreateWebACL. */
export const LISTED_AFTER_CREATE_MS = 30_000;
/** DeleteWebACL answers WAFAssociatedItemException this long after the web ACL's last disassociation. */
export const ASSOCIATED_AFTER_DISASSOCIATION_MS = 20_000;

/** A web ACL as GetWebACL shows it, plus what the fake needs to answer as WAF does. */
export interface WebAclRecord {
  webAcl: WebACL;
  lockToken: string;
  tags: Tag[];
  createdAt: number;
  /** When a resource last stopped using it (explicitly, by being replaced, or by the resource's deletion). */
  disassociatedAt?: number;
}

export class WafModel {
  readonly name = "WAFV2";
  readonly client = WAFV2Client;
  /** Web ACL ARN -> web ACL. */
  readonly webAcls = new Map<string, WebAclRecord>();
  /** Resource (ALB) ARN -> the ARN of its web ACL. */
  readonly associations = new Map<string, string>();
  private seq = 0;

  constructor(private readonly fake: Fake) {}

  readonly handlers: ServiceModel["handlers"] = [
    [CreateWebACLCommand, (i) => this.create(i)],
    [GetWebACLCommand, (i) => this.get(i)],
    [ListWebACLsCommand, (i) => this.list(i)],
    [UpdateWebACLCommand, (i) => this.update(i)],
    [DeleteWebACLCommand, (i) => this.delete(i)],
    [AssociateWebACLCommand, (i) => this.associate(i)],
    [DisassociateWebACLCommand, (i) => this.disassociate(i)],
    [GetWebACLForResourceCommand, (i) => this.forResource(i)],
    [ListResourcesForWebACLCommand, (i) => this.resourcesFor(i)],
    [TagResourceCommand, (i) => this.tagResource(i)],
    [UntagResourceCommand, (i) => this.untagResource(i)],
    [ListTagsForResourceCommand, (i) => this.listTags(i)],
  ];

  private now = () => this.fake.clock.now();
  /** Ids and lock tokens are UUIDs, as in AWS, but the same from one test run to the next. */
  private nextUuid = (kind: string) => uuid(`wafv2 ${kind} ${++this.seq}`);

  /** The load balancer is gone: so is its association (AWS drops it; WAF notices late, as with a disassociation). */
  forget(resourceArn: string): void {
    this.release(resourceArn);
  }

  webAclNamed(name: string): WebAclRecord | undefined {
    return [...this.webAcls.values()].find((r) => r.webAcl.Name === name);
  }

  private release(resourceArn: string) {
    const arn = this.associations.get(resourceArn);
    if (arn === undefined) return;
    this.associations.delete(resourceArn);
    const acl = this.webAcls.get(arn);
    if (acl) acl.disassociatedAt = this.now();
  }

  private create(input: CreateWebACLRequest) {
    checkScope(input.Scope);
    const name = checkName(input.Name);
    const { Scope: _scope, Tags, ...definition } = input;
    const Capacity = checkDefinition(name, definition);
    if (this.webAclNamed(name))
      throw modeled(
        WAFDuplicateItemException,
        "AWS WAF couldn’t perform the operation because some resource in your request is a duplicate of an existing one.",
      );
    const id = this.nextUuid("id");
    const arn = `${WEB_ACL_PREFIX}${name}/${id}`;
    const record: WebAclRecord = {
      webAcl: this.render(arn, id, definition, Capacity),
      lockToken: this.nextUuid("lock"),
      tags: [...(Tags ?? [])],
      createdAt: this.now(),
    };
    this.webAcls.set(arn, record);
    return { Summary: this.summary(record) };
  }

  private render(arn: string, id: string, definition: Definition, capacity: number | undefined): WebACL {
    return {
      ...definition,
      Name: definition.Name,
      Id: id,
      ARN: arn,
      Rules: definition.Rules ?? [],
      Capacity: capacity,
      ManagedByFirewallManager: false,
      RetrofittedByFirewallManager: false,
      LabelNamespace: `awswaf:${ACCOUNT}:webacl:${definition.Name}:`,
    } as WebACL;
  }

  private summary(r: WebAclRecord) {
    const { Name, Id, Description, ARN } = r.webAcl;
    return { Name, Id, ...(Description !== undefined ? { Description } : {}), LockToken: r.lockToken, ARN };
  }

  /** By name, scope and id, as every WAF call that names a web ACL asks for it. */
  private find(input: { Name?: string; Scope?: string; Id?: string }): WebAclRecord {
    checkScope(input.Scope);
    const record = this.webAcls.get(`${WEB_ACL_PREFIX}${input.Name}/${input.Id}`);
    if (!record) throw nonexistent(`web ACL ${input.Name}/${input.Id}`);
    return record;
  }

  private byArn(arn: string | undefined): WebAclRecord {
    const record = this.webAcls.get(arn ?? "");
    if (!record) throw nonexistent(arn);
    return record;
  }

  private checkLock(record: WebAclRecord, token: string | undefined) {
    if (token !== record.lockToken)
      throw modeled(
        WAFOptimisticLockException,
        "AWS WAF couldn’t save your changes because you tried to update or delete a resource that has changed since you last retrieved it. Get the resource again, make any changes you need to make to the new copy, and retry your operation.",
      );
  }

  private get(input: { Name?: string; Scope?: string; Id?: string }) {
    const record = this.find(input);
    return { WebACL: record.webAcl, LockToken: record.lockToken };
  }

  private list(input: { Scope?: string; NextMarker?: string; Limit?: number }) {
    checkScope(input.Scope);
    const limit = input.Limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw invalidParameter("WEB_ACL", String(limit), "The parameter contains formatting that's not valid.");
    const all = [...this.webAcls.values()]
      .filter((r) => this.now() >= r.createdAt + LISTED_AFTER_CREATE_MS)
      .sort(byName((r) => r.webAcl.Name as string));
    const p = page(all, input.NextMarker, limit, () =>
      invalidParameter("WEB_ACL", "NextMarker", "The parameter contains formatting that's not valid."),
    );
    return { WebACLs: p.items.map((r) => this.summary(r)), ...(p.next ? { NextMarker: p.next } : {}) };
  }

  /** The whole definition is replaced: what the request leaves out (a Description, a rule) is gone. */
  private update(input: UpdateWebACLRequest) {
    const record = this.find(input);
    this.checkLock(record, input.LockToken);
    const { Scope: _s, Id: _i, LockToken: _l, ...definition } = input;
    const Capacity = checkDefinition(input.Name as string, definition);
    const { ARN, Id } = record.webAcl;
    record.webAcl = this.render(ARN as string, Id as string, definition, Capacity);
    record.lockToken = this.nextUuid("lock");
    return { NextLockToken: record.lockToken };
  }

  private delete(input: { Name?: string; Scope?: string; Id?: string; LockToken?: string }) {
    const record = this.find(input);
    this.checkLock(record, input.LockToken);
    const arn = record.webAcl.ARN as string;
    const associated = [...this.associations.values()].includes(arn);
    const settling =
      record.disassociatedAt !== undefined &&
      this.now() < record.disassociatedAt + this.fake.latency.webAclAssociatedAfterMs;
    if (associated || settling)
      throw modeled(
        WAFAssociatedItemException,
        "AWS WAF couldn’t perform the operation because your resource is being used by another resource or it’s associated with another resource.",
      );
    this.webAcls.delete(arn);
    return {};
  }

  /** The ALB behind an ARN: WAFInvalidParameterException if it cannot be one, nonexistent if there is none now. */
  private loadBalancer(resourceArn: string | undefined) {
    const arn = checkResourceArn(resourceArn);
    const lb = this.fake.elbv2.liveLoadBalancers().find((x) => x.arn === arn);
    if (!lb) throw nonexistent(arn);
    if (lb.type !== "application") throw invalidParameter("RESOURCE_ARN", arn, "The resource can't have a web ACL.");
    return lb;
  }

  private associate(input: { WebACLArn?: string; ResourceArn?: string }) {
    const record = this.byArn(input.WebACLArn);
    const lb = this.loadBalancer(input.ResourceArn);
    if (this.now() < record.createdAt + this.fake.latency.webAclUnavailableMs)
      throw modeled(
        WAFUnavailableEntityException,
        "AWS WAF couldn’t retrieve the resource that you requested. Retry your request.",
      );
    if (this.associations.get(lb.arn) !== record.webAcl.ARN) this.release(lb.arn);
    this.associations.set(lb.arn, record.webAcl.ARN as string);
    return {};
  }

  /** Idempotent: nothing associated is not an error. */
  private disassociate(input: { ResourceArn?: string }) {
    this.release(checkResourceArn(input.ResourceArn));
    return {};
  }

  private forResource(input: { ResourceArn?: string }) {
    const lb = this.loadBalancer(input.ResourceArn);
    const arn = this.associations.get(lb.arn);
    const record = arn ? this.webAcls.get(arn) : undefined;
    return record ? { WebACL: record.webAcl } : {};
  }

  private resourcesFor(input: { WebACLArn?: string; ResourceType?: string }) {
    const arn = this.byArn(input.WebACLArn).webAcl.ARN;
    const type = input.ResourceType ?? "APPLICATION_LOAD_BALANCER";
    const ResourceArns =
      type === "APPLICATION_LOAD_BALANCER"
        ? [...this.associations].filter(([, acl]) => acl === arn).map(([resource]) => resource)
        : [];
    return { ResourceArns };
  }

  private tagResource(input: { ResourceARN?: string; Tags?: Tag[] }) {
    const record = this.byArn(input.ResourceARN);
    const tags = input.Tags ?? [];
    record.tags = [...record.tags.filter((t) => !tags.some((n) => n.Key === t.Key)), ...tags];
    return {};
  }

  private untagResource(input: { ResourceARN?: string; TagKeys?: string[] }) {
    const record = this.byArn(input.ResourceARN);
    record.tags = record.tags.filter((t) => !(input.TagKeys ?? []).includes(t.Key ?? ""));
    return {};
  }

  private listTags(input: { ResourceARN?: string }) {
    const record = this.byArn(input.ResourceARN);
    return { TagInfoForResource: { ResourceARN: record.webAcl.ARN, TagList: [...record.tags] } };
  }
}
