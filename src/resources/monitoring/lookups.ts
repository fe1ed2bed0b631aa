// How monitoring finds its topics: by the ARN recorded, by the ARN the name gives, and only failing both by listing
// every topic, so that beside a thousand other topics observe still reads its own once.
import {
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  ListTagsForResourceCommand as ListTopicTagsCommand,
  type SNSClient,
  type Subscription,
} from "@aws-sdk/client-sns";
import type { Context } from "../../core/context.js";
import { awsStep, isAwsError } from "../../core/errors.js";
import { accountOf } from "../common/account.js";
import type { Tag } from "../common/tags.js";
import type { MonitoringConfig } from "./config.js";

/** A topic found, with its subscriptions (reading them is how observe learns that the topic is there). */
export interface FoundTopic {
  arn: string;
  subscriptions: Subscription[];
}

const isArn = (v: string | undefined): v is string => Boolean(v?.startsWith("arn:"));

/**
 * The stack's topic and an earlier version's second one (to delete), each by the ARN the env file records, the
 * stack's also by the ARN its name gives in the stack's region and account (AWS makes a topic's ARN of those). Those
 * ARNs are a shortcut and the list of topics is the truth: when the account is unknown, or the endpoint shows no
 * topic at that ARN (an emulator's own account, a topic recorded from another), the topics are listed and found by
 * name.
 */
export async function findTopics(ctx: Context, sns: SNSClient, c: MonitoringConfig) {
  const recorded = ctx.env.get("SNS_TOPIC_ARN");
  const account = accountOf(ctx.env);
  const derived =
    account && `arn:${account.partition}:sns:${ctx.aws.settings.region}:${account.account}:${c.topicName}`;
  const legacyRecorded = c.legacyTopic.arn;
  const [byRecord, legacy] = await Promise.all([
    isArn(recorded) ? topicAt(sns, recorded) : undefined,
    isArn(legacyRecorded) && legacyRecorded !== recorded ? topicAt(sns, legacyRecorded) : undefined,
  ]);
  const topic = byRecord ?? (derived && derived !== recorded ? await topicAt(sns, derived) : undefined);
  if (topic) return { topic, legacy: legacy?.arn !== topic.arn ? legacy : undefined };

  const listed = await awsStep("list topics", c.topicName, () => listTopics(sns));
  const byName = (name: string) => listed.find((arn) => arn.split(":").at(-1) === name);
  const found = byName(c.topicName);
  const second = legacy?.arn ?? byName(c.legacyTopic.name);
  return {
    topic: found ? await topicAt(sns, found) : undefined,
    legacy: second && second !== found ? (legacy ?? (await topicAt(sns, second))) : undefined,
  };
}

/**
 * The topic at that ARN, if the endpoint shows one there. Asked for an ARN it does not hold, AWS answers NotFound;
 * for another account's, AuthorizationError; an endpoint that spells ARNs otherwise, InvalidParameter: none of them
 * says the topic is not elsewhere under its name.
 */
function topicAt(sns: SNSClient, arn: string): Promise<FoundTopic | undefined> {
  return awsStep("list subscriptions", arn, async () => {
    try {
      return { arn, subscriptions: await subscriptionsOf(sns, arn) };
    } catch (err) {
      if (isAwsError(err, "NotFound", "AuthorizationError", "InvalidParameter")) return undefined;
      throw err;
    }
  });
}

async function subscriptionsOf(sns: SNSClient, topicArn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let NextToken: string | undefined;
  do {
    const out = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    all.push(...(out.Subscriptions ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return all;
}

async function listTopics(sns: SNSClient): Promise<string[]> {
  const arns: string[] = [];
  let NextToken: string | undefined;
  do {
    const out = await sns.send(new ListTopicsCommand({ NextToken }));
    arns.push(...(out.Topics ?? []).map((t) => t.TopicArn ?? "").filter(Boolean));
    NextToken = out.NextToken;
  } while (NextToken);
  return arns;
}

/** A topic's tags, as SNS tells them. */
export const topicTags = (sns: SNSClient, arn: string) => async () =>
  ((await sns.send(new ListTopicTagsCommand({ ResourceArn: arn }))).Tags ?? []) as Tag[];
