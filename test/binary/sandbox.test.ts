// `--sandbox`, `infra sandbox reset` and `infra sandbox serve`, through the real binary in a folder of its own:
// the sandbox makes its env file and account on first use, keeps the account between processes, and its files
// never pass for a real stack's (nor a real env file for the sandbox's).
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isolatedEnv, runBinary, startBinary } from "./support.js";

const ENV_FILE = "aws-resources.sandbox.env";
const STATE_FILE = "infra-sandbox.state.json";
const EXAMPLE = join(import.meta.dirname, "..", "..", "aws-resources.env.example");

const folder = () => mkdtempSync(join(tmpdir(), "infra-sandbox-"));
const statusOf = (stdout: string) =>
  Object.fromEntries(
    (JSON.parse(stdout).resources as { resource: string; exists: string }[]).map((r) => [
      r.resource,
      r.exists === "yes",
    ]),
  );

describe("--sandbox, through the real binary", () => {
  it("makes its env file and account on first use, and the next process finds what the last one made", async () => {
    const cwd = folder();

    const first = await runBinary(["--sandbox", "status", "--json"], { cwd });

    expect(first.code).toBe(0);
    // Nothing of the stack yet: only the prerequisites (the hosted zone among them).
    expect(statusOf(first.stdout)).toMatchObject({
      alb: false,
      "ecs-service-task-definition": false,
      "ecs-service": false,
    });
    const env = readFileSync(join(cwd, ENV_FILE), "utf8");
    expect(env).toMatch(/^INFRA_SANDBOX="true"$/m);
    expect(env).toMatch(/^VPC_ID="vpc-[0-9a-f]+"$/m);
    expect(JSON.parse(readFileSync(join(cwd, STATE_FILE), "utf8")).about).toMatch(/sandbox.*not a real stack's state/);

    const made = await runBinary(["--sandbox", "create", "ecs-service-task-definition"], { cwd });
    const again = await runBinary(["--sandbox", "status", "--json"], { cwd });

    expect(made.code).toBe(0);
    expect(made.stderr).toMatch(/\+ ecs-service-task-definition: task definition startupwebapp-service-task$/m);
    expect(readFileSync(join(cwd, ENV_FILE), "utf8")).toMatch(/^ECS_SERVICE_TASK_DEFINITION_REVISION="1"$/m);
    expect(statusOf(again.stdout)["ecs-service-task-definition"]).toBe(true);
  });

  it("runs create all to its end when the reader of its output goes away (| head), and leaves no lock behind", async () => {
    const cwd = folder();
    const running = startBinary(["--sandbox", "create", "all"], { cwd, env: isolatedEnv() });
    await running.waitFor(/\+ alb: security group/, "stderr");

    // As `infra create all 2>&1 | head -3` does once it has its lines: the pipe's reading end closes.
    running.child.stdout?.destroy();
    running.child.stderr?.destroy();
    const ended = await running.ended;
    const status = await runBinary(["--sandbox", "status", "--json"], { cwd });

    expect(ended.code).toBe(0);
    expect(Object.values(statusOf(status.stdout)).every(Boolean), status.stdout).toBe(true);
    expect(readdirSync(cwd).filter((f) => f.endsWith(".lock") || f.endsWith(".tmp"))).toEqual([]);
  });

  it("on Ctrl-C under --json, prints one JSON document on stdout and only NDJSON on stderr (exit 130), leaving no lock", async () => {
    const cwd = folder();
    const running = startBinary(["--sandbox", "create", "all", "--json"], { cwd, env: isolatedEnv() });
    await running.waitFor(/"kind":"waiting"/, "stderr");

    running.child.kill("SIGINT");
    const ended = await running.ended;

    expect(ended.code).toBe(130);
    expect(JSON.parse(ended.stdout)).toEqual({ ok: false, error: "interrupted", exitCode: 130 });
    for (const line of ended.stderr.trimEnd().split("\n")) expect(() => JSON.parse(line), line).not.toThrow();
    expect(readdirSync(cwd).filter((f) => f.includes(".lock"))).toEqual([]);
  });

  it("on Ctrl-C twice in a row, exits 130 at once: one JSON document, and no claim nor lock left", async () => {
    const cwd = folder();
    const running = startBinary(["--sandbox", "create", "all", "--json"], { cwd, env: isolatedEnv() });
    await running.waitFor(/"kind":"waiting"/, "stderr");

    running.child.kill("SIGINT");
    running.child.kill("SIGINT");
    const ended = await running.ended;

    expect(ended.code).toBe(130);
    expect(JSON.parse(ended.stdout)).toEqual({ ok: false, error: "interrupted", exitCode: 130 });
    // Neither the stack's claim on its env file nor the lock on the sandbox's account.
    expect(readdirSync(cwd).filter((f) => f.includes(".lock"))).toEqual([]);
  });

  it("on a hang-up (SIGHUP: its terminal gone), stops as on Ctrl-C: exit 130, no claim nor lock left", async () => {
    const cwd = folder();
    const running = startBinary(["--sandbox", "create", "all"], { cwd, env: isolatedEnv() });
    await running.waitFor(/waiting for load balancer/, "stderr");

    running.child.kill("SIGHUP");
    const ended = await running.ended;

    expect(ended.code).toBe(130);
    expect(ended.stderr).toMatch(/^interrupted \(SIGHUP\)$/m);
    expect(readdirSync(cwd).filter((f) => f.includes(".lock"))).toEqual([]);
  });

  it("refuses to serve on a port in use: exit 2, one line saying so", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = taken.address() as { port: number };

      const result = await runBinary(["sandbox", "serve", "--port", String(port)], { cwd: folder() });

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`^error: port ${port} on 127\\.0\\.0\\.1 is in use - pick another`, "m"),
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it("refuses a sandbox env file without --sandbox with exit 2, changing nothing", async () => {
    const cwd = folder();
    await runBinary(["--sandbox", "status"], { cwd });
    const before = readFileSync(join(cwd, ENV_FILE), "utf8");

    for (const args of [["status"], ["create", "all"], ["plan", "all"], ["load-test", "--yes"]]) {
      const result = await runBinary([...args, "-f", ENV_FILE], { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error: env file aws-resources\.sandbox\.env is a sandbox env file .* add --sandbox/m,
      );
      expect(result.stdout).toBe("");
    }
    expect(readFileSync(join(cwd, ENV_FILE), "utf8")).toBe(before);
  });

  it.each([
    ["a real env file", ["-f", EXAMPLE], {}, /--sandbox runs on a sandbox env file, and .* is not one/],
    [
      "--endpoint-url",
      ["--endpoint-url", "http://127.0.0.1:4566"],
      {},
      /--sandbox and --endpoint-url do not go together/,
    ],
    ["--profile", ["--profile", "prod"], {}, /--sandbox and --profile do not go together/],
    ["another region", ["--region", "eu-west-1"], {}, /the sandbox is in us-east-1, not eu-west-1/],
    [
      "a served sandbox that is not local",
      [],
      { INFRA_SANDBOX_URL: "http://192.0.2.1:4566" },
      /not on the loopback address/,
    ],
    ["a served sandbox that does not answer", [], { INFRA_SANDBOX_URL: "http://127.0.0.1:9" }, /no sandbox answers at/],
  ])("refuses --sandbox with %s, exit 2, before starting anything", async (_what, args, env, message) => {
    const cwd = folder();

    const result = await runBinary(["--sandbox", "status", ...args], { cwd, env: isolatedEnv(env) });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(join(cwd, STATE_FILE))).toBe(false);
  });

  it("writes a runbook whose infra lines run as printed against the sandbox, and whose aws lines say how to reach it", async () => {
    // Given the sandbox's runbook,
    const cwd = folder();
    const runbook = await runBinary(["--sandbox", "runbook"], { cwd });
    expect(runbook.code, runbook.stderr).toBe(0);
    const lines = [...runbook.stdout.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => (m[1] ?? "").split("\n"));
    const infra = lines.filter((l) => l.startsWith("infra "));
    const aws = lines.filter((l) => l.startsWith("aws "));
    expect(infra.length).toBeGreaterThan(3);
    expect(aws.length).toBeGreaterThan(3);

    // then each infra line carries --sandbox, and one pasted as printed runs against the sandbox;
    for (const line of infra)
      expect(line).toMatch(/^infra --sandbox \S.* -f \.\/aws-resources\.sandbox\.env --region us-east-1$/);
    const status = infra.find((l) => l.startsWith("infra --sandbox status ")) as string;
    const pasted = await runBinary(status.split(" ").slice(1), { cwd });
    expect(pasted.code, `${status}: ${pasted.stderr}`).toBe(0);
    expect(pasted.stdout).toMatch(/ecs-service/);
    // each aws line names the served sandbox's endpoint, and the runbook says how to serve it.
    for (const line of aws) expect(line).toMatch(/ --endpoint-url "\$INFRA_SANDBOX_URL"( > [\w.-]+)?$/);
    expect(runbook.stdout).toMatch(
      /only while `infra sandbox serve` runs in another terminal, with INFRA_SANDBOX_URL exported as it prints it and the sandbox's credentials \(`export AWS_ACCESS_KEY_ID=AKIDSANDBOX AWS_SECRET_ACCESS_KEY=sandbox-not-a-secret`\)/,
    );
  });

  it("refuses load-test with --sandbox: it would send real requests, and the sandbox's stack has no endpoint", async () => {
    const cwd = folder();

    const result = await runBinary(["--sandbox", "load-test", "--yes"], { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: load-test sends real requests to the stack's endpoint/m);
  });

  it("starts over with sandbox reset, leaving any other env file alone", async () => {
    const cwd = folder();
    await runBinary(["--sandbox", "create", "ecs-service-task-definition"], { cwd });
    writeFileSync(join(cwd, "aws-resources.env"), readFileSync(EXAMPLE, "utf8"));

    const reset = await runBinary(["sandbox", "reset"], { cwd });
    const fresh = await runBinary(["--sandbox", "status", "--json"], { cwd });

    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/sandbox reset: removed .*infra-sandbox\.state\.json, .*aws-resources\.sandbox\.env/);
    expect(existsSync(join(cwd, "aws-resources.env"))).toBe(true);
    expect(statusOf(fresh.stdout)["ecs-service-task-definition"]).toBe(false);
  });

  it("serves one account to other processes with sandbox serve, and saves it when Ctrl-C stops it (exit 130)", async () => {
    const cwd = folder();
    const serve = startBinary(["sandbox", "serve"], { cwd });
    const [, url] = (await serve.waitFor(/^INFRA_SANDBOX_URL=(\S+)$/m, "stdout")) as [string, string];
    const env = isolatedEnv({ INFRA_SANDBOX_URL: url });

    const made = await runBinary(["--sandbox", "create", "ecs-service-task-definition"], { cwd, env });
    const seen = await runBinary(["--sandbox", "status", "--json"], { cwd, env });
    expect(made.code).toBe(0);
    expect(made.stderr).not.toMatch(/a local AWS at/); // it used the served one
    expect(statusOf(seen.stdout)["ecs-service-task-definition"]).toBe(true);
    await serve.waitFor(/ECS RegisterTaskDefinition 200/, "stderr");

    serve.child.kill("SIGINT");
    const ended = await serve.ended;

    expect(ended.code).toBe(130);
    const local = await runBinary(["--sandbox", "status", "--json"], { cwd });
    expect(statusOf(local.stdout)["ecs-service-task-definition"]).toBe(true);
  });

  it("lets one process at a time change the stack of an env file: a second create stops at once, exit 2, saying so", async () => {
    const cwd = folder();
    const serve = startBinary(["sandbox", "serve"], { cwd });
    try {
      const [, url] = (await serve.waitFor(/^INFRA_SANDBOX_URL=(\S+)$/m, "stdout")) as [string, string];
      const env = isolatedEnv({ INFRA_SANDBOX_URL: url });
      const first = startBinary(["--sandbox", "create", "all"], { cwd, env });
      await first.waitFor(/\+ alb: security group/, "stderr");

      const second = await runBinary(["--sandbox", "create", "alb", "--yes"], { cwd, env });
      const reading = await runBinary(["--sandbox", "status", "--json"], { cwd, env });
      const ended = await first.ended;

      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(
        /^error: the stack is claimed by infra create all \(process \d+ on \S+\), claim \S+ taken \d{4}-\d\d-\d\dT.*, its lease renewed until /m,
      );
      expect(reading.code).toBe(0); // reading needs no claim
      expect(ended.code, ended.stderr).toBe(0);
      expect(readdirSync(cwd).filter((f) => f.endsWith(".lock"))).toEqual(["infra-sandbox.state.json.lock"]);
      expect((await runBinary(["--sandbox", "create", "alb"], { cwd, env })).code).toBe(0);
    } finally {
      serve.child.kill("SIGINT");
      await serve.ended;
    }
  });

  it("under --json, says where it serves as NDJSON on stderr and prints one document on stdout when it stops", async () => {
    const serve = startBinary(["sandbox", "serve", "--json"], { cwd: folder() });
    const [, url] = (await serve.waitFor(/"kind":"serving","url":"([^"]+)"/, "stderr")) as [string, string];

    serve.child.kill("SIGINT");
    const ended = await serve.ended;

    expect(ended.code).toBe(130);
    expect(JSON.parse(ended.stdout)).toMatchObject({ ok: false, command: "sandbox serve", url, exitCode: 130 });
    for (const line of ended.stderr.trimEnd().split("\n")) expect(() => JSON.parse(line), line).not.toThrow();
  });
});
