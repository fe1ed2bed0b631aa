// SNS as `infra` uses it: topics for alarm notifications, their tags and attributes, and email subscriptions,
// which wait for the recipient to confirm (sns-subscriptions.ts). CreateTopic is idempotent by name, but with
// other tags or attributes than the existing topic's it is refused; DeleteTopic of a missing topic succeeds and
// takes the topic's subscriptions with it. Errors carry their wire code as `Code` (SNS is a query protocol).
import {
  AuthorizationErrorException,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  NotFoundException,
  ResourceNotFoundException,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  type Tag,
  TagLimitExceededException,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sns";
import type { Fake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { byName, coded, page } from "./shared.js";
import { invalidParameter, Subscriptions } from "./sns-subscriptions.js";

export { PENDING_ANSWER, PENDING_EXPIRES_MS, PENDING_LISTED, type SubscriptionRecord } from "./sns-subscriptions.js";
export const TOPIC_PREFIX = `arn:aws:sns:us-east-1:${ACCOUNT}:`;
/** The attributes CreateTopic and SetTopicAttributes accept. */
const SETTABLE = [
  "DeliveryPolicy",
  "DisplayName",
  "Policy",
  "SignatureVersion",
  "TracingConfig",
  "KmsMasterKeyId",
  "FifoTopic",
  "ContentBasedDeduplication",
  "FifoThroughputScope",
  "ArchivePolicy",
];

export interface TopicRecord {
  TopicArn: string;
  name: string;
  attributes: Record<string, string>;
  tags: Tag[];
}

const topicNotFound = () => coded(NotFoundException, "NotFound", "Topic does not exist");

const defaultPolicy = (arn: string) =>
  JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes",
          "SNS:SetTopicAttributes",
          "SNS:AddPermission",
          "SNS:RemovePermission",
          "SNS:DeleteTopic",
          "SNS:Subscribe",
          "SNS:ListSubscriptionsByTopic",
          "SNS:Publish",
        ],
        Resource: arn,
        Condition: { StringEquals: { "AWS:SourceOwner": ACCOUNT } },
      },
    ],
  });

const sameTags = (a: Tag[], b: Tag[]) =>
  a.length === b.length && a.every((t) => b.some((u) => u.Key === t.Key && u.Value === t.Value));

export class SnsModel {
  readonly name = "SNS";
  readonly client = SNSClient;
  /** Topic ARN -> topic. */
  readonly topics = new Map<string, TopicRecord>();
  readonly subs = new Subscriptions(this);

  constructor(readonly fake: Fake) {}

  readonly handlers: ServiceModel["handlers"] = (
    [
      [CreateTopicCommand, (i) => this.createTopic(i)],
      [GetTopicAttributesCommand, (i) => ({ Attributes: this.attributesOf(this.mustFind(i.TopicArn)) })],
      [SetTopicAttributesCommand, (i) => this.setTopicAttributes(i)],
      [ListTopicsCommand, (i) => this.listTopics(i)],
      [DeleteTopicCommand, (i) => this.deleteTopic(i)],
      [SubscribeCommand, (i) => this.subs.subscribe(i)],
      [ListSubscriptionsByTopicCommand, (i) => this.subs.list(i, this.mustFind(i.TopicArn).TopicArn)],
      [ListSubscriptionsCommand, (i) => this.subs.list(i)],
      [GetSubscriptionAttributesCommand, (i) => this.subs.attributes(i)],
      [UnsubscribeCommand, (i) => this.subs.unsubscribe(i)],
      [TagResourceCommand, (i) => this.tagResource(i)],
      [UntagResourceCommand, (i) => this.untagResource(i)],
      [ListTagsForResourceCommand, (i) => ({ Tags: [...this.tagged(i.ResourceArn).tags] })],
    ] as ServiceModel["handlers"]
  ).map(([command, handler]) => [
    command,
    (input: unknown) => {
      this.subs.expire(); // unconfirmed subscriptions go away after a while, whoever asks
      return handler(input);
    },
  ]);

  /** Subscription ARN -> subscription (pending ones included). */
  get subscriptions() {
    return this.subs.all;
  }

  /** The recipient clicks the link in the confirmation email: the endpoint's pending subscription is confirmed. */
  confirm(endpoint: string, topicArn?: string): string {
    return this.subs.confirm(endpoint, topicArn);
  }

  mustFind(arn: string | undefined): TopicRecord {
    const topic = this.topics.get(arn ?? "");
    if (topic) return topic;
    // Another account's topic is its policy's to show: refused, as if it existed (the least convenient answer).
    const account = (arn ?? "").split(":")[4];
    if (account && account !== ACCOUNT)
      throw coded(AuthorizationErrorException, "AuthorizationError", `not authorized to access resource ${arn}`);
    throw topicNotFound();
  }

