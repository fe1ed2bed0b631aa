// What AWS authorizes for each call the fake receives: the IAM action (or actions: some calls are authorized on
// several, like a create that tags, or a web ACL association that the load balancer checks too), the resource ARN
// each is evaluated on, and the condition keys AWS sets for the request. Taken from each service's page of the
// Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/) and the
// service guides' "tag on create" and "permissions required" sections; docs/aws-behaviours.md, "IAM".
//
// The fake records these on every call (Call.authorization), before the call takes effect (as AWS authorizes before
// acting), so a test can evaluate them against a policy: what AWS would check, not what infra's policy code believes.
// Adding a call to the fake: add its entry to the service's table in this folder.
import type { Fake } from "../aws-fake.js";
import { ACCOUNT } from "../ec2.js";

export type ContextValue = string | string[];

export interface Authorization {
  action: string;
  /** The ARN AWS evaluates the action on, or "*" for an action (or a call) that names no resource. */
  resource: string;
  context: Record<string, ContextValue>;
}

/** What an entry can read: where the call was sent, and the fake's state before the call. */
export interface Where {
  region: string;
  account: string;
  fake: Fake;
  /** An ARN of this account and region. */
  arn(service: string, resource: string): string;
  /** The tags a resource carries now, as aws:ResourceTag/<key> context keys. */
  resourceTags(arn: string): Record<string, string>;
}

// biome-ignore lint/suspicious/noExplicitAny: each entry reads its own command's input shape.
export type Authorize = (input: any, at: Where) => Authorization[];

/** The id AWS gives an object a call creates: unknown to any policy, so any value of the ARN's form stands for it. */
export const NEW_ID = "0123456789abcdef";

export const on = (action: string, resource: string, context: Record<string, ContextValue> = {}): Authorization => ({
  action,
  resource,
  context,
});

type TagList = ReadonlyArray<{ Key?: string; Value?: string; key?: string; value?: string }>;

/** Tags however a service spells them: [{ Key, Value }], ECS's [{ key, value }], or a map. */
export function tagPairs(tags: TagList | Readonly<Record<string, string>> | undefined): [string, string][] {
  if (!tags) return [];
  if (Array.isArray(tags)) return (tags as TagList).map((t) => [t.Key ?? t.key ?? "", t.Value ?? t.value ?? ""]);
  return Object.entries(tags as Record<string, string>);
}

/** aws:RequestTag/<key> and aws:TagKeys for the tags a request carries (none: no keys). */
export function requestTags(tags: Parameters<typeof tagPairs>[0]): Record<string, ContextValue> {
  const pairs = tagPairs(tags);
  if (pairs.length === 0) return {};
  return {
    ...Object.fromEntries(pairs.map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    "aws:TagKeys": pairs.map(([k]) => k),
  };
}

export function where(fake: Fake, region: string): Where {
  let tagged: Map<string, [string, string][]> | undefined;
  return {
    region,
    account: ACCOUNT,
    fake,
    arn: (service, resource) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`,
    resourceTags(arn) {
      tagged ??= new Map(fake.tagging.tagged().map((r) => [r.arn, r.tags.map((t) => [t.Key, t.Value])]));
      const tags = tagged.get(arn) ?? tagged.get(arn.replace(/:\*$/, "")) ?? [];
      return Object.fromEntries(tags.map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
    },
  };
}

/** An entry for a call AWS authorizes on no resource: its own action on "*". */
export const unscoped =
  (action: string): Authorize =>
  () => [on(action, "*")];
