// Handlers for the service's log group: made with the stack's tags, kept for LOG_RETENTION_DAYS, and left in place
// by `destroy --keep-logs`. CreateLogGroup is not idempotent: ResourceAlreadyExists means a run whose answer was
// lost made it.
import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { awsStep, isAwsError } from "../../core/errors.js";
import { stackTags } from "../common/tags.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import { logGroupFields, type logGroupInput, type TaskDefinitionConfig } from "./config.js";
import { findLogGroup } from "./observe.js";

/** The scripts named the group's Name tag <project>-service-logs. */
const tagsOf = (c: TaskDefinitionConfig) =>
  Object.fromEntries(stackTags(c, `${c.project}-service-logs`).map((t) => [t.Key, t.Value]));

type LogGroupInput = ReturnType<typeof logGroupInput>;

async function setRetention(run: ApplyRun<TaskDefinitionConfig>, input: LogGroupInput) {
  const logs = await run.ctx.aws.logs();
  await awsStep("set log retention", input.logGroupName, () => logs.send(new PutRetentionPolicyCommand(input)));
}

export const logGroupHandlers: KindHandlers<TaskDefinitionConfig> = {
  async create(run, d) {
    const logs = await run.ctx.aws.logs();
    const input = d.input as LogGroupInput;
    const name = input.logGroupName;
    await awsStep("create log group", name, async () => {
      try {
        await logs.send(new CreateLogGroupCommand({ logGroupName: name, tags: tagsOf(run.c) }));
      } catch (err) {
        if (!isAwsError(err, "ResourceAlreadyExistsException")) throw err;
      }
    });
    await setRetention(run, input);
    const group = await awsStep("find log group", name, () => findLogGroup(logs, name));
    // What AWS has; a group not listed yet is reported as it was sent.
    const fields = logGroupFields(group ?? input);
    return { key: d.key, kind: d.kind, name, id: group?.logGroupArn ?? name, fields, managed: true };
  },
  async update(run, d) {
    await setRetention(run, d.input as LogGroupInput);
  },
  async adopt(run, _d, o) {
    const logs = await run.ctx.aws.logs();
    await awsStep("tag log group", o.name, () =>
      logs.send(new TagResourceCommand({ resourceArn: o.id, tags: tagsOf(run.c) })),
    );
  },
  async delete(run, o) {
    const logs = await run.ctx.aws.logs();
    await awsStep("delete log group", o.name, async () => {
      try {
        await logs.send(new DeleteLogGroupCommand({ logGroupName: o.name }));
      } catch (err) {
        if (!isAwsError(err, "ResourceNotFoundException")) throw err;
      }
    });
  },
  keep: (run) => (run.ctx.options.keepLogs ? "kept, with the logs in it (--keep-logs)" : undefined),
};
