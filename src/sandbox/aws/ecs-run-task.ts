// RunTask: one-off tasks outside any service, as `deploy --migrate` and `dr-drill` run them. A task goes PENDING ->
// RUNNING -> STOPPED with its essential container's exit code, and writes its output to its awslogs stream. Before
// it starts, ECS pulls every image and hands the container its secrets (a whole secret, or one JSON key of it): a
// task whose image cannot be pulled, or whose secret or key is missing, goes PENDING -> STOPPED with
// TaskFailedToStart, no exit code and no log. StopTask stops it. What a container does is its image's business:
// tests (and the sandbox) give an image a program, run with the container's command and environment, that may
// connect to a DB instance by its endpoint; else `outcomes` decides per image. Container overrides replace a
// container's command and add to or replace its environment variables, within 8192 characters, and DescribeTasks
// shows them (docs/aws-behaviours.md, "ECS").
import {
  type ContainerDefinition,
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
import { POSTGRES_IMAGE, postgresClient } from "./postgres-client.js";

export const RUN_TASK_STARTS_MS = 30_000;
export const RUN_TASK_STOPS_MS = 90_000;
/** RunTask's overrides, JSON formatting included, may take this many characters at most. */
export const OVERRIDES_MAX_CHARS = 8192;

export interface Outcome {
  exitCode: number;
  log: string[];
}

/** What a container's program sees: its command and environment, and what it can reach from the task. */
export interface ContainerRun {
  image: string;
  command: string[];
  env: Record<string, string>;
  /** A PostgreSQL connection to a DB instance by its endpoint (the fake RDS's `connect`). */
  connect: EcsModel["fake"]["rds"]["connect"];
  /** A secret's value, as the task role reads it from Secrets Manager (undefined: no such secret). */
  secret(id: string): string | undefined;
}

export type ContainerProgram = (run: ContainerRun) => Outcome;

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
  /** Why it never ran: an image it could not pull, a secret it could not read. */
  cannotStart?: string;
  /** StopTask: when, and why. */
  stopRequestedAt?: number;
  stopReason?: string;
}

export class OneOffTasks {
  readonly tasks: OneOffTask[] = [];
  /** Image substring -> what a task of that image does (default: exit 0, "No migrations to apply."). */
  readonly outcomes = new Map<string, Outcome>();
  /** Image substring -> the program a container of that image runs (before `outcomes`). Code, not saved state. */
  readonly programs: [string, ContainerProgram][] = [[POSTGRES_IMAGE, postgresClient]];
  private seq = 0;

  constructor(private readonly ecs: EcsModel) {}

