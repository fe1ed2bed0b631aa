// The example GitHub Actions workflows (examples/github-actions/) run, step by step, against the sandbox from a
// checkout that holds no env file: only the committed inputs (production.env, no ids, no secrets) and the
// INFRA_STATE secret naming the stack's record, which a laptop made with `infra state init`. Each `run:` block
// runs in bash as the runner would, with `infra` the built binary under --sandbox, `docker push` landing in the
// sandbox's ECR and `npm`/`docker build` doing nothing; `uses:` steps (checkout, credentials, node) are the runner's.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { sandboxEnvText } from "../../src/sandbox/account.js";
import { CLI, isolatedEnv } from "../binary/support.js";
import { openE2e } from "./support.js";

const EXAMPLES = "examples/github-actions";
const LOOPBACK_ONLY = fileURLToPath(new URL("./loopback-only.cjs", import.meta.url));
const SHA = "3f2a9c1d5e7b8a6f4c2d0e1b9a8c7d6e5f4a3b2c";

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
}

/** The committed inputs as the sandbox's stack has them: the example's keys, the sandbox's values where it has one. */
function committedInputs(): string {
  const sandbox = sandboxEnvText();
  const lines = readFileSync(join(EXAMPLES, "production.env"), "utf8")
    .split("\n")
    .filter((l) => /^[A-Z0-9_]+=/.test(l))
    .map((l) => {
      const key = l.split("=")[0] as string;
      const theirs = new RegExp(`^${key}="([^"]+)"$`, "m").exec(sandbox)?.[1];
      return theirs ? `${key}="${theirs}"` : l;
    });
  // The one line only the sandbox needs: --sandbox runs only on a file that says it is the sandbox's.
  return `INFRA_SANDBOX="true"\n${lines.join("\n")}\n`;
}

/** `infra`, `docker` and `npm` as the runner's steps meet them, in a folder put first on PATH. */
function shims(pushed: string, called: string): string {
  const bin = mkdtempSync(join(tmpdir(), "infra-ci-bin-"));
  const put = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  put("infra", `echo "$*" >> "${called}"\nexec "${process.execPath}" "${CLI}" --sandbox "$@"`);
  put("docker", `[ "$1" = push ] && echo "$2" >> "${pushed}"; exit 0`);
  put("npm", "exit 0");
  return bin;
}

/** A step's script, as GitHub's `bash` shell runs it (bash --noprofile --norc -eo pipefail), the sandbox answering meanwhile. */
function bash(script: string, cwd: string, env: Record<string, string>) {
  const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], { cwd, env });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (d) => {
    out.stdout += d;
  });
  child.stderr.on("data", (d) => {
    out.stderr += d;
  });
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (status) => resolve({ status, ...out })),
  );
}

/** `${{ a.b.c }}` from what the runner knows at that step; anything else fails the test rather than pass unseen. */
function expand(text: string, context: Record<string, unknown>): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, path: string) => {
    const value = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], context);
    if (typeof value !== "string") throw new Error(`the test does not know \${{ ${path} }}`);
    return value;
  });
}

