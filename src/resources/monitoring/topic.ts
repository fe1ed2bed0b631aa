// Handlers for the alerts topic. Its email subscription is part of it: create subscribes ALARM_EMAIL, and AWS sends
// that address a confirmation link. AWS deletes a deleted topic's subscriptions only asynchronously and advises
// deleting them first: confirmed ones are unsubscribed, then the topic goes (a pending one cannot be unsubscribed:
// it goes with the topic, or after 48 hours unconfirmed).
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  type SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { awsStep, isAwsError } from "../../core/errors.js";
import type { DesiredObject, ObservedObject } from "../../state/model.js";
import { stackTags } from "../common/tags.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import type { MonitoringConfig, topicInput } from "./config.js";
import type { TopicRaw } from "./observe.js";

type Run = ApplyRun<MonitoringConfig>;

type TopicInput = ReturnType<typeof topicInput>;

/** Subscribes what config.ts's topicInput lists (the email ALARM_EMAIL names). */
async function subscribe(run: Run, sns: SNSClient, topicArn: string, d: DesiredObject) {
  for (const { Protocol, Endpoint } of (d.input as TopicInput).Subscriptions) {
    await awsStep("subscribe", Endpoint, () =>
      sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol, Endpoint })),
    );
    run.ev.warning(`${Endpoint} is sent a confirmation link by AWS: alerts reach it once the link is clicked`);
  }
}

export const topicHandlers: KindHandlers<MonitoringConfig> = {
  async create(run, d): Promise<ObservedObject> {
    const sns = await run.ctx.aws.sns();
    // CreateTopic answers the existing topic's ARN for the same name and tags: a re-run after a lost answer is safe.
    const out = await awsStep("create topic", d.name, () =>
      sns.send(new CreateTopicCommand({ Name: (d.input as TopicInput).Name, Tags: stackTags(run.c, d.name) })),
    );
    const made: ObservedObject = {
      key: d.key,
      kind: d.kind,
      name: d.name,
      id: out.TopicArn as string,
      fields: {},
      managed: true,
    };
    await run.made(made);
    await subscribe(run, sns, made.id, d);
    return { ...made, fields: { ...d.fields } };
  },
  async update(run, d, o, fields) {
    if (!fields.some((f) => f.field === "email subscription")) return;
    await subscribe(run, await run.ctx.aws.sns(), o.id, d);
    // Others may have subscribed by hand: infra cannot tell an old ALARM_EMAIL from them, so it leaves them.
    const others = o.fields["email subscription"];
    if (typeof others === "string")
      run.ev.warning(`${others} still receive the alerts: each can unsubscribe with the link in any alert email`);
  },
  async adopt(run, _d, o) {
    const sns = await run.ctx.aws.sns();
    await awsStep("tag topic", o.name, () =>
      sns.send(new TagResourceCommand({ ResourceArn: o.id, Tags: stackTags(run.c, o.name) })),
    );
  },
  async delete(run, o) {
    const sns = await run.ctx.aws.sns();
    const confirmed = ((o.raw as TopicRaw | undefined)?.subscriptions ?? []).filter((s) =>
      s.SubscriptionArn?.startsWith("arn:"),
    );
    for (const s of confirmed) {
      await awsStep("unsubscribe", s.Endpoint ?? "", async () => {
        try {
          await sns.send(new UnsubscribeCommand({ SubscriptionArn: s.SubscriptionArn }));
        } catch (err) {
          if (!isAwsError(err, "NotFound", "NotFoundException")) throw err;
        }
      });
    }
    await awsStep("delete topic", o.name, async () => {
      try {
        await sns.send(new DeleteTopicCommand({ TopicArn: o.id }));
      } catch (err) {
        if (!isAwsError(err, "NotFound", "NotFoundException")) throw err;
      }
    });
  },
};
