import { describe, expect, it } from "vitest";
import { progressRenderer } from "../../src/commands/render.js";

function capture(stderrIsTTY: boolean) {
  let out = "";
  const render = progressRenderer({
    stdout: () => {},
    stderr: (t) => {
      out += t;
    },
    stderrIsTTY,
    stdinIsTTY: false,
    ask: async () => "",
  });
  return { render, out: () => out };
}

describe("progress", () => {
  it("shows every wait in progress on one redrawn line on a terminal", () => {
    const { render, out } = capture(true);
    render({
      resource: "alb",
      kind: "waiting",
      message: "load balancer active",
      state: "provisioning",
      elapsedMs: 35_000,
    });
    render({
      resource: "acm-certificate",
      kind: "waiting",
      message: "certificate ISSUED",
      state: "PENDING_VALIDATION",
      elapsedMs: 20_000,
    });
    const lastLine = out().split("\r\x1b[2K").at(-1);
    expect(lastLine).toBe(
      "… alb: load balancer active (provisioning, 35 s) | acm-certificate: certificate ISSUED (PENDING_VALIDATION, 20 s)",
    );
    render({ resource: "alb", kind: "created", message: "listener HTTP:80" });
    expect(out()).toContain("+ alb: listener HTTP:80\n");
    expect(out().split("\r\x1b[2K").at(-1)).toBe("… acm-certificate: certificate ISSUED (PENDING_VALIDATION, 20 s)");
  });

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
});
