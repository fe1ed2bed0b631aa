// The lines the terminal's progress is made of: a wait, a deployment as a table, a finished step, the summary.
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { deploymentLines } from "../../src/commands/deployment-lines.js";
import { finishedLine, waitLines } from "../../src/commands/progress-block.js";
import { RunSummary } from "../../src/commands/run-summary.js";
import type { DeploymentView, InfraEvent } from "../../src/core/events.js";

const VALIDATION: InfraEvent = {
  resource: "acm-certificate",
  kind: "waiting",
  message: "validation CNAME _c41c570a1ae2cdd7778b41f286b6481a.startupwebapp.com. in sync",
  state: "PENDING",
  elapsedMs: 12_000,
};

const ROLLING: DeploymentView = {
  service: "startupwebapp-service",
  deployments: [
    {
      id: "ecs-svc/2",
      revision: "startupwebapp-service-task:8",
      followed: true,
      rolloutState: "IN_PROGRESS",
      running: 1,
      pending: 1,
      desired: 2,
      failed: 1,
    },
    {
      id: "ecs-svc/1",
      revision: "startupwebapp-service-task:7",
      followed: false,
      rolloutState: "COMPLETED",
      running: 2,
      pending: 0,
      desired: 2,
      failed: 0,
    },
  ],
  targets: { draining: 1, healthy: 2, initial: 1 },
  lastStopped: { task: "4f3a2b1c9d8e7f6a5b4c3d2e1f0a9b8c", reason: "Essential container in task exited" },
};

describe("a wait's line", () => {
  it.each([80, 40])(
    "given %i columns, then what is awaited is shortened in its middle and the time stays",
    (columns) => {
      const [line = ""] = waitLines(VALIDATION, columns, false);
      expect(line.length).toBeLessThanOrEqual(columns);
      // Narrow, the state gives way to what is awaited; the time always stays.
      expect(line).toMatch(
        columns === 80
          ? /^… acm-certificate: validation CNAME _c4\S*…\S*\.com\. in sync \(PENDING, 12 s\)$/
          : /^… acm-certificate: valid\S*…\S* sync \(12 s\)$/,
      );
    },
  );

  it("given a deployment, then its line says what and how long, and a table follows", () => {
    const lines = waitLines(
      {
        resource: "deploy",
        kind: "waiting",
        message: "deployment ecs-svc/2 of startupwebapp-service",
        state: "IN_PROGRESS",
        elapsedMs: 95_000,
        deployment: ROLLING,
      },
      80,
      false,
    );
    expect(lines).toEqual([
      "… deploy: deployment ecs-svc/2 of startupwebapp-service (1 m 35 s)",
      "    new  revision 8  IN_PROGRESS  1/2 running  1 pending, 1 failed",
      "    old  revision 7  COMPLETED    2/2 running",
      "    targets: 2 healthy, 1 initial, 1 draining",
      "    last stopped: task 4f3a2b1c…: Essential container in task exited",
    ]);
  });

  it("given the deployment's phase, then its line says it before the time: the old tasks draining, say", () => {
    const draining: DeploymentView = {
      ...ROLLING,
      phase: "draining",
      deployments: ROLLING.deployments.map((d) => ({ ...d, running: d.followed ? 2 : 0, desired: d.followed ? 2 : 0 })),
    };
    const wait = { resource: "deploy", kind: "waiting", message: "deployment ecs-svc/2 of startupwebapp-service" };
    const [line] = waitLines({ ...wait, kind: "waiting", elapsedMs: 400_000, deployment: draining }, 80, false);
    expect(line).toBe("… deploy: deployment ecs-svc/2 of startupwebapp-service (draining, 6 m 40 s)");
    // Where there is no room for both, the time stays.
    const [narrow = ""] = waitLines({ ...wait, kind: "waiting", elapsedMs: 400_000, deployment: draining }, 40, false);
    expect(narrow).toMatch(/\(6 m 40 s\)$/);
  });
});

describe("a deployment's table", () => {
  it("given a narrow terminal, then it is set tighter and the reason is cut to the width", () => {
    const lines = deploymentLines(
      {
        ...ROLLING,
        lastStopped: {
          task: "4f3a2b1c",
          reason: "CannotPullContainerError: pull image manifest has been retried 5 time(s)",
        },
      },
      40,
      false,
    );
    expect(lines[0]).toBe("  new  rev 8  IN_PROGRESS  1/2 running  1 pending, 1 failed");
    expect(lines.at(-1)).toBe("  last stopped: task 4f3a2b1c: CannotPu…");
  });

  it("given colour, then a failed rollout, failed tasks, unhealthy targets and the stop reason are red", () => {
    const view: DeploymentView = {
      ...ROLLING,
      deployments: [{ ...(ROLLING.deployments[0] as DeploymentView["deployments"][0]), rolloutState: "FAILED" }],
      targets: { unhealthy: 2 },
    };
    const lines = deploymentLines(view, 80, true);
    expect(lines[0]).toContain("\x1b[31mFAILED");
    expect(lines[0]).toContain("\x1b[31m1 pending, 1 failed");
    expect(lines[1]).toContain("\x1b[31m2 unhealthy");
    expect(lines[2]).toContain("\x1b[31mEssential container");
    expect(lines.map((l) => stripVTControlCharacters(l))).toEqual(deploymentLines(view, 80, false));
  });
});

