// The SNS fake behaves as AWS does: checked with the real SDK client, errors as the SDK delivers them (class, and
// the query wire code as Code).
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  NotFoundException,
  ResourceNotFoundException,
  SNSClient,
  SubscribeCommand,
  type Tag,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { PENDING_EXPIRES_MS } from "../../src/sandbox/aws/sns.js";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const sns = () => new SNSClient({ region: "us-east-1" });
const TOPIC = "arn:aws:sns:us-east-1:123456789012:alerts";
const EMAIL = "ops@startupwebapp.com";

const createTopic = (Tags?: Tag[], Attributes?: Record<string, string>, Name = "alerts") =>
  sns().send(new CreateTopicCommand({ Name, ...(Tags ? { Tags } : {}), ...(Attributes ? { Attributes } : {}) }));
const subscribe = (Endpoint = EMAIL, ReturnSubscriptionArn?: boolean) =>
  sns().send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: "email", Endpoint, ReturnSubscriptionArn }));
const listed = async () =>
  (await sns().send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC }))).Subscriptions ?? [];
const subscriptionAttributes = async (SubscriptionArn: string) =>
  (await sns().send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes;
const topicAttributes = async () => (await sns().send(new GetTopicAttributesCommand({ TopicArn: TOPIC }))).Attributes;
const TAGS = [{ Key: "ManagedBy", Value: "infra" }];

describe("SNS fake: topics", () => {
  it("CreateTopic with the same name returns the same topic", async () => {
    const first = await createTopic(TAGS);
    expect(first.TopicArn).toBe(TOPIC);
    expect((await createTopic(TAGS)).TopicArn).toBe(TOPIC);
    expect((await createTopic()).TopicArn).toBe(TOPIC);
    expect(fake.current.sns.topics.size).toBe(1);
  });

  it("CreateTopic of an existing topic with other tags or attributes is refused", async () => {
    await createTopic(TAGS, { DisplayName: "Alerts" });
    const tags = await createTopic([{ Key: "ManagedBy", Value: "someone" }]).catch((e) => e);
    expect(tags).toBeInstanceOf(InvalidParameterException);
    expect(tags.Code).toBe("InvalidParameter");
    expect(tags.message).toBe("Invalid parameter: Tags Reason: Topic already exists with different tags");
    const attributes = await createTopic(undefined, { DisplayName: "Other" }).catch((e) => e);
    expect(attributes).toBeInstanceOf(InvalidParameterException);
    expect(attributes.message).toContain("Topic already exists with different attributes");
    expect((await createTopic(undefined, { DisplayName: "Alerts" })).TopicArn).toBe(TOPIC);
  });

  it("refuses a topic name AWS does not allow", async () => {
    await expect(createTopic(undefined, undefined, "my alerts")).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(createTopic(undefined, undefined, "alerts.fifo")).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("shows a topic's attributes, and NotFound once it is gone", async () => {
    await createTopic();
    expect(await topicAttributes()).toMatchObject({
      TopicArn: TOPIC,
      Owner: "123456789012",
      DisplayName: "",
      SubscriptionsConfirmed: "0",
      SubscriptionsPending: "0",
    });
    await sns().send(new DeleteTopicCommand({ TopicArn: TOPIC }));
    const err = await topicAttributes().catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundException);
    expect(err.Code).toBe("NotFound");
  });

  it("DeleteTopic of a missing topic succeeds, and a deleted topic takes its subscriptions", async () => {
    await sns().send(new DeleteTopicCommand({ TopicArn: TOPIC }));
    await createTopic();
    await subscribe();
    await sns().send(new DeleteTopicCommand({ TopicArn: TOPIC }));
    expect(fake.current.sns.subscriptions.size).toBe(0);
    await createTopic();
    expect(await listed()).toEqual([]);
  });

  it("lists topics 100 a page", async () => {
    for (let i = 0; i < 101; i++) await createTopic(undefined, undefined, `t${String(i).padStart(3, "0")}`);
    const first = await sns().send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    const second = await sns().send(new ListTopicsCommand({ NextToken: first.NextToken }));
    expect(second.Topics).toEqual([{ TopicArn: "arn:aws:sns:us-east-1:123456789012:t100" }]);
    expect(second.NextToken).toBeUndefined();
  });

  it("tags a topic and lists its tags; a missing topic is ResourceNotFound", async () => {
    await createTopic(TAGS);
    await sns().send(new TagResourceCommand({ ResourceArn: TOPIC, Tags: [{ Key: "Env", Value: "production" }] }));
    await sns().send(new UntagResourceCommand({ ResourceArn: TOPIC, TagKeys: ["ManagedBy"] }));
    expect((await sns().send(new ListTagsForResourceCommand({ ResourceArn: TOPIC }))).Tags).toEqual([
      { Key: "Env", Value: "production" },
    ]);
    const missing = sns().send(new ListTagsForResourceCommand({ ResourceArn: `${TOPIC}-nope` }));
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe("SNS fake: email subscriptions", () => {
  it("an email subscription waits for confirmation", async () => {
    await createTopic();
    expect((await subscribe()).SubscriptionArn).toBe("pending confirmation");
    expect(await listed()).toEqual([
      {
        SubscriptionArn: "PendingConfirmation",
        Owner: "123456789012",
        Protocol: "email",
        Endpoint: EMAIL,
        TopicArn: TOPIC,
      },
    ]);
    expect(await topicAttributes()).toMatchObject({ SubscriptionsPending: "1", SubscriptionsConfirmed: "0" });
    const arn = fake.current.sns.confirm(EMAIL);
    expect(arn).toMatch(/^arn:aws:sns:us-east-1:123456789012:alerts:[0-9a-f-]{36}$/);
    expect((await listed())[0]?.SubscriptionArn).toBe(arn);
    expect(await subscriptionAttributes(arn)).toMatchObject({ PendingConfirmation: "false", Endpoint: EMAIL });
    expect((await subscribe()).SubscriptionArn).toBe(arn);
  });

  it("ReturnSubscriptionArn gives a pending subscription's real ARN, which can unsubscribe it", async () => {
    await createTopic();
    const { SubscriptionArn } = await subscribe(EMAIL, true);
    expect(SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:123456789012:alerts:/);
    expect(await subscriptionAttributes(SubscriptionArn as string)).toMatchObject({ PendingConfirmation: "true" });
    await sns().send(new UnsubscribeCommand({ SubscriptionArn }));
    expect(await listed()).toEqual([]);
    const again = await sns()
      .send(new UnsubscribeCommand({ SubscriptionArn }))
      .catch((e) => e);
    expect(again).toBeInstanceOf(NotFoundException);
  });

  it("subscribing the same address twice returns the same subscription", async () => {
    await createTopic();
    const first = await subscribe(EMAIL, true);
    expect((await subscribe(EMAIL)).SubscriptionArn).toBe("pending confirmation");
    expect((await subscribe(EMAIL, true)).SubscriptionArn).toBe(first.SubscriptionArn);
    expect(await listed()).toHaveLength(1);
  });

  it("refuses a malformed address, a missing topic, and 'pending confirmation' as an ARN", async () => {
    const noTopic = await subscribe().catch((e) => e);
    expect(noTopic).toBeInstanceOf(NotFoundException);
    await createTopic();
    const malformed = await subscribe("ops@").catch((e) => e);
    expect(malformed).toBeInstanceOf(InvalidParameterException);
    expect(malformed.message).toBe("Invalid parameter: Email address");
    const pending = sns().send(new UnsubscribeCommand({ SubscriptionArn: "pending confirmation" }));
    await expect(pending).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("an unconfirmed subscription is deleted after 48 hours", async () => {
    await createTopic();
    await subscribe();
    fake.current.clock.advance(PENDING_EXPIRES_MS - 1);
    expect(await listed()).toHaveLength(1);
    fake.current.clock.advance(1);
    expect(await listed()).toEqual([]);
    expect(() => fake.current.sns.confirm(EMAIL)).toThrow();
  });
});
