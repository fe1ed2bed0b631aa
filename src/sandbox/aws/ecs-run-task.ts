// RunTask: one-off tasks outside any service, as `deploy --migrate` runs them. A task goes PENDING -> RUNNING
// -> STOPPED with its essential container's exit code, and writes its output to its awslogs stream. Tests
// decide the outcome per image with `outcomes`. A task with an image in the fake's ECR that cannot be pulled
// (missing, or another account's and not shared) goes PENDING -> STOPPED: TaskFailedToStart, CannotPullContainerError,
// no exit code and no log. Container overrides replace a container's command and add to or replace its environment
// variables, within 8192 characters, and DescribeTasks shows them (docs/aws-behaviours.md, "ECS").
import {
  type ContainerOverride,
  InvalidParameterException,
  type KeyValuePair,
  type RunTaskCommandInput,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { EcsModel } from "./ecs.js";
import { hexId } from "./ecs-state.js";
import { checkSecretNames } from "./ecs-task-definitions.js";
import { modeled } from "./errors.js";

export const RUN_TASK_STARTS_MS = 30_000;
export const RUN_TASK_STOPS_MS = 90_000;
/** RunTask's overrides, JSON formatting included, may take this many characters at most. */
export const OVERRIDES_MAX_CHARS = 8192;

interface Outcome {
  exitCode: number;
  log: string[];
}

interface OneOffTask {
  arn: string;
  taskDefinitionArn: string;
  launchedAt: number;
  startedBy?: string;
  outcome: Outcome;
  containerName: string;
  /** What the essential container ran: the definition's command and environment, with the overrides applied. */
  command: string[] | undefined;
  environment: KeyValuePair[];
  /** The overrides RunTask was given, as DescribeTasks shows them. */
  containerOverrides: ContainerOverride[];
  /** Why it never ran: an image it could not pull. */
  cannotPull?: string;
}

export class OneOffTasks {
  readonly tasks: OneOffTask[] = [];
  /** Image substring -> what a task of that image does (default: exit 0, "No migrations to apply."). */
  readonly outcomes = new Map<string, Outcome>();
  private seq = 0;

  constructor(private readonly ecs: EcsModel) {}

  run(input: RunTaskCommandInput) {
    const clusterArn = this.ecs.clusterArn(input.cluster);
    // Nothing new runs from an INACTIVE revision (docs/aws-behaviours.md, "ECS"): "TaskDefinition is inactive".
    const td = this.ecs.mustFindTaskDefinition(input.taskDefinition as string);
    const container = td.containerDefinitions?.find((c) => c.essential !== false) ?? td.containerDefinitions?.[0];
    const containerOverrides = checkOverrides(td, input.overrides?.containerOverrides ?? []);
    const override = containerOverrides.find((o) => o.name === container?.name);
    const image = container?.image ?? "";
    const outcome = [...this.outcomes].find(([part]) => image.includes(part))?.[1] ?? {
      exitCode: 0,
      log: ["No migrations to apply."],
    };
    // Every container's image is pulled before any starts: one that cannot be pulled stops the task.
    const cannotPull = (td.containerDefinitions ?? [])
      .map((c) => this.ecs.resolveImage(c.image ?? ""))
      .find((p) => p && "cannotPull" in p);
    const id = hexId(`run-${++this.seq}-${td.taskDefinitionArn}`);
    const task: OneOffTask = {
      arn: `${clusterArn.replace(":cluster/", ":task/")}/${id}`,
      taskDefinitionArn: td.taskDefinitionArn as string,
      launchedAt: this.ecs.fake.clock.now(),
      ...(input.startedBy ? { startedBy: input.startedBy } : {}),
      outcome,
      containerName: container?.name ?? "app",
      command: override?.command ?? container?.command,
      environment: withOverrides(container?.environment ?? [], override?.environment ?? []),
      containerOverrides,
      ...(cannotPull && "cannotPull" in cannotPull ? { cannotPull: cannotPull.cannotPull } : {}),
    };
    this.tasks.push(task);
    const options = container?.logConfiguration?.options ?? {};
    const group = options["awslogs-group"];
    if (group && options["awslogs-stream-prefix"] && !task.cannotPull) {
      this.ecs.fake.logs.write(group, `${options["awslogs-stream-prefix"]}/${task.containerName}/${id}`, outcome.log);
    }
    return { tasks: [this.render(task)], failures: [] };
  }

  find(ref: string): OneOffTask | undefined {
    return this.tasks.find((t) => t.arn === ref || t.arn.endsWith(`/${ref}`));
  }

  render(t: OneOffTask) {
    const age = this.ecs.fake.clock.now() - t.launchedAt;
    const { runTaskStartsMs, runTaskStopsMs } = this.ecs.fake.latency;
    // A task whose image cannot be pulled is PENDING while it tries, then STOPPED where it would have been RUNNING:
    // it never ran, so it has a reason and no exit code.
    const failed = t.cannotPull;
    const stopsAt = failed ? runTaskStartsMs : runTaskStopsMs;
    const lastStatus = age >= stopsAt ? "STOPPED" : !failed && age >= runTaskStartsMs ? "RUNNING" : "PENDING";
    const stopped = lastStatus === "STOPPED";
    const stop = failed
      ? { stopCode: "TaskFailedToStart", stoppedReason: failed }
      : { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" };
    const ended = failed ? { reason: failed } : { exitCode: t.outcome.exitCode };
    return {
      taskArn: t.arn,
      taskDefinitionArn: t.taskDefinitionArn,
      lastStatus,
      desiredStatus: stopped ? "STOPPED" : "RUNNING",
      launchType: "FARGATE",
      ...(t.startedBy ? { startedBy: t.startedBy } : {}),
      overrides: { containerOverrides: t.containerOverrides, inferenceAcceleratorOverrides: [] },
      ...(stopped ? { ...stop, stoppedAt: new Date(t.launchedAt + stopsAt) } : {}),
      containers: [{ name: t.containerName, lastStatus, ...(stopped ? ended : {}) }],
    };
  }
}

/**
 * What AWS checks of container overrides: each names a container of the definition, all of them together fit in
 * 8192 characters, and an environment variable may not share a name with a secret of its container. (ECS's own
 * messages for the first two are not documented: these are the fake's.)
 */
function checkOverrides(td: TaskDefinition, overrides: ContainerOverride[]): ContainerOverride[] {
  if (JSON.stringify({ containerOverrides: overrides }).length > OVERRIDES_MAX_CHARS)
    throw modeled(InvalidParameterException, `Container Overrides length must be at most ${OVERRIDES_MAX_CHARS}`);
  for (const o of overrides) {
    const container = td.containerDefinitions?.find((c) => c.name === o.name);
    if (!container)
      throw modeled(
        InvalidParameterException,
        `Override for container named ${o.name} is not a container in the TaskDefinition.`,
      );
    checkSecretNames({ environment: o.environment, secrets: container.secrets });
  }
  return structuredClone(overrides);
}

/** An override's variables replace the definition's of the same name and add the others. */
function withOverrides(environment: KeyValuePair[], overrides: KeyValuePair[]): KeyValuePair[] {
  const replaced = new Set(overrides.map((e) => e.name));
  return [...environment.filter((e) => !replaced.has(e.name)), ...overrides];
}
