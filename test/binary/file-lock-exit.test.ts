// A process that exits (Ctrl-C twice exits at once) while it takes, holds or lets go of a file lock, or while it saves
// the sandbox account: what it leaves.
// Each case is a real Node process on the built module, exiting at that moment as a signal handler would.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const FILE_LOCK_MODULE = fileURLToPath(new URL("../../dist/src/core/file-lock.js", import.meta.url));
const ACCOUNT_FILE_MODULE = fileURLToPath(new URL("../../dist/src/sandbox/account-file.js", import.meta.url));
const AWS_FAKE_MODULE = fileURLToPath(new URL("../../dist/src/sandbox/aws/aws-fake.js", import.meta.url));
const RUN_LOCK_MODULE = fileURLToPath(new URL("../../dist/src/core/run-lock.js", import.meta.url));

/** Runs `body` in a new process with `lock` imported and `path` the lock's path; the folder's files after it exits. */
function exiting(body: string): { status: number | null; left: string[] } {
  const folder = mkdtempSync(join(tmpdir(), "infra-lock-exit-"));
  const path = join(folder, "aws-resources.env.lock");
  const script = `const { lock } = await import(${JSON.stringify(FILE_LOCK_MODULE)});
const path = ${JSON.stringify(path)};
${body}`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  return { status: run.status, left: readdirSync(folder) };
}

describe("a process that exits during a file lock", () => {
  it("removes the lock it holds", () => {
    expect(exiting("await lock(path); process.exit(130);")).toEqual({ status: 130, left: [] });
  });

  it("removes its lock when it exits once the lock's file is there, before the lock is taken", () => {
    const body = `const exitOnceThere = () => (existsSync(path) ? process.exit(130) : setImmediate(exitOnceThere));
const { existsSync } = await import("node:fs");
exitOnceThere();
void lock(path);`;

    expect(exiting(body)).toEqual({ status: 130, left: [] });
  });

  it("removes its lock when it exits while letting the lock go", () => {
    const body = `const release = await lock(path);
void release();
setImmediate(() => process.exit(130));`;

    expect(exiting(body)).toEqual({ status: 130, left: [] });
  });

  it("leaves a lock another process took over from it", () => {
    // Taken over (we were thought gone): the file now names another process.
    const theirs = JSON.stringify({ pid: 1, host: "elsewhere", at: 1 });
    const folder = exiting(`await lock(path);
(await import("node:fs")).writeFileSync(path, ${JSON.stringify(theirs)});
process.exit(130);`);

    expect(folder).toEqual({ status: 130, left: ["aws-resources.env.lock"] });
  });
});

describe("a process that exits while it saves the sandbox account", () => {
  it("leaves the account saved whole, and no temporary file beside it", () => {
    const folder = mkdtempSync(join(tmpdir(), "infra-save-exit-"));
    const path = join(folder, "infra-sandbox.state.json");
    const script = `const { AwsFake } = await import(${JSON.stringify(AWS_FAKE_MODULE)});
const { saveAccount } = await import(${JSON.stringify(ACCOUNT_FILE_MODULE)});
const { readdirSync } = await import("node:fs");
const path = ${JSON.stringify(path)};
// Exits at the first turn of the event loop that finds anything of the save in the folder.
const exitOnceWriting = () => (readdirSync(${JSON.stringify(folder)}).length > 0 ? process.exit(130) : setImmediate(exitOnceWriting));
exitOnceWriting();
void saveAccount(path, new AwsFake());`;

    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });

    expect(run.stderr).toBe("");
    expect(run.status).toBe(130);
    expect(readdirSync(folder)).toEqual(["infra-sandbox.state.json"]);
  });
});

describe("a process that exits while it writes the stack's claim on an env file", () => {
  it("leaves the claim whole, and no temporary file nor lock beside it", () => {
    const folder = mkdtempSync(join(tmpdir(), "infra-claim-exit-"));
    const owner = {
      id: "c1",
      command: "infra create all",
      host: "here",
      pid: 1,
      takenAt: "2026-12-06T00:00:00.000Z",
      expiresAt: "2026-12-06T00:05:00.000Z",
    };
    const script = `const { RunLock } = await import(${JSON.stringify(RUN_LOCK_MODULE)});
const { readdirSync } = await import("node:fs");
// Exits at the first turn of the event loop that finds anything of the claim in the folder.
const exitOnceWriting = () => (readdirSync(${JSON.stringify(folder)}).some((f) => f.includes(".run.lock")) ? process.exit(130) : setImmediate(exitOnceWriting));
exitOnceWriting();
void new RunLock(${JSON.stringify(join(folder, "aws-resources.env"))}).swap("", ${JSON.stringify(owner)});`;

    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });

    expect(run.stderr).toBe("");
    expect(run.status).toBe(130);
    expect(readdirSync(folder)).toEqual(["aws-resources.env.run.lock"]);
  });
});