  run(input: RunTaskCommandInput) {
    const clusterArn = this.ecs.clusterArn(input.cluster);
    // Nothing new runs from an INACTIVE revision (docs/aws-behaviours.md, "ECS"): "TaskDefinition is inactive".
    const td = this.ecs.mustFindTaskDefinition(input.taskDefinition as string);
    const container = td.containerDefinitions?.find((c) => c.essential !== false) ?? td.containerDefinitions?.[0];
    const containerOverrides = checkOverrides(td, input.overrides?.containerOverrides ?? []);
    // Every container's image is pulled and its secrets read before any starts: one that fails stops the task.
    const cannotStart =
      (td.containerDefinitions ?? [])
        .map((c) => this.ecs.resolveImage(c.image ?? ""))
        .map((p) => (p && "cannotPull" in p ? p.cannotPull : undefined))
        .find(Boolean) ?? (td.containerDefinitions ?? []).map((c) => this.secretsOf(c).error).find(Boolean);
    const override = containerOverrides.find((o) => o.name === container?.name);
    const outcome = cannotStart || !container ? { exitCode: 0, log: [] } : this.play(container, override);
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
      ...(cannotStart ? { cannotStart } : {}),
    };
    this.tasks.push(task);
    const options = container?.logConfiguration?.options ?? {};
    const group = options["awslogs-group"];
    if (group && options["awslogs-stream-prefix"] && !task.cannotStart) {
      this.ecs.fake.logs.write(group, `${options["awslogs-stream-prefix"]}/${task.containerName}/${id}`, outcome.log);
    }
    return { tasks: [this.render(task)], failures: [] };
  }

  /** What the container does: its image's program, with its command and environment, or the image's outcome. */
  private play(
    c: ContainerDefinition,
    override?: { command?: string[]; environment?: { name?: string; value?: string }[] },
  ): Outcome {
    const image = c.image ?? "";
    const program = this.programs.find(([part]) => image.includes(part))?.[1];
    if (program) {
      const env: Record<string, string> = {};
      for (const e of [...(c.environment ?? []), ...(override?.environment ?? [])])
        if (e.name) env[e.name] = e.value ?? "";
      Object.assign(env, this.secretsOf(c).values);
      const fake = this.ecs.fake;
      return program({
        image,
        command: override?.command ?? c.command ?? [],
        env,
        connect: (to) => fake.rds.connect(to),
        secret: (id) => fake.secrets.valueOf(fake.secrets.find(id)?.arn ?? id),
      });
    }
    return (
      [...this.outcomes].find(([part]) => image.includes(part))?.[1] ?? {
        exitCode: 0,
        log: ["No migrations to apply."],
      }
    );
  }

  /**
   * The container's secrets as ECS hands them over: `valueFrom` is a secret's ARN, optionally followed by
   * `:<json-key>:<version-stage>:<version-id>`; a key names one value of the secret's JSON.
   */
  private secretsOf(c: ContainerDefinition): { values: Record<string, string>; error?: string } {
    const values: Record<string, string> = {};
    for (const s of c.secrets ?? []) {
      const from = s.valueFrom ?? "";
      if (!from.startsWith("arn:aws:secretsmanager:")) continue; // Parameter Store: not modeled
      const parts = from.split(":");
      const arn = parts.slice(0, 7).join(":");
      const key = parts[7] ?? "";
      const text = this.ecs.fake.secrets.valueOf(arn);
      const fail = (why: string) =>
        `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: ${why}`;
      if (text === undefined)
        return { values, error: fail(`ResourceNotFoundException: Secrets Manager can't find the specified secret.`) };
      if (!key) {
        values[s.name ?? ""] = text;
        continue;
      }
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {}
      if (!json || !(key in json))
        return { values, error: fail(`retrieved secret from Secrets Manager did not contain json key ${key}`) };
      values[s.name ?? ""] = String(json[key]);
    }
    return { values };
  }

  find(ref: string): OneOffTask | undefined {
    return this.tasks.find((t) => t.arn === ref || t.arn.endsWith(`/${ref}`));
  }

  /** StopTask: the task is STOPPED once its container has had the stop timeout to exit (at once if it never ran). */
  stop(input: { cluster?: string; task: string; reason?: string }) {
    this.ecs.clusterArn(input.cluster);
    const t = this.find(input.task);
    if (!t) throw modeled(InvalidParameterException, "The referenced task was not found.");
    if (this.render(t).lastStatus !== "STOPPED" && t.stopRequestedAt === undefined) {
      t.stopRequestedAt = this.ecs.fake.clock.now();
      t.stopReason = input.reason ?? "Task stopped by user";
    }
    return { task: this.render(t) };
  }

  render(t: OneOffTask) {
    const now = this.ecs.fake.clock.now();
    const age = now - t.launchedAt;
    const { runTaskStartsMs, runTaskStopsMs, taskStopMs } = this.ecs.fake.latency;
    // A task that cannot start is PENDING while it tries, then STOPPED where it would have been RUNNING: it never
    // ran, so it has a reason and no exit code.
    const failed = t.cannotStart;
    const naturalStop = t.launchedAt + (failed ? runTaskStartsMs : runTaskStopsMs);
    const stoppedByUser = t.stopRequestedAt !== undefined && t.stopRequestedAt < naturalStop;
    const ranWhenStopped = stoppedByUser && (t.stopRequestedAt as number) - t.launchedAt >= runTaskStartsMs;
    const stopsAt = stoppedByUser
      ? Math.min(naturalStop, (t.stopRequestedAt as number) + (ranWhenStopped ? taskStopMs : 0))
      : naturalStop;
    const stopped = now >= stopsAt;
    const running = !failed && age >= runTaskStartsMs;
    const lastStatus = stopped ? "STOPPED" : running ? (stoppedByUser ? "DEACTIVATING" : "RUNNING") : "PENDING";
    const stop = stoppedByUser
      ? { stopCode: "UserInitiated", stoppedReason: t.stopReason }
      : failed
        ? { stopCode: "TaskFailedToStart", stoppedReason: failed }
        : { stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited" };
    // SIGTERM (143) to a container that ran; none to one that never started.
    const ended = stoppedByUser
      ? ranWhenStopped
        ? { exitCode: 143 }
        : {}
      : failed
        ? { reason: failed }
        : { exitCode: t.outcome.exitCode };
    return {
      taskArn: t.arn,
      taskDefinitionArn: t.taskDefinitionArn,
      lastStatus,
      desiredStatus: stopped || stoppedByUser ? "STOPPED" : "RUNNING",
      launchType: "FARGATE",
      ...(t.startedBy ? { startedBy: t.startedBy } : {}),
      overrides: { containerOverrides: t.containerOverrides, inferenceAcceleratorOverrides: [] },
      ...(stopped ? { ...stop, stoppedAt: new Date(stopsAt) } : {}),
      containers: [{ name: t.containerName, lastStatus: stopped ? "STOPPED" : lastStatus, ...(stopped ? ended : {}) }],
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