describe("a finished step's line", () => {
  it("given a message wider than the terminal, then it wraps under itself, indented", () => {
    const line = finishedLine(
      {
        resource: "alb",
        kind: "created",
        message: "security group rule tcp 8000 from startupwebapp-alb-sg on sg-0b0b0b0b0b0b0b0b0",
      },
      40,
      false,
    );
    expect(line).toBe(
      "+ alb: security group rule tcp 8000 from\n    startupwebapp-alb-sg on\n    sg-0b0b0b0b0b0b0b0b0\n",
    );
  });

  it("given colour, then + is green, ~ yellow and - red, and NO_COLOR's plain text otherwise", () => {
    const line = (kind: InfraEvent["kind"], colour: boolean) =>
      finishedLine({ resource: "alb", kind, message: "x" }, 80, colour);
    expect(line("created", true)).toBe("\x1b[32m+\x1b[39m alb: x\n");
    expect(line("updated", true)).toBe("\x1b[33m~\x1b[39m alb: x\n");
    expect(line("deleted", true)).toBe("\x1b[31m-\x1b[39m alb: x\n");
    expect(line("created", false)).toBe("+ alb: x\n");
  });
});

describe("the summary at the end of a run", () => {
  it("given a certificate wait, then a deployment that began after it, then it names both as what set the total", () => {
    let now = 0;
    const summary = new RunSummary({ now: () => now, sleep: async () => {} });
    const at = (s: number, e: InfraEvent) => {
      now = s * 1000;
      summary.note(e);
    };
    const wait = (resource: string, message: string, elapsed: number): InfraEvent => ({
      resource,
      kind: "waiting",
      message,
      state: "x",
      elapsedMs: elapsed * 1000,
    });
    at(1, { resource: "acm-certificate", kind: "created", message: "certificate" });
    at(2, { resource: "alb", kind: "created", message: "load balancer" });
    at(3, wait("acm-certificate", "certificate ISSUED", 0));
    at(3, wait("alb", "load balancer active", 0));
    at(150, wait("alb", "load balancer active", 147));
    at(153, { resource: "alb", kind: "created", message: "listener HTTP:80" });
    at(240, wait("acm-certificate", "certificate ISSUED", 237));
    at(243, { resource: "acm-certificate", kind: "exists", message: "certificate ISSUED" });
    at(244, { resource: "alb", kind: "created", message: "listener HTTPS:443" });
    at(250, wait("ecs-service", "deployment ecs-svc/1 of web", 0));
    at(420, wait("ecs-service", "deployment ecs-svc/1 of web", 170));
    at(425, { resource: "ecs-service", kind: "updated", message: "deployment completed" });
    at(426, { resource: "all", kind: "warning", message: "not a step" });
    now = 430_000;

    const lines = summary.lines(80, false);

    expect(lines).toEqual([
      "Took 7 m 10 s: 4 created, 1 updated.",
      "  acm-certificate  4 m 02 s  +1",
      "  alb              4 m 02 s  +3",
      "  ecs-service      2 m 55 s  ~1",
      "The waits that set the total: acm-certificate: certificate ISSUED (4\u00a0m\u00a000\u00a0s),",
      "    then ecs-service: deployment ecs-svc/1 of web (2\u00a0m\u00a055\u00a0s).",
    ]);
  });

  it("given a narrow terminal, then a step's long name gives way in its middle, its time and changes stay", () => {
    let now = 0;
    const summary = new RunSummary({ now: () => now, sleep: async () => {} });
    summary.note({ resource: "ecs-service-task-definition", kind: "created", message: "log group" });
    now = 65_000;
    summary.note({ resource: "ecs-service-task-definition", kind: "created", message: "task definition" });

    for (const columns of [40, 30]) {
      const [took, step = ""] = summary.lines(columns, false);
      expect(took).toBe("Took 1 m 05 s: 2 created.");
      expect(step).toMatch(/^ {2}ecs-se\S*…\S*ition {2}1 m 05 s {2}\+2$/);
      expect(step.length).toBe(columns);
    }
  });

  it("given a run that reported nothing, then there is no summary", () => {
    expect(new RunSummary({ now: () => 0, sleep: async () => {} }).lines(80, false)).toEqual([]);
  });
});
