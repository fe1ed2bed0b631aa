// Proves a restored database is usable: the migration task definition, run once as `deploy --migrate` runs it, with
// a check command and DATABASE_HOST pointed at the restored instance. ECS refuses a name that is both an environment
// variable and a secret of a container ("...not shared with any new or existing environment variables", see
// docs/aws-behaviours.md), and the migration task usually takes DATABASE_HOST from the database secret; so the
// check runs from a copy of that definition in a family of its own (<family>-dr-drill), DATABASE_HOST set in plain
// text (a host name is no secret), deregistered when the drill ends. The migration family itself is never changed:
// `deploy --migrate` runs its latest revision.
import {
  type ContainerDefinition,
  DeregisterTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Context } from "../core/context.js";
import { awsStep } from "../core/errors.js";
import type { ResourceEvents } from "../core/events.js";
import { taskDefinition } from "../deploy/checks.js";
import { type OneOffResult, runOnce } from "../deploy/migrate.js";
import { mainContainer, registerRevision, shortName, variantOf } from "../deploy/revision.js";
import type { Tag } from "../resources/common/tags.js";
import type { DrillConfig } from "./config.js";

const POINTED = ["DATABASE_HOST", "DATABASE_PORT"];

export interface CheckResult extends OneOffResult {
  command: string[];
}

/** Registers the check revision: the migration definition's main container with the check command and the host. */
export async function registerCheck(
  ctx: Context,
  ev: ResourceEvents,
  c: DrillConfig,
  database: { host: string; port: number },
  tags: Tag[],
): Promise<TaskDefinition> {
  const migration = await taskDefinition(ctx, c.family);
  const main = mainContainer(migration);
  const names = [...(main?.environment ?? []), ...(main?.secrets ?? [])].map((v) => v.name);
  if (!names.includes("DATABASE_HOST"))
    ev.warning(
      `${shortName(migration.taskDefinitionArn)} sets no DATABASE_HOST: the check gets one, but if the app finds its database another way it checks that one instead`,
    );
  const pointed = (container: ContainerDefinition): ContainerDefinition => ({
    ...container,
    command: c.checkCommand,
    environment: [
      ...(container.environment ?? []).filter((e) => !POINTED.includes(e.name ?? "")),
      { name: "DATABASE_HOST", value: database.host },
      { name: "DATABASE_PORT", value: String(database.port) },
    ],
    secrets: (container.secrets ?? []).filter((s) => !POINTED.includes(s.name ?? "")),
  });
  const input = {
    ...variantOf(migration, pointed, c.checkFamily),
    tags: tags.map((t) => ({ key: t.Key, value: t.Value })),
  };
  const td = await registerRevision(ctx, input, c.checkFamily, "register check task definition");
  ev.created(
    `check task definition ${shortName(td.taskDefinitionArn)} (from ${shortName(migration.taskDefinitionArn)})`,
  );
  return td;
}

export async function runCheck(ctx: Context, c: DrillConfig, td: TaskDefinition): Promise<CheckResult> {
  const run = {
    cluster: c.cluster,
    subnets: c.subnets,
    securityGroup: c.securityGroup,
    startedBy: "infra-dr-drill",
    label: "check",
    resource: "dr-drill",
  };
  return { ...(await runOnce(ctx, run, td)), command: c.checkCommand };
}

/** Deregisters every ACTIVE revision of the check family: this run's, and any a killed run left. */
export async function removeCheckRevisions(ctx: Context, ev: ResourceEvents, c: DrillConfig): Promise<void> {
  const ecs = await ctx.aws.ecs();
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await awsStep("list check task definitions", c.checkFamily, () =>
      ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: c.checkFamily, status: "ACTIVE", nextToken })),
    );
    arns.push(...(out.taskDefinitionArns ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  for (const arn of arns) {
    await awsStep("deregister check task definition", shortName(arn), () =>
      ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })),
    );
    ev.deleted(`check task definition ${shortName(arn)} (deregistered)`);
  }
}
