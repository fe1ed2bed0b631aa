import { describe, expect, it } from "vitest";
import { progressRenderer } from "../../src/commands/render.js";
import { systemClock } from "../../src/core/clock.js";

function capture(stderrIsTTY: boolean) {
  let out = "";
  const render = progressRenderer(
    {
      stdout: () => {},
      stderr: (t) => {
        out += t;
      },
      stderrIsTTY,
      stdinIsTTY: false,
      ask: async () => "",
    },
    systemClock,
  );
  return { render, out: () => out };
}

describe("progress off a terminal (CI logs)", () => {
  it("prints timestamped lines off a terminal, a wait only when its state changes or every 30 s", () => {
    const { render, out } = capture(false);
    for (const [state, ms] of [
      ["provisioning", 0],
      ["provisioning", 10_000],
      ["provisioning", 31_000],
      ["active", 40_000],
    ] as const) {
      render({ resource: "alb", kind: "waiting", message: "load balancer active", state, elapsedMs: ms });
    }
    const lines = out().trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] … alb: waiting for load balancer active \(provisioning, 0 s\)$/);
    expect(lines[2]).toMatch(/\(active, 40 s\)$/);
  });

  it("prints a deployment's wait as one line with its state, as before the terminal's table existed", () => {
    const { render, out } = capture(false);
    render({
      resource: "ecs-service",
      kind: "waiting",
      message: "deployment ecs-svc/1 of web",
      state: "IN_PROGRESS 1/2 running, 1 pending",
      elapsedMs: 5_000,
      deployment: {
        service: "web",
        deployments: [
          { id: "ecs-svc/1", revision: "web:2", followed: true, running: 1, pending: 1, desired: 2, failed: 0 },
        ],
        targets: { initial: 1 },
      },
    });
    expect(out()).toMatch(
      /^\[\d\d:\d\d:\d\d\] … ecs-service: waiting for deployment ecs-svc\/1 of web \(IN_PROGRESS 1\/2 running, 1 pending, 5 s\)\n$/,
    );
  });
});
