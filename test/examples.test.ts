import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDuration } from "../src/commands/options.js";

const workflow = readFileSync("examples/github-actions-deploy.yml", "utf8");

describe("the example CI workflow", () => {
  it("gives the job more time than its steps' limits add up to, and the deploy step room for each of its waits", () => {
    const [job, ...steps] = [...workflow.matchAll(/^\s+timeout-minutes: (\d+)$/gm)].map((m) => Number(m[1]));
    const stepsTotal = steps.reduce((a, b) => a + b, 0);
    expect(stepsTotal).toBeLessThanOrEqual(job ?? 0);
    // deploy --migrate waits at most three times (migration, deployment, the way back), each up to --timeout.
    const deploy = workflow.match(/timeout-minutes: (\d+)\n\s+run: infra deploy .*--timeout (\S+)/);
    expect(deploy).not.toBeNull();
    const waits = (3 * parseDuration(deploy?.[2] ?? "")) / 60_000;
    expect(Number(deploy?.[1])).toBeGreaterThan(waits);
  });

  it("commits nothing back: the known-good marks live in AWS", () => {
    expect(workflow).toMatch(/contents: read/);
    expect(workflow).not.toMatch(/git (commit|push)/);
  });
});
