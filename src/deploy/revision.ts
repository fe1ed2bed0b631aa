// A new revision that differs from the live one only in the image, so settings changed by hand in the live
// definition survive a deploy. It keeps the live revision's tags (ManagedBy=infra among them), but not the
// known-good mark: that one is earned by passing a probe.
import {
  type ContainerDefinition,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { awsStep } from "../core/errors.js";
import type { Revision } from "../resources/common/ecs.js";
import { KNOWN_GOOD } from "../resources/common/known-good.js";
import { mainContainer } from "../resources/common/task-definition.js";

export { shortName } from "../resources/common/ecs.js";
export { mainContainer };

export function withImage(
  td: TaskDefinition & { tags?: { key?: string; value?: string }[] },
  image: string,
): RegisterTaskDefinitionCommandInput {
  return variantOf(td, (c) => ({ ...c, image }));
}

/** The definition as a registration input, its main container changed (and its family, for a copy elsewhere). */
export function variantOf(
  td: TaskDefinition & { tags?: { key?: string; value?: string }[] },
  change: (main: ContainerDefinition) => ContainerDefinition,
  family = td.family,
): RegisterTaskDefinitionCommandInput {
  const main = mainContainer(td);
  const tags = (td.tags ?? []).filter((t) => t.key !== KNOWN_GOOD);
  return {
    family,
    taskRoleArn: td.taskRoleArn,
    executionRoleArn: td.executionRoleArn,
    networkMode: td.networkMode,
    containerDefinitions: (td.containerDefinitions ?? []).map((c) => (c === main ? change(c) : c)),
    volumes: td.volumes,
    placementConstraints: td.placementConstraints,
    requiresCompatibilities: td.requiresCompatibilities,
    cpu: td.cpu,
    memory: td.memory,
    pidMode: td.pidMode,
    ipcMode: td.ipcMode,
    proxyConfiguration: td.proxyConfiguration,
    ephemeralStorage: td.ephemeralStorage,
    runtimePlatform: td.runtimePlatform,
    ...(tags.length ? { tags } : {}),
  };
}

export async function registerWithImage(ctx: Context, td: Revision, image: string): Promise<Revision> {
  const ecs = await ctx.aws.ecs();
  const out = await awsStep("register task definition", `${td.family} with ${image}`, () =>
    ecs.send(new RegisterTaskDefinitionCommand(withImage(td, image))),
  );
  return { ...(out.taskDefinition as TaskDefinition), tags: out.tags ?? [] };
}
