// A new revision that differs from the live one only in the image, so settings changed by hand in the live
// definition survive a deploy. It keeps the live revision's tags (ManagedBy=infra among them), but not the
// known-good mark: that one is earned by passing a probe. The task definition resource registers it (revisions.ts
// there): one path for every revision, whoever asks for it.
import type { ContainerDefinition, RegisterTaskDefinitionCommandInput, TaskDefinition } from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import type { Revision } from "../resources/common/ecs.js";
import { withoutKnownGood } from "../resources/common/known-good.js";
import { mainContainer } from "../resources/common/task-definition.js";
import {
  definitionOfRevision,
  registerRevision,
  registration,
} from "../resources/ecs-service-task-definition/revisions.js";

export { shortName } from "../resources/common/ecs.js";
export { registerRevision } from "../resources/ecs-service-task-definition/revisions.js";
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
  const tags = withoutKnownGood(td.tags);
  const containerDefinitions = (td.containerDefinitions ?? []).map((c) => (c === main ? change(c) : c));
  return registration({ ...definitionOfRevision(td), family, containerDefinitions }, td, tags);
}

export const registerWithImage = (ctx: Context, td: Revision, image: string): Promise<Revision> =>
  registerRevision(ctx, withImage(td, image), `${td.family} with ${image}`);
