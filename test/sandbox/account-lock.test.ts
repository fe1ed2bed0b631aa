// The sandbox account's lock: held for as long as its process serves, so a holder that is gone is taken over at
// once, one that is only old is not, and a lock file left empty by a process killed while making it is not forever.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/core/errors.js";
import { lockAccount } from "../../src/sandbox/account-file.js";

const statePath = () => join(mkdtempSync(join(tmpdir(), "infra-sandbox-lock-")), "infra-sandbox.state.json");

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("the sandbox account's lock", () => {
  it("refuses a second holder while the first lives, naming it, exit 2", async () => {
    const path = statePath();
    const release = await lockAccount(path);

    const second = lockAccount(path, 300);

    await expect(second).rejects.toMatchObject({
      exitCode: ExitCode.input,
      message: expect.stringMatching(`is in use by infra process ${process.pid}$`),
    });
    await release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("does not take over a live holder's lock however old it is: a sandbox is served for hours", async () => {
    const path = statePath();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), at: 0 }));

    await expect(lockAccount(path, 300)).rejects.toThrow(/is in use by infra process/);
    expect(JSON.parse(readFileSync(`${path}.lock`, "utf8")).at).toBe(0);
  });

  it("takes over the lock of a process that is gone", async () => {
    const path = statePath();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), at: Date.now() }));

    const release = await lockAccount(path, 300);

    expect(JSON.parse(readFileSync(`${path}.lock`, "utf8")).pid).toBe(process.pid);
    await release();
  });

  it("takes over a lock file left empty by a process killed while making it, once it is a few seconds old", async () => {
    const path = statePath();
    writeFileSync(`${path}.lock`, "");
    const old = new Date(Date.now() - 10_000);
    utimesSync(`${path}.lock`, old, old);

    const release = await lockAccount(path, 300);

    expect(JSON.parse(readFileSync(`${path}.lock`, "utf8")).pid).toBe(process.pid);
    await release();
  });
});
