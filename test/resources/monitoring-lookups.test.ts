// How monitoring finds its topic and learns whose its objects are in few calls, and still finds them when the
// shortcuts say nothing: the account unknown, an endpoint with another account, an endpoint without the tagging API,
// and a tagging API that still lists what was deleted.
import { CloudWatchClient, DeleteAlarmsCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { isManaged, stackTags } from "../../src/resources/common/tags.js";
import { unmodeled } from "../../src/sandbox/aws/errors.js";
import { contextFor, INPUTS, readText, tempEnvFile, useFake } from "../helpers.js";
import { ALB_RECORDS } from "../support/scripts-stack.js";
import { FULL, FULL_INPUTS, monitoring, monitoringState, TOPIC } from "./monitoring-support.js";

const { create, destroy, plan } = monitoring;
const STACK = { project: "startupwebapp", environment: "production" };
const ops = (calls: readonly { service: string; op: string }[]) => calls.map((c) => `${c.service}:${c.op}`);

describe("monitoring finds its topic", () => {
  const fake = useFake();

  it("by the ARN its name gives in the stack's region and account, without listing the account's topics", async () => {
    // The scripts' topic, which the env file does not record.
    const made = await new SNSClient({ region: "us-east-1" }).send(new CreateTopicCommand({ Name: TOPIC }));
    const ctx = await contextFor(fake.current, tempEnvFile(`${INPUTS}${ALB_RECORDS}`));
    const before = fake.current.calls.length;

    const planned = await plan(ctx);

    expect(planned.observation.get("topic")?.id).toBe(made.TopicArn);
    expect(ops(fake.current.calls.slice(before))).not.toContain("SNS:ListTopics");
  });

  it("by listing the topics when the env file names no account, so destroy still removes it", async () => {
    await new SNSClient({ region: "us-east-1" }).send(
      new CreateTopicCommand({ Name: TOPIC, Tags: stackTags(STACK, TOPIC) }),
    );
    // Neither the task roles' ARNs nor one infra recorded: nothing says which account the stack is in.
    const inputs = INPUTS.split("\n")
      .filter((line) => !line.includes("_ROLE_ARN="))
      .join("\n");
    const ctx = await contextFor(fake.current, tempEnvFile(inputs));
    const before = fake.current.calls.length;

    await destroy(ctx);

    expect(ops(fake.current.calls.slice(before))).toContain("SNS:ListTopics");
    expect(monitoringState(fake.current).topics).toEqual([]);
  });

  it("by name when the endpoint's account is not the one the env file names, and records the ARN it answers", async () => {
    const path = tempEnvFile(FULL_INPUTS);
    await create(await contextFor(fake.current, path));
    const real = (await contextFor(fake.current, path)).env.get("SNS_TOPIC_ARN") as string;
    // The same stack, its env file written against another account (an emulator's, or copied from elsewhere).
    const elsewhere = tempEnvFile(
      `${FULL_INPUTS.replaceAll("123456789012", "111111111111")}SNS_TOPIC_ARN="${real.replace("123456789012", "111111111111")}"\n`,
    );
    const ctx = await contextFor(fake.current, elsewhere);
    const before = fake.current.calls.length;

    await create(ctx);

    expect(ops(fake.current.calls.slice(before))).toContain("SNS:ListTopics");
    expect(fake.current.mutatingCalls(before)).toEqual([]);
    expect(monitoringState(fake.current)).toEqual(FULL);
    expect(readText(elsewhere)).toContain(`SNS_TOPIC_ARN="${real}"`);
  });
});

describe("whose monitoring's topic and alarms are", () => {
  const fake = useFake();

  it.each([
    ["lacks the tagging API", () => unmodeled("UnknownOperationException", "Unknown operation GetResources")],
    ["refuses it to these credentials", () => unmodeled("AccessDeniedException", "not authorized: tag:GetResources")],
  ])(
    "is asked of each one's own service when the endpoint %s, and a second create still changes nothing",
    async (_, error) => {
      const path = tempEnvFile(FULL_INPUTS);
      await create(await contextFor(fake.current, path));
      fake.current.inject({ op: "GetResources", nth: 1, error });
      const before = fake.current.calls.length;

      await create(await contextFor(fake.current, path));

      const calls = ops(fake.current.calls.slice(before));
      expect(calls).toContain("ResourceGroupsTaggingAPI:GetResources");
      expect(calls.filter((c) => c === "CloudWatch:ListTagsForResource")).toHaveLength(FULL.alarms.length);
      expect(calls).toContain("SNS:ListTagsForResource");
      expect(fake.current.mutatingCalls(before)).toEqual([]);
    },
  );

  it("is never taken from the tagging API for what destroy deletes: an alarm made again by hand, untagged, is left", async () => {
    const path = tempEnvFile(FULL_INPUTS);
    await create(await contextFor(fake.current, path));
    await create(await contextFor(fake.current, path)); // the tagging API lists the alarms as it sees them
    const name = "startupwebapp-alb-5xx";
    const arn = fake.current.cloudwatch.alarms.get(name)?.AlarmArn as string;
    const cloudwatch = new CloudWatchClient({ region: "us-east-1" });
    await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: "AWS/ApplicationELB",
        MetricName: "HTTPCode_ELB_5XX_Count",
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanThreshold",
      }),
    );
    // A moment later, the tagging API still shows the deleted alarm's tags at that ARN.
    const listed = await new ResourceGroupsTaggingAPIClient({ region: "us-east-1" }).send(
      new GetResourcesCommand({ ResourceARNList: [arn] }),
    );
    expect(isManaged(listed.ResourceTagMappingList?.[0]?.Tags)).toBe(true);

    await destroy(await contextFor(fake.current, path));

    expect(monitoringState(fake.current).alarms).toEqual([name]);
  });
});
