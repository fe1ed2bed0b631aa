// Handlers for the task definition family. A revision cannot change: a change is a new revision (revisions.ts),
// which keeps what the inputs do not own in the current one (volumes, ephemeral storage, ...). The revisions carry the stack's
// tags: a revision is the only thing of a family that can, and ManagedBy=infra is what makes the family ours.
// Destroy deregisters every ACTIVE revision of the family (deregistered ones cannot run anything new).
import { DeregisterTaskDefinitionCommand, TagResourceCommand, type TaskDefinition } from "@aws-sdk/client-ecs";
import { awsStep, isAwsError } from "../../core/errors.js";
import type { DesiredObject } from "../../state/model.js";
import { activeRevisions, describeRevision, type Revision, toEcsTags } from "../common/ecs.js";
import { stackTags } from "../common/tags.js";
import type { Definition } from "../common/task-definition.js";
import type { ApplyRun, KindHandlers } from "../resource.js";
import type { TaskDefinitionConfig } from "./config.js";
import { observedRevision } from "./observe.js";
import { registerRevision, registration } from "./revisions.js";

type Run = ApplyRun<TaskDefinitionConfig>;

/** The definition the inputs say (config.ts definitionOf), keeping what no input owns from the one it follows. */
async function register(run: Run, d: DesiredObject, follows: TaskDefinition | undefined): Promise<Revision> {
  const { c } = run;
  const input = registration(d.input as Definition, follows, toEcsTags(stackTags(c, c.family)));
  return registerRevision(run.ctx, input, `${c.family} (${c.image})`);
}

async function tag(run: Run, arn: string) {
  const ecs = await run.ctx.aws.ecs();
  await awsStep("tag task definition", arn, () =>
    ecs.send(new TagResourceCommand({ resourceArn: arn, tags: toEcsTags(stackTags(run.c, run.c.family)) })),
  );
}

export const taskDefinitionHandlers: KindHandlers<TaskDefinitionConfig> = {
  async create(run, d) {
    return observedRevision(run.c, await register(run, d, undefined));
  },
  async update(run, d, o) {
    await run.made(observedRevision(run.c, await register(run, d, o.raw as TaskDefinition | undefined)));
  },
  adopt: (run, _d, o) => tag(run, o.id),
  async delete(run) {
    const ecs = await run.ctx.aws.ecs();
    const family = run.c.family;
    const arns = await awsStep("list task definitions", family, () => activeRevisions(ecs, family));
    for (const arn of arns.reverse()) {
      await awsStep("deregister task definition", arn, async () => {
        try {
          await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
        } catch (err) {
          // Gone already (a revision deleted after deregistration is no longer described).
          if (!isAwsError(err, "ClientException") || (await describeRevision(ecs, arn))) throw err;
        }
      });
    }
  },
};
