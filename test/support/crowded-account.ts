// An account that holds much besides the stack, as a long-lived AWS account does: unrelated topics, alarms and
// certificates. They are put in through the fake's own handlers, so no call is recorded: what a command then calls
// is its own.
import { RequestCertificateCommand } from "@aws-sdk/client-acm";
import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";

/** How many of each the crowded account holds. */
export const CROWD = 1_200;

export async function crowd(fake: AwsFake, n = CROWD): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: a command class of any client.
  const handle = async (service: string, command: any, input: unknown) => {
    const handler = fake.models.find((m) => m.name === service)?.handlers.find(([c]) => c === command)?.[1];
    if (!handler) throw new Error(`the fake's ${service} does not handle ${command.name}`);
    await handler(input, { region: "us-east-1" });
  };
  for (let i = 0; i < n; i++) {
    const name = `other-${String(i).padStart(4, "0")}`;
    await handle("SNS", CreateTopicCommand, { Name: name });
    await handle("CloudWatch", PutMetricAlarmCommand, {
      AlarmName: name,
      Namespace: "AWS/EC2",
      MetricName: "CPUUtilization",
      Statistic: "Average",
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 90,
      ComparisonOperator: "GreaterThanThreshold",
    });
    await handle("ACM", RequestCertificateCommand, { DomainName: `${name}.example.org`, ValidationMethod: "DNS" });
  }
}
