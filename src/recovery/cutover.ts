// `dr-drill --rehearse-cutover`: what a real cutover does, on copies, timed. A cutover writes the restored
// instance's endpoint into the database secret and starts new tasks, which read it when they start. The rehearsal
// writes it into a copy of the secret instead (held in memory only, never on disk), registers a copy of the service's
// task definition whose secret references (and the DB_SECRET_NAME the app may look the secret up by) name the copy,
// and runs the app once from it with DR_CUTOVER_COMMAND (default `python manage.py migrate --check`: it starts the
// app's settings and reads the database's migrations). Production's secret, service and task definitions are
// untouched; the copy and the revision are deleted with the drill.

import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
} from "@aws-sdk/client-secrets-manager";
import type { Context } from "../core/context.js";
import { awsStep, ExitCode, InfraError } from "../core/errors.js";
import type { ResourceEvents } from "../core/events.js";
import { taskDefinition } from "../deploy/checks.js";
import { runOnce } from "../deploy/migrate.js";
import { registerRevision, shortName, variantOf } from "../deploy/revision.js";
import type { Tag } from "../resources/common/tags.js";
import { type Endpoint, removeRevisions } from "./check.js";
import { DRILL_TAG, type DrillConfig } from "./config.js";

export interface CutoverResult {
  status: "passed" | "failed";
  /** From copying the secret to the app's task exiting: what a cutover would take. */
  ms: number;
  exitCode: number | undefined;
  why: string;
  /** A word for the record when it failed. */
  error?: string;
}

const SUFFIX = "-dr-drill-";

export async function rehearseCutover(
  ctx: Context,
  ev: ResourceEvents,
  c: DrillConfig,
  run: { endpoint: Endpoint; tags: Tag[]; running: Set<string> },
): Promise<CutoverResult> {
  const plan = c.cutover as NonNullable<DrillConfig["cutover"]>;
  const started = ctx.clock.now();
  const sm = await ctx.aws.secrets();
  const prod = await awsStep("read database secret", c.secretArn, () =>
    sm.send(new GetSecretValueCommand({ SecretId: c.secretArn })),
  );
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(prod.SecretString ?? "") as Record<string, unknown>;
  } catch {
    throw new InfraError(
      `the database secret ${prod.Name} does not hold JSON: a cutover cannot point its host elsewhere`,
      ExitCode.aws,
    );
  }
  const runId = run.tags.find((t) => t.Key === "infra:dr-drill-run")?.Value?.slice(0, 8) ?? "copy";
  const name = `${prod.Name}${SUFFIX}${runId}`;
  const copy = await awsStep("copy database secret", name, () =>
    sm.send(
      new CreateSecretCommand({
        Name: name,
        Description: `infra dr-drill: ${prod.Name} pointed at ${run.endpoint.host}, deleted when the drill ends`,
        SecretString: JSON.stringify({ ...value, host: run.endpoint.host, port: run.endpoint.port }),
        Tags: run.tags,
      }),
    ),
  );
  ev.created(`secret ${name} (a copy of ${prod.Name}, host ${run.endpoint.host})`);
  const service = await taskDefinition(ctx, plan.serviceTaskDefinition);
  const swap = (text: string | undefined) =>
    text === prod.ARN || text === prod.Name
      ? text === prod.ARN
        ? copy.ARN
        : name
      : text?.startsWith(`${prod.ARN}:`)
        ? `${copy.ARN}${text.slice((prod.ARN ?? "").length)}`
        : text;
  const pointed = (container: ContainerDefinition): ContainerDefinition => {
    const { healthCheck: _, ...rest } = container;
    return {
      ...rest,
      command: plan.command,
      environment: (container.environment ?? []).map((e) => ({ ...e, value: swap(e.value) })),
      secrets: (container.secrets ?? []).map((s) => ({ ...s, valueFrom: swap(s.valueFrom) as string })),
    };
  };
  const td = await registerRevision(
    ctx,
    { ...variantOf(service, pointed, plan.family), tags: run.tags.map((t) => ({ key: t.Key, value: t.Value })) },
    plan.family,
    "register cutover task definition",
  );
  ev.created(
    `cutover task definition ${shortName(td.taskDefinitionArn)} (from ${shortName(service.taskDefinitionArn)})`,
  );
  const result = await runOnce(
    ctx,
    {
      cluster: c.cluster,
      subnets: c.subnets,
      securityGroup: c.securityGroup,
      startedBy: "infra-dr-drill",
      label: "cutover",
      resource: "dr-drill",
      onStarted: (arn) => run.running.add(arn),
    },
    td,
  );
  run.running.delete(result.taskArn);
  const ms = ctx.clock.now() - started;
  const passed = result.exitCode === 0;
  const why = passed
    ? `the app started against the copy: ${plan.command.join(" ")} exited 0`
    : `${plan.command.join(" ")} ${result.exitCode === undefined ? `never ran${result.why ? ` (${result.why})` : ""}` : `exited ${result.exitCode}`}`;
  ev[passed ? "exists" : "warning"](`cutover rehearsal ${passed ? "passed" : "failed"}: ${why}`);
  return {
    status: passed ? "passed" : "failed",
    ms,
    exitCode: result.exitCode,
    why,
    ...(passed ? {} : { error: result.exitCode === undefined ? "never-ran" : `exit-${result.exitCode}` }),
  };
}

/** Deletes every copy of the secret a drill of this database made (this run's, or a killed one's), and its revisions. */
export async function removeCutoverLeftovers(ctx: Context, ev: ResourceEvents, c: DrillConfig): Promise<void> {
  if (c.cutoverFamily) await removeRevisions(ctx, ev, c.cutoverFamily);
  const sm = await ctx.aws.secrets();
  const copies: string[] = [];
  let NextToken: string | undefined;
  do {
    const out = await awsStep("list secret copies", c.instanceId, () =>
      sm.send(
        new ListSecretsCommand({
          Filters: [
            { Key: "tag-key", Values: [DRILL_TAG] },
            { Key: "tag-value", Values: [c.instanceId] },
          ],
          NextToken,
        }),
      ),
    );
    for (const s of out.SecretList ?? [])
      if (s.Name?.includes(SUFFIX) && (s.Tags ?? []).some((t) => t.Key === DRILL_TAG && t.Value === c.instanceId))
        copies.push(s.ARN as string);
    NextToken = out.NextToken;
  } while (NextToken);
  for (const arn of copies) {
    await awsStep("delete secret copy", arn, () =>
      sm.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true })),
    );
    ev.deleted(`secret ${arn.split(":secret:")[1]?.replace(/-\w{6}$/, "")} (the rehearsal's copy)`);
  }
}
