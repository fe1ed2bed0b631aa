// The one way a revision is registered and recorded, for `create` (the definition the inputs say), for `deploy` and
// `rollback` (the running definition with another image) and for the drill's check copy alike. A revision cannot
// change: a new one keeps the task-level settings no input owns (volumes, ephemeral storage, ...) from the one it
// follows. The env file records which revision runs through this resource, which owns those keys.
import {
  type Tag as EcsTag,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Context } from "../../core/context.js";
import { awsStep } from "../../core/errors.js";
import { recordOwned } from "../../core/owners.js";
import type { Revision } from "../common/ecs.js";
import type { Definition } from "../common/task-definition.js";
import { taskDefinitionResource } from "./config.js";

/** Task-level settings no input owns: a new revision keeps those of the one it follows. */
export const CARRIED = [
  "volumes",
  "placementConstraints",
  "ephemeralStorage",
  "pidMode",
  "ipcMode",
  "proxyConfiguration",
] as const satisfies readonly (keyof TaskDefinition)[];

/** The parts of a definition a revision is compared on (src/resources/common/task-definition.ts). */
const DEFINITION = [
  "family",
  "taskRoleArn",
  "executionRoleArn",
  "networkMode",
  "requiresCompatibilities",
  "cpu",
  "memory",
  "runtimePlatform",
  "containerDefinitions",
] as const satisfies readonly (keyof Definition)[];

const present = (v: unknown) => v !== undefined && !(Array.isArray(v) && v.length === 0);

const pick = (td: TaskDefinition | undefined, keys: readonly (keyof TaskDefinition)[]) =>
  Object.fromEntries(keys.flatMap((k) => (present(td?.[k]) ? [[k, td?.[k]]] : [])));

/** A described revision's definition: what `deploy` registers again with another image. */
export const definitionOfRevision = (td: TaskDefinition): Definition => pick(td, DEFINITION) as Definition;

/** What RegisterTaskDefinition is sent: the definition, over what it keeps of the revision it follows, and tags. */
export function registration(
  definition: Definition,
  follows: TaskDefinition | undefined,
  tags: EcsTag[],
): RegisterTaskDefinitionCommandInput {
  return {
    ...pick(follows, CARRIED),
    ...(definition as RegisterTaskDefinitionCommandInput),
    ...(tags.length ? { tags } : {}),
  };
}

export async function registerRevision(
  ctx: Context,
  input: RegisterTaskDefinitionCommandInput,
  what: string,
  step = "register task definition",
): Promise<Revision> {
  const ecs = await ctx.aws.ecs();
  const out = await awsStep(step, what, () => ecs.send(new RegisterTaskDefinitionCommand(input)));
  return { ...(out.taskDefinition as TaskDefinition), tags: out.tags ?? input.tags ?? [] };
}

/** The keys that say which revision runs, from the revision. */
export const revisionRecord = (td: TaskDefinition) => ({
  ECS_SERVICE_TASK_DEFINITION_ARN: td.taskDefinitionArn as string,
  ECS_SERVICE_TASK_DEFINITION_REVISION: String(td.revision ?? ""),
});

/** Records the revision the service runs (after a deploy or a rollback), as this resource's own keys. */
export const recordRevision = (ctx: Context, td: TaskDefinition) =>
  recordOwned(ctx.env, taskDefinitionResource, revisionRecord(td));
