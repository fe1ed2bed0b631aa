// RunTask: one-off tasks outside any service, as `deploy --migrate` runs them. A task goes PENDING -> RUNNING
// -> STOPPED with its essential container's exit code, and writes its output to its awslogs stream. Tests
// decide the outcome per image with `outcomes`. A task with an image in the fake's ECR that cannot be pulled
// (missing, or another account's and not shared) goes PENDING -> STOPPED: TaskFailedToStart, CannotPullContainerError,
// no exit code and no log (docs/aws-behaviours.md, "ECS").
import type { RunTaskCommandInput } from "@aws-sdk/client-ecs";
import type { EcsModel } from "./ecs.js";
import { hexId } from "./ecs-state.js";

export const RUN_TASK_STARTS_MS = 30_000;
export const RUN_TASK_STOPS_MS = 90_000;

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
      ...(stopped ? { ...stop, stoppedAt: new Date(t.launchedAt + stopsAt) } : {}),
      containers: [{ name: t.containerName, lastStatus, ...(stopped ? ended : {}) }],
    };
  }
}
