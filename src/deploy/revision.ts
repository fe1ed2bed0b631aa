// A new revision that differs from the live one only in the image, so settings changed by hand in the live
// definition survive a deploy.
import {
  type ContainerDefinition,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { awsStep } from "../core/errors.js";

/** The container a deploy changes: `web`, else the first essential one. */
export function mainContainer(td: TaskDefinition): ContainerDefinition | undefined {
  const containers = td.containerDefinitions ?? [];
  return containers.find((c) => c.name === "web") ?? containers.find((c) => c.essential !== false) ?? containers[0];
}

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
    ...(td.tags?.length ? { tags: td.tags } : {}),
  };
}

export async function registerWithImage(ctx: Context, td: TaskDefinition, image: string): Promise<TaskDefinition> {
  const ecs = await ctx.aws.ecs();
  const out = await awsStep("register task definition", `${td.family} with ${image}`, () =>
    ecs.send(new RegisterTaskDefinitionCommand(withImage(td, image))),
  );
  return out.taskDefinition as TaskDefinition;
}

export const shortName = (arn?: string) => arn?.split("/").at(-1) ?? "?";