describe("the example workflows, run against the sandbox from a checkout with no env file", {
  timeout: 600_000,
}, () => {
  it("deploy on push, roll back by hand and drill the database, from the committed inputs and the store alone", async () => {
    const e2e = await openE2e();
    try {
      // Once, on the laptop that made the stack: the store, from its env file.
      expect((await e2e.run(["create", "all", "--yes"])).code).toBe(0);
      const init = await e2e.run(["state", "init"]);
      expect(init.code, init.stderr).toBe(0);
      const url = /^INFRA_STATE="([^"]+)"$/m.exec(init.stdout)?.[1] as string;

      const checkout = mkdtempSync(join(tmpdir(), "infra-ci-checkout-"));
      mkdirSync(join(checkout, "infra"));
      writeFileSync(join(checkout, "infra", "production.env"), committedInputs());
      const pushed = join(checkout, "..", `pushed-${SHA.slice(0, 8)}`);
      writeFileSync(pushed, "");
      const called = join(checkout, "..", `called-${SHA.slice(0, 8)}`);
      writeFileSync(called, "");
      const path = `${shims(pushed, called)}:${process.env.PATH}`;
      const secrets = { INFRA_STATE: url };
      let ran = 0;
      const images: string[] = [];

      const runWorkflow = async (file: string, inputs: Record<string, string>) => {
        const wf = parse(readFileSync(join(EXAMPLES, "workflows", file), "utf8")) as Workflow;
        const steps: Record<string, { outputs: Record<string, string> }> = {};
        for (const job of Object.values(wf.jobs))
          for (const step of job.steps) {
            if (!step.run) continue;
            const context = { secrets, inputs, steps, env: wf.env ?? {} };
            const output = join(checkout, "..", `output-${++ran}`);
            writeFileSync(output, "");
            const env = isolatedEnv({
              ...Object.fromEntries(
                Object.entries({ ...wf.env, ...step.env }).map(([k, v]) => [k, expand(v, context)]),
              ),
              PATH: path,
              INFRA_SANDBOX_URL: e2e.server.url,
              NODE_OPTIONS: `--require ${LOOPBACK_ONLY}`,
              GITHUB_SHA: SHA,
              GITHUB_OUTPUT: output,
              GITHUB_SERVER_URL: "https://github.com",
              GITHUB_REPOSITORY: "bartgottschalk/startup_web_app_server_side",
              GITHUB_RUN_ID: String(ran),
            });
            // GitHub's `bash` shell: bash --noprofile --norc -eo pipefail.
            const r = await bash(expand(step.run, context), checkout, env);
            expect(r.status, `${file}: ${step.run}\n${r.stdout}\n${r.stderr}`).toBe(0);
            if (step.id) {
              const lines = readFileSync(output, "utf8").split("\n").filter(Boolean);
              steps[step.id] = { outputs: Object.fromEntries(lines.map((l) => l.split(/=(.*)/s).slice(0, 2))) };
            }
            // What `docker push` sent lands in the sandbox's ECR, as a push to that repository would.
            for (const ref of readFileSync(pushed, "utf8").split("\n").filter(Boolean)) {
              images.push(ref);
              const [, repository, tag] = /\/([^/:]+):([^:]+)$/.exec(ref) ?? [];
              e2e.fake.ecr.push(repository as string, tag as string);
            }
            writeFileSync(pushed, "");
          }
      };

      await runWorkflow("deploy-production.yml", {});
      // The image went to the repository the stack's record names, as :<commit> and :latest, and runs now.
      expect(e2e.recorded("ECR_REPOSITORY_URI")).toMatch(/\/startupwebapp$/);
      const recordedHere = () => readFileSync(join(checkout, "infra", "production.env"), "utf8");
      expect(recordedHere()).toContain(`ECR_REPOSITORY_URI="${e2e.recorded("ECR_REPOSITORY_URI")}"`);
      const uri = e2e.recorded("ECR_REPOSITORY_URI");
      expect(images).toEqual([`${uri}:${SHA}`, `${uri}:latest`]);
      expect(recordedHere()).toMatch(/^ECS_SERVICE_TASK_DEFINITION_REVISION="2"$/m);

      await runWorkflow("rollback-production.yml", { confirm: "ROLLBACK", to: "" });
      expect(recordedHere()).toMatch(/^ECS_SERVICE_TASK_DEFINITION_REVISION="1"$/m);

      await runWorkflow("dr-drill.yml", {});
      expect(recordedHere()).toMatch(/^DR_LAST_SUCCESSFUL_DRILL="/m);

      // The laptop's next run starts from what CI recorded.
      expect((await e2e.run(["status"])).code).toBe(0);
      expect(e2e.recorded("ECS_SERVICE_TASK_DEFINITION_REVISION")).toBe("1");
      expect(e2e.recorded("DR_LAST_SUCCESSFUL_DRILL")).toBeDefined();
      // Every infra command of the three workflows ran, in order, on the committed inputs file.
      expect(readFileSync(called, "utf8").split("\n").filter(Boolean)).toEqual([
        "state pull -f infra/production.env ECR_REPOSITORY_URI",
        `deploy -f infra/production.env --image :${SHA} --migrate --timeout 20m --wait-for-claim 10m`,
        "rollback -f infra/production.env --timeout 20m --wait-for-claim 10m",
        "dr-drill -f infra/production.env --wait-for-claim 30m",
      ]);
    } finally {
      await e2e.server.close();
    }
  });
});
