// SNS subscriptions. Email (and HTTP/S) subscriptions are pending until the recipient confirms: Subscribe answers
// SubscriptionArn "pending confirmation" unless ReturnSubscriptionArn is true, listings show "PendingConfirmation"
// in place of the ARN, and an unconfirmed subscription is deleted 48 hours after it was made (AWS since May 2023).
// Subscribing the same endpoint again returns the same subscription. SQS, Lambda and Firehose endpoints of the
// same account are confirmed at once.
import { InvalidParameterException, NotFoundException } from "@aws-sdk/client-sns";
import { ACCOUNT } from "./ec2.js";
import { uuid } from "./ecs-state.js";
import { byName, coded, page } from "./shared.js";
import type { SnsModel } from "./sns.js";

export const PENDING_EXPIRES_MS = 48 * 3_600_000;
/** What Subscribe answers for a subscription waiting for confirmation... */
export const PENDING_ANSWER = "pending confirmation";
/** ...and what the listings show in place of its ARN. */
export const PENDING_LISTED = "PendingConfirmation";

const PENDING_PROTOCOLS = ["email", "email-json", "http", "https"];
const PROTOCOLS = [...PENDING_PROTOCOLS, "sms", "sqs", "lambda", "firehose", "application"];
const EMAIL = /^[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}$/;

export interface SubscriptionRecord {
  SubscriptionArn: string;
  TopicArn: string;
  Protocol: string;
  Endpoint: string;
  pending: boolean;
  createdAt: number;
  attributes: Record<string, string>;
}

export const invalidParameter = (what: string) =>
  coded(InvalidParameterException, "InvalidParameter", `Invalid parameter: ${what}`);
const notFound = () => coded(NotFoundException, "NotFound", "Subscription does not exist");

export class Subscriptions {
  /** Subscription ARN -> subscription. */
  readonly all = new Map<string, SubscriptionRecord>();

  constructor(private readonly sns: SnsModel) {}

  private now = () => this.sns.fake.clock.now();

  expire(): void {
    for (const [arn, s] of this.all)
      if (s.pending && this.now() - s.createdAt >= PENDING_EXPIRES_MS) this.all.delete(arn);
  }

  subscribe(input: {
    TopicArn?: string;
    Protocol?: string;
    Endpoint?: string;
    Attributes?: Record<string, string>;
    ReturnSubscriptionArn?: boolean;
  }) {
    const topic = this.sns.mustFind(input.TopicArn);
    const protocol = (input.Protocol ?? "").toLowerCase();
    if (!PROTOCOLS.includes(protocol))
      throw invalidParameter(`Amazon SNS does not support this protocol string: ${input.Protocol}`);
    const endpoint = input.Endpoint ?? "";
    if (protocol.startsWith("email") && !EMAIL.test(endpoint)) throw invalidParameter("Email address");
    if (protocol.startsWith("http") && !endpoint.startsWith(`${protocol}://`))
      throw invalidParameter("Endpoint must match the specified protocol");
    if (["sqs", "lambda", "firehose", "application"].includes(protocol) && !endpoint.startsWith("arn:aws:"))
      throw invalidParameter(`${protocol} endpoint ARN`);
    const attributes = input.Attributes ?? {};
    const existing = [...this.all.values()].find(
      (s) => s.TopicArn === topic.TopicArn && s.Protocol === protocol && s.Endpoint === endpoint,
    );
    if (existing) {
      if (Object.entries(attributes).some(([k, v]) => existing.attributes[k] !== v))
        throw invalidParameter("Attributes Reason: Subscription already exists with different attributes");
      return { SubscriptionArn: this.answer(existing, input.ReturnSubscriptionArn) };
    }
    const sub: SubscriptionRecord = {
      SubscriptionArn: `${topic.TopicArn}:${uuid(`${topic.TopicArn} ${protocol} ${endpoint} ${this.now()} ${this.all.size}`)}`,
      TopicArn: topic.TopicArn,
      Protocol: protocol,
      Endpoint: endpoint,
      pending: PENDING_PROTOCOLS.includes(protocol),
      createdAt: this.now(),
      attributes: { ...attributes },
    };
    this.all.set(sub.SubscriptionArn, sub);
    return { SubscriptionArn: this.answer(sub, input.ReturnSubscriptionArn) };
  }

  private answer(sub: SubscriptionRecord, returnArn: boolean | undefined): string {
    return sub.pending && !returnArn ? PENDING_ANSWER : sub.SubscriptionArn;
  }

  /** A topic's subscriptions (or all of them), 100 a page, pending ones without their ARN. */
  list(input: { NextToken?: string }, topicArn?: string) {
    const all = [...this.all.values()]
      .filter((s) => topicArn === undefined || s.TopicArn === topicArn)
      .sort(byName((s) => s.SubscriptionArn));
    const p = page(all, input.NextToken, 100, () => invalidParameter("NextToken"));
    return {
      Subscriptions: p.items.map((s) => ({
        SubscriptionArn: s.pending ? PENDING_LISTED : s.SubscriptionArn,
        Owner: ACCOUNT,
        Protocol: s.Protocol,
        Endpoint: s.Endpoint,
        TopicArn: s.TopicArn,
      })),
      ...(p.next ? { NextToken: p.next } : {}),
    };
  }

  attributes(input: { SubscriptionArn?: string }) {
    const s = this.mustFind(input.SubscriptionArn);
    return {
      Attributes: {
        SubscriptionArn: s.SubscriptionArn,
        TopicArn: s.TopicArn,
        Owner: ACCOUNT,
        Protocol: s.Protocol,
        Endpoint: s.Endpoint,
        PendingConfirmation: String(s.pending),
        ConfirmationWasAuthenticated: String(!s.pending && !PENDING_PROTOCOLS.includes(s.Protocol)),
        RawMessageDelivery: "false",
        SubscriptionPrincipal: `arn:aws:iam::${ACCOUNT}:user/infra`,
        ...s.attributes,
      },
    };
  }

  /** Works for a pending subscription too, by the real ARN that ReturnSubscriptionArn gave. */
  unsubscribe(input: { SubscriptionArn?: string }) {
    this.all.delete(this.mustFind(input.SubscriptionArn).SubscriptionArn);
    return {};
  }

  confirm(endpoint: string, topicArn?: string): string {
    this.expire();
    const sub = [...this.all.values()].find(
      (s) => s.pending && s.Endpoint === endpoint && (topicArn === undefined || s.TopicArn === topicArn),
    );
    if (!sub) throw new Error(`no pending SNS subscription for ${endpoint}`);
    sub.pending = false;
    return sub.SubscriptionArn;
  }

  dropTopic(topicArn: string): void {
    for (const [arn, s] of this.all) if (s.TopicArn === topicArn) this.all.delete(arn);
  }

  /** "pending confirmation" is not an ARN: AWS refuses it as a parameter, not as a missing subscription. */
  private mustFind(arn: string | undefined): SubscriptionRecord {
    if (!arn || !/^arn:aws:sns:[a-z0-9-]+:\d{12}:[\w.-]+:[0-9a-f-]{36}$/.test(arn))
      throw invalidParameter("SubscriptionArn");
    const s = this.all.get(arn);
    if (!s) throw notFound();
    return s;
  }
}
