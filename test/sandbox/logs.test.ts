// The CloudWatch Logs fake behaves as AWS does: checked with the real SDK client.
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import { useFake } from "../helpers.js";

const fake = useFake({ iamPolicy: false });
const logs = () => new CloudWatchLogsClient({ region: "us-east-1" });
const create = (logGroupName: string, tags?: Record<string, string>) =>
  logs().send(new CreateLogGroupCommand({ logGroupName, ...(tags ? { tags } : {}) }));
const describeGroups = async (input: Record<string, unknown> = {}) => logs().send(new DescribeLogGroupsCommand(input));
const ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web";

describe("CloudWatch Logs fake", () => {
  it("creates a log group and refuses to create it again", async () => {
    await create("/ecs/web");
    const [group] = (await describeGroups({ logGroupNamePrefix: "/ecs/web" })).logGroups ?? [];
    expect(group).toMatchObject({
      logGroupName: "/ecs/web",
      creationTime: fake.current.clock.now(),
      arn: `${ARN}:*`,
      logGroupArn: ARN,
      logGroupClass: "STANDARD",
      storedBytes: 0,
    });
    expect(group).not.toHaveProperty("retentionInDays");
    await expect(create("/ecs/web")).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it("describes log groups by name prefix, sorted, in pages", async () => {
    for (const name of ["/ecs/web", "/ecs/api", "/ecs/worker", "/aws/lambda/x"]) await create(name);
    const first = await describeGroups({ logGroupNamePrefix: "/ecs/", limit: 2 });
    expect(first.logGroups?.map((g) => g.logGroupName)).toEqual(["/ecs/api", "/ecs/web"]);
    const second = await describeGroups({ logGroupNamePrefix: "/ecs/", limit: 2, nextToken: first.nextToken });
    expect(second.logGroups?.map((g) => g.logGroupName)).toEqual(["/ecs/worker"]);
    expect(second.nextToken).toBeUndefined();
    expect((await describeGroups({ logGroupNamePrefix: "/ecs/webx" })).logGroups).toEqual([]);
  });

  it("shows retentionInDays once set, and refuses a value AWS does not offer", async () => {
    await create("/ecs/web");
    await logs().send(new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 7 }));
    expect((await describeGroups()).logGroups?.[0]?.retentionInDays).toBe(7);
    const odd = logs().send(new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 10 }));
    await expect(odd).rejects.toBeInstanceOf(InvalidParameterException);
    await logs().send(new DeleteRetentionPolicyCommand({ logGroupName: "/ecs/web" }));
    expect((await describeGroups()).logGroups?.[0]).not.toHaveProperty("retentionInDays");
  });

  it("refuses to delete, or set the retention of, a log group that does not exist", async () => {
    const del = logs().send(new DeleteLogGroupCommand({ logGroupName: "/ecs/web" }));
    await expect(del).rejects.toBeInstanceOf(ResourceNotFoundException);
    const put = logs().send(new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 7 }));
    await expect(put).rejects.toBeInstanceOf(ResourceNotFoundException);
    await create("/ecs/web");
    await logs().send(new DeleteLogGroupCommand({ logGroupName: "/ecs/web" }));
    expect((await describeGroups()).logGroups).toEqual([]);
  });

  it("tags a log group by its ARN without ':*', and lists the tags by ARN or by name", async () => {
    await create("/ecs/web", { ManagedBy: "infra" });
    await logs().send(new TagResourceCommand({ resourceArn: ARN, tags: { Env: "production" } }));
    await logs().send(new UntagResourceCommand({ resourceArn: ARN, tagKeys: ["ManagedBy"] }));
    expect((await logs().send(new ListTagsForResourceCommand({ resourceArn: ARN }))).tags).toEqual({
      Env: "production",
    });
    expect((await logs().send(new ListTagsLogGroupCommand({ logGroupName: "/ecs/web" }))).tags).toEqual({
      Env: "production",
    });
    const starred = logs().send(new ListTagsForResourceCommand({ resourceArn: `${ARN}:*` }));
    await expect(starred).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("reads a stream from its tail in pages: the first may be empty, and the token comes back unchanged at the start", async () => {
    await create("/ecs/web");
    fake.current.logs.write("/ecs/web", "migrate/app/1", ["one", "two", "three", "four", "five"]);
    const page = (nextToken?: string, startFromHead = false) =>
      logs().send(
        new GetLogEventsCommand({
          logGroupName: "/ecs/web",
          logStreamName: "migrate/app/1",
          limit: 2,
          startFromHead,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
    const messages = (out: { events?: { message?: string }[] }) => out.events?.map((e) => e.message);

    const tail = await page();
    expect(messages(tail)).toEqual([]);
    const last = await page(tail.nextBackwardToken);
    expect(messages(last)).toEqual(["four", "five"]);
    const before = await page(last.nextBackwardToken);
    expect(messages(before)).toEqual(["two", "three"]);
    const first = await page(before.nextBackwardToken);
    expect(messages(first)).toEqual(["one"]);
    const start = await page(first.nextBackwardToken);
    expect(messages(start)).toEqual([]);
    expect(start.nextBackwardToken).toBe(first.nextBackwardToken);

    const head = await page(undefined, true);
    expect(messages(head)).toEqual(["one", "two"]);
    expect(messages(await page(head.nextForwardToken, true))).toEqual(["three", "four"]);
    await expect(page("not-a-token")).rejects.toBeInstanceOf(InvalidParameterException);
  });
});
