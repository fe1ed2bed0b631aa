// CloudWatch Logs as `infra` uses it: log groups, their retention and tags. CreateLogGroup is not idempotent
// (ResourceAlreadyExistsException: look up first, or treat it as "already there"); retention takes only the
// values AWS lists; tagging APIs take the log group ARN without the trailing ":*" that DescribeLogGroups' `arn`
// has (its `logGroupArn` is the one to use).
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
import type { Fake, ServiceModel } from "./aws-fake.js";
import { ACCOUNT } from "./ec2.js";
import { modeled } from "./errors.js";

export const LOG_GROUP_PREFIX = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:`;
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

interface LogGroup {
  logGroupName: string;
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: string;
  tags: Record<string, string>;
}

const invalid = (message: string) => modeled(InvalidParameterException, message);

export class LogsModel {
  readonly name = "CloudWatchLogs";
  readonly client = CloudWatchLogsClient;
  readonly groups = new Map<string, LogGroup>();
  /** "group\u0000stream" -> the lines written to it (by tasks that log with awslogs). */
  readonly streams = new Map<string, string[]>();

  constructor(private readonly fake: Fake) {}

  readonly handlers: ServiceModel["handlers"] = [
    [CreateLogGroupCommand, (i) => this.createLogGroup(i)],
    [DescribeLogGroupsCommand, (i) => this.describeLogGroups(i)],
    [PutRetentionPolicyCommand, (i) => this.putRetention(i)],
    [DeleteRetentionPolicyCommand, (i) => this.deleteRetention(i)],
    [DeleteLogGroupCommand, (i) => this.deleteLogGroup(i)],
    [TagResourceCommand, (i) => this.tagResource(i)],
    [UntagResourceCommand, (i) => this.untagResource(i)],
    [ListTagsForResourceCommand, (i) => ({ tags: { ...this.byArn(i.resourceArn).tags } })],
    [ListTagsLogGroupCommand, (i) => ({ tags: { ...this.mustGet(i.logGroupName).tags } })],
    [GetLogEventsCommand, (i) => this.getLogEvents(i)],
  ];

  /** What the awslogs driver does for a task: lines into <group>/<stream> (the group must exist). */
  write(group: string, stream: string, lines: string[]): void {
    if (!this.groups.has(group)) return; // the driver cannot write: the task's logs are lost
    const key = `${group}\u0000${stream}`;
    this.streams.set(key, [...(this.streams.get(key) ?? []), ...lines]);
  }

  /**
   * Pages of a stream, as AWS's tokens walk it: a backward token reads the events before a position, a forward one
   * those from it. Read from the tail with no token, the first page is empty (AWS may answer an empty page while
   * more events exist: the least convenient reading); at either end the token given comes back unchanged.
   */
  private getLogEvents(input: {
    logGroupName: string;
    logStreamName: string;
    limit?: number;
    startFromHead?: boolean;
    nextToken?: string;
  }) {
    this.mustGet(input.logGroupName);
    const lines = this.streams.get(`${input.logGroupName}\u0000${input.logStreamName}`);
    if (!lines) throw modeled(ResourceNotFoundException, "The specified log stream does not exist.");
    const limit = input.limit ?? 10_000;
    const token = input.nextToken ?? (input.startFromHead ? "f/0" : `b/${lines.length}/tail`);
    const [direction, at, tail] = token.split("/");
    const position = Number(at);
    if (!(direction === "f" || direction === "b") || !Number.isInteger(position) || position > lines.length)
      throw invalid("The specified nextToken is invalid.");
    const [from, to] =
      direction === "f"
        ? [position, Math.min(lines.length, position + limit)]
        : [Math.max(0, position - limit), position];
    const picked = tail ? [] : lines.slice(from, to);
    const events = picked.map((message, i) => ({ message, timestamp: from + i, ingestionTime: from + i }));
    return {
      events,
      nextForwardToken: tail ? `f/${position}` : `f/${to}`,
      nextBackwardToken: tail ? `b/${position}` : `b/${from}`,
    };
  }

  arnOf(name: string): string {
    return `${LOG_GROUP_PREFIX}${name}`;
  }

  private createLogGroup(input: {
    logGroupName: string;
    kmsKeyId?: string;
    tags?: Record<string, string>;
    logGroupClass?: string;
  }) {
    const name = input.logGroupName ?? "";
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name))
      throw invalid(
        `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
      );
    if (this.groups.has(name)) throw modeled(ResourceAlreadyExistsException, "The specified log group already exists");
    this.groups.set(name, {
      logGroupName: name,
      creationTime: this.fake.clock.now(),
      ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}),
      logGroupClass: input.logGroupClass ?? "STANDARD",
      tags: { ...input.tags },
    });
    return {};
  }

  /** Sorted by name; logGroupNamePrefix is a prefix match; pages of `limit` (at most 50). */
  private describeLogGroups(input: {
    logGroupNamePrefix?: string;
    logGroupNamePattern?: string;
    nextToken?: string;
    limit?: number;
  }) {
    if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined)
      throw invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
    const limit = input.limit ?? 50;
    if (limit < 1 || limit > 50) throw invalid("limit must be between 1 and 50.");
    const all = [...this.groups.values()]
      .filter((g) => input.logGroupNamePrefix === undefined || g.logGroupName.startsWith(input.logGroupNamePrefix))
      .filter(
        (g) =>
          input.logGroupNamePattern === undefined ||
          g.logGroupName.toLowerCase().includes(input.logGroupNamePattern.toLowerCase()),
      )
      .sort((a, b) => (a.logGroupName < b.logGroupName ? -1 : 1));
    const from = input.nextToken ? Number(Buffer.from(input.nextToken, "base64").toString()) : 0;
    if (!Number.isInteger(from) || from < 0) throw invalid("The specified nextToken is invalid.");
    return {
      logGroups: all.slice(from, from + limit).map((g) => ({
        logGroupName: g.logGroupName,
        creationTime: g.creationTime,
        ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
        metricFilterCount: 0,
        arn: `${this.arnOf(g.logGroupName)}:*`,
        storedBytes: 0,
        ...(g.kmsKeyId ? { kmsKeyId: g.kmsKeyId } : {}),
        logGroupClass: g.logGroupClass,
        logGroupArn: this.arnOf(g.logGroupName),
      })),
      ...(from + limit < all.length ? { nextToken: Buffer.from(String(from + limit)).toString("base64") } : {}),
    };
  }

  private putRetention(input: { logGroupName: string; retentionInDays: number }) {
    if (!RETENTION_DAYS.includes(input.retentionInDays))
      throw invalid(
        `1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`,
      );
    this.mustGet(input.logGroupName).retentionInDays = input.retentionInDays;
    return {};
  }

  private deleteRetention(input: { logGroupName: string }) {
    delete this.mustGet(input.logGroupName).retentionInDays;
    return {};
  }

  private deleteLogGroup(input: { logGroupName: string }) {
    this.groups.delete(this.mustGet(input.logGroupName).logGroupName);
    return {};
  }

  private tagResource(input: { resourceArn: string; tags: Record<string, string> }) {
    const g = this.byArn(input.resourceArn);
    g.tags = { ...g.tags, ...input.tags };
    return {};
  }

  private untagResource(input: { resourceArn: string; tagKeys: string[] }) {
    const g = this.byArn(input.resourceArn);
    for (const k of input.tagKeys) delete g.tags[k];
    return {};
  }

  /** Tagging APIs take the ARN without ":*" (DescribeLogGroups' logGroupArn, not its arn). */
  private byArn(arn: string): LogGroup {
    if (!arn.startsWith(LOG_GROUP_PREFIX) || arn.endsWith(":*"))
      throw invalid(`Invalid resource arn: ${arn}. Use the log group ARN without the trailing ':*'.`);
    return this.mustGet(arn.slice(LOG_GROUP_PREFIX.length));
  }

  private mustGet(name: string): LogGroup {
    const g = this.groups.get(name);
    if (!g) throw modeled(ResourceNotFoundException, "The specified log group does not exist.");
    return g;
  }
}