  private createTopic(input: { Name?: string; Attributes?: Record<string, string>; Tags?: Tag[] }) {
    const name = input.Name ?? "";
    const attributes = input.Attributes ?? {};
    const fifo = attributes.FifoTopic === "true";
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(name.replace(/\.fifo$/, "")) || name.endsWith(".fifo") !== fifo)
      throw invalidParameter("Topic Name");
    for (const key of Object.keys(attributes)) if (!SETTABLE.includes(key)) throw invalidParameter("AttributeName");
    const arn = `${TOPIC_PREFIX}${name}`;
    const existing = this.topics.get(arn);
    if (existing) {
      // Same name, same ARN; only what the request states is compared.
      const shown = this.attributesOf(existing);
      if (Object.entries(attributes).some(([k, v]) => shown[k] !== v))
        throw invalidParameter("Attributes Reason: Topic already exists with different attributes");
      if (input.Tags?.length && !sameTags(input.Tags, existing.tags))
        throw invalidParameter("Tags Reason: Topic already exists with different tags");
      return { TopicArn: arn };
    }
    this.topics.set(arn, { TopicArn: arn, name, attributes: { ...attributes }, tags: [...(input.Tags ?? [])] });
    return { TopicArn: arn };
  }

  attributesOf(topic: TopicRecord): Record<string, string> {
    const subs = [...this.subs.all.values()].filter((s) => s.TopicArn === topic.TopicArn);
    return {
      TopicArn: topic.TopicArn,
      Owner: ACCOUNT,
      Policy: defaultPolicy(topic.TopicArn),
      DisplayName: "",
      SubscriptionsConfirmed: String(subs.filter((s) => !s.pending).length),
      SubscriptionsPending: String(subs.filter((s) => s.pending).length),
      SubscriptionsDeleted: "0",
      EffectiveDeliveryPolicy: JSON.stringify({
        http: {
          defaultHealthyRetryPolicy: {
            minDelayTarget: 20,
            maxDelayTarget: 20,
            numRetries: 3,
            numMaxDelayRetries: 0,
            numNoDelayRetries: 0,
            numMinDelayRetries: 0,
            backoffFunction: "linear",
          },
          disableSubscriptionOverrides: false,
          defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
        },
      }),
      ...(topic.attributes.FifoTopic === "true" ? { FifoTopic: "true", ContentBasedDeduplication: "false" } : {}),
      ...topic.attributes,
    };
  }

  private setTopicAttributes(input: { TopicArn?: string; AttributeName?: string; AttributeValue?: string }) {
    const topic = this.mustFind(input.TopicArn);
    const name = input.AttributeName ?? "";
    if (!SETTABLE.includes(name) || name === "FifoTopic") throw invalidParameter("AttributeName");
    topic.attributes[name] = input.AttributeValue ?? "";
    return {};
  }

  private listTopics(input: { NextToken?: string }) {
    const all = [...this.topics.values()].sort(byName((t) => t.TopicArn));
    const p = page(all, input.NextToken, 100, () => invalidParameter("NextToken"));
    return { Topics: p.items.map((t) => ({ TopicArn: t.TopicArn })), ...(p.next ? { NextToken: p.next } : {}) };
  }

  /** Idempotent: a missing topic is not an error. Its subscriptions go with it. */
  private deleteTopic(input: { TopicArn?: string }) {
    const arn = input.TopicArn ?? "";
    if (!arn.startsWith(TOPIC_PREFIX)) throw invalidParameter("TopicArn");
    this.topics.delete(arn);
    this.subs.dropTopic(arn);
    return {};
  }

  private tagged(arn: string | undefined): TopicRecord {
    const topic = this.topics.get(arn ?? "");
    if (!topic) throw coded(ResourceNotFoundException, "ResourceNotFound", "Resource does not exist");
    return topic;
  }

  private tagResource(input: { ResourceArn?: string; Tags?: Tag[] }) {
    const topic = this.tagged(input.ResourceArn);
    const tags = input.Tags ?? [];
    const merged = [...topic.tags.filter((t) => !tags.some((n) => n.Key === t.Key)), ...tags];
    if (merged.length > 50)
      throw coded(
        TagLimitExceededException,
        "TagLimitExceeded",
        "Could not complete request: tag quota of per resource exceeded",
      );
    topic.tags = merged;
    return {};
  }

  private untagResource(input: { ResourceArn?: string; TagKeys?: string[] }) {
    const topic = this.tagged(input.ResourceArn);
    topic.tags = topic.tags.filter((t) => !(input.TagKeys ?? []).includes(t.Key ?? ""));
    return {};
  }
}
