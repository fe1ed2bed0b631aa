// A bug in infra itself, through the built binary: the exit code (70), the one line that says it is a bug, the trace
// under --verbose and the --json document are what the real process prints. The bug is made by a module Node loads
// before infra (--import) that has every EC2 call answer nothing, so infra's own code reads a property of undefined;
// test/bug-exit-code.test.ts has the same in process, and what still counts as AWS failing.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { tempEnvFile } from "../helpers.js";
import { CLI, isolatedEnv, runBinary } from "./support.js";

/** A module for Node's --import that makes every EC2 call resolve to undefined (an SDK call always answers an object). */
function ec2AnswersNothing(): string {
  const sdk = createRequire(import.meta.url).resolve("@aws-sdk/client-ec2");
  const path = join(mkdtempSync(join(tmpdir(), "infra-bug-")), "ec2-answers-nothing.mjs");
  writeFileSync(
    path,
    [
      'import { createRequire } from "node:module";',
      `const { EC2Client } = createRequire(import.meta.url)(${JSON.stringify(sdk)});`,
      "EC2Client.prototype.send = async () => undefined;",
    ].join("\n"),
  );
  return pathToFileURL(path).href;
}

/** A module for Node's --import holding `code`. */
function preload(code: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "infra-bug-")), "preload.mjs");
  writeFileSync(path, `${code}\n`);
  return pathToFileURL(path).href;
}

const CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "not-a-secret" };

const verifyAlb = (...extra: string[]) =>
  runBinary(["verify", "alb", "-f", tempEnvFile(), "--endpoint-url", "http://127.0.0.1:1", ...extra], {
    env: isolatedEnv(CREDENTIALS),
    nodeArgs: ["--import", ec2AnswersNothing()],
    killAfterMs: 30_000,
  });

describe("a bug in infra itself, through the binary", () => {
  it("exits 70 with one line saying it is a bug, what infra was doing, and to run again with --verbose", async () => {
    const result = await verifyAlb();

    expect(result.code).toBe(70);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^error: a bug in infra, not an AWS refusal nor a mistake in the input \(while: find security groups startupwebapp-alb-sg\): TypeError: .+ - run the same command with --verbose for the stack trace, and report it with that\n$/,
    );
  });

  it("shows the stack trace with --verbose", async () => {
    const result = await verifyAlb("--verbose");

    expect(result.code).toBe(70);
    expect(result.stderr).toMatch(/^TypeError: Cannot read properties of undefined/m);
    // The shipped executable joins infra's modules (dist/bin): the frames name infra's own functions.
    expect(result.stderr).toMatch(/^\s+at (async )?findSecurityGroup .*dist\/bin\//m);
    expect(result.stderr).toMatch(/^\s+at .*observeAlb .*dist\/bin\//m);
  });

  it("says so in the one --json document", async () => {
    const result = await verifyAlb("--json");

    expect(result.code).toBe(70);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      exitCode: 70,
      error: expect.stringMatching(/^a bug in infra/),
    });
  });

  it("exits 70 saying to reinstall, not blaming AWS, when a part of infra's own code is missing", () => {
    // The part plan runs (its action), missing when the command loads it.
    const result = withoutPart("function monthlyCost(", ["plan", "all", "-f", tempEnvFile()]);

    expect(result.status).toBe(70);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: infra could not load its own code for plan: .* - reinstall infra/);
    expect(lines[0]).not.toMatch(/Require stack|\\n/);
  });

  it("exits 70 saying to reinstall when the part is one the command loads later, naming it and what needed it", () => {
    // The cost estimate, loaded once cost has read the env file.
    const result = withoutPart("function estimateMonthlyCost(", ["cost", "-f", tempEnvFile()]);

    expect(result.status).toBe(70);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: infra could not load its own code: Cannot find module '[^']*estimate-[^']+\.js'.* \(needed by [^ ]+\.js\) - reinstall infra/,
    );
    expect(lines[0]).not.toMatch(/Require stack|\\n/);
  });

  it("exits 70 saying it is a bug, not 0 in silence, when the command stops with nothing left to wait for", async () => {
    // Every wait in infra ends (AWS calls and polls have timers); this one never does: the env file's real path.
    const result = await runBinary(["status", "-f", tempEnvFile()], {
      env: isolatedEnv(),
      nodeArgs: [
        "--import",
        preload('(await import("node:fs/promises")).default.realpath = () => new Promise(() => {});'),
      ],
      killAfterMs: 30_000,
    });

    expect(result.code).toBe(70);
    expect(result.stderr.trim().split("\n")).toEqual([
      "error: a bug in infra: the command stopped with nothing left to wait for, and no answer - report it with the command you ran",
    ]);
  });
});

/** The built binary run from a copy of its files beside dist/bin (node_modules resolves the same), less the part
 * whose code holds `marker`. */
function withoutPart(marker: string, args: string[]) {
  const copy = mkdtempSync(join(dirname(dirname(CLI)), "bin-cut-"));
  try {
    cpSync(dirname(CLI), copy, { recursive: true });
    const part = readdirSync(copy).find((f) => readFileSync(join(copy, f), "utf8").includes(marker));
    expect(part).toBeDefined();
    rmSync(join(copy, part as string));
    return spawnSync(process.execPath, ["--", join(copy, "infra.js"), ...args], {
      env: isolatedEnv(),
      encoding: "utf8",
    });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
