import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import fsp from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EnvFile } from "../../src/core/env-file.js";
import { InputError } from "../../src/core/errors.js";
import { withLock } from "../../src/core/file-lock.js";
import { releaseClaims } from "../../src/core/held-claims.js";
import { readText, tempEnvFile } from "../helpers.js";

afterEach(() => vi.restoreAllMocks());

/** The pid of a process that has already exited: what a `kill -9` leaves behind. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

describe("the env file on disk", () => {
  it("records values and reads them back, treating empty as unset", async () => {
    const path = tempEnvFile('A=""\nB="1"\n');
    const env = await EnvFile.load(path);
    expect([env.get("A"), env.get("B")]).toEqual([undefined, "1"]);
    await env.record({ A: "x", C: "y" });
    expect(readText(path)).toBe('A="x"\nB="1"\nC="y"\n');
    expect((await EnvFile.load(path)).get("C")).toBe("y");
  });

  it("leaves the old file whole, and no temp file, when the rename fails", async () => {
    const path = tempEnvFile('A="old"\n');
    const env = await EnvFile.load(path);
    vi.spyOn(fsp, "rename").mockRejectedValueOnce(Object.assign(new Error("killed"), { code: "EIO" }));

    await expect(env.record({ A: "new" })).rejects.toThrow("killed");

    expect(readText(path)).toBe('A="old"\n');
    expect(readdirSync(dirname(path))).toEqual(["aws-resources.env"]);
  });

  it("loses no update when one writer goes through a symlink and another through the real path", async () => {
    const path = tempEnvFile("# shared\n");
    const link = join(dirname(path), "link.env");
    symlinkSync(path, link);
    const [viaLink, viaFile] = await Promise.all([EnvFile.load(link), EnvFile.load(path)]);

    await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => viaLink.record({ [`L${i}`]: `l${i}` })),
      ...Array.from({ length: 50 }, (_, i) => viaFile.record({ [`F${i}`]: `f${i}` })),
    ]);

    const after = await EnvFile.load(path);
    for (let i = 0; i < 50; i++) expect([after.get(`L${i}`), after.get(`F${i}`)]).toEqual([`l${i}`, `f${i}`]);
    expect(readText(link)).toBe(readText(path)); // the link still points at the file, not a copy beside it
  });

  it("compares under the lock: a value another process changed since is written again", async () => {
    const path = tempEnvFile('A="1"\n');
    const ours = await EnvFile.load(path);
    await (await EnvFile.load(path)).record({ A: "2" });

    await ours.record({ A: "1" });

    expect(readText(path)).toBe('A="1"\n');
  });

  it("does not rewrite the file when it already holds every value", async () => {
    const path = tempEnvFile('A="1"\n');
    const env = await EnvFile.load(path);
    const rename = vi.spyOn(fsp, "rename");
    await env.record({ A: "1", NEVER_HAD: "" });
    expect(rename).not.toHaveBeenCalled();
    await env.record({ A: "2" });
    expect(rename).toHaveBeenCalledTimes(1);
    expect(readText(path)).toBe('A="2"\n');
  });

  it("takes over at once, and says so, the lock of a process that is gone, and removes its temp file", async () => {
    const path = tempEnvFile('A="1"\n');
    const gone = deadPid();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: gone, host: hostname(), at: Date.now() }));
    writeFileSync(`${path}.${gone}.infra-tmp`, "half");
    const env = await EnvFile.load(path);
    const notices: string[] = [];
    env.notice = (m) => notices.push(m);
    const started = Date.now();

    await env.record({ A: "2" });

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(readText(path)).toBe('A="2"\n');
    expect(notices).toEqual([
      `took over the env file lock of infra process ${gone}, which is gone`,
      `removed aws-resources.env.${gone}.infra-tmp, left by infra process ${gone}, which is gone`,
    ]);
    expect(readdirSync(dirname(path))).toEqual(["aws-resources.env"]);
  });

  it("waits for a live holder to finish instead of taking its lock", async () => {
    const path = tempEnvFile('A="1"\n');
    const env = await EnvFile.load(path);
    const order: string[] = [];

    let waiting: Promise<unknown> = Promise.resolve();
    await withLock(path, async () => {
      waiting = env.record({ A: "2" }).then(() => order.push("recorded"));
      await new Promise((r) => setTimeout(r, 200));
      order.push("holder done");
    });
    await waiting;

    expect(order).toEqual(["holder done", "recorded"]);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("reports a folder it cannot write as such, never as a lock held by someone else", async () => {
    const path = tempEnvFile('A="1"\n');
    const env = await EnvFile.load(path);
    vi.spyOn(fsp, "access").mockRejectedValue(Object.assign(new Error("denied"), { code: "EACCES" }));

    await expect(env.claim("create all")).rejects.toThrow(InputError);
    await expect(env.claim("create all")).rejects.toThrow(/cannot write .*aws-resources\.env \(EACCES\)/);
  });

  it("lets one process at a time claim the stack of an env file, and another claim it once let go", async () => {
    const path = tempEnvFile('A="1"\n');
    const env = await EnvFile.load(path);
    // Another process, alive on this host (this test's parent), holds the claim: this one stops at once, exit 2.
    const other = { pid: process.ppid, host: hostname(), at: Date.now() };
    writeFileSync(
      `${path}.run.lock`,
      JSON.stringify({
        ...other,
        id: "0badc0de",
        command: "deploy",
        takenAt: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      }),
    );

    await expect(env.claim("create all")).rejects.toMatchObject({ exitCode: 2 });
    await expect(env.claim("create all")).rejects.toThrow(
      new RegExp(
        `^the stack is claimed by infra deploy \\(process ${process.ppid} on ${hostname()}\\), claim 0badc0de taken `,
      ),
    );

    rmSync(`${path}.run.lock`);
    await env.claim("create all");
    expect(JSON.parse(readFileSync(`${path}.run.lock`, "utf8")).pid).toBe(process.pid);
    expect(await releaseClaims()).toEqual([]);
    expect(existsSync(`${path}.run.lock`)).toBe(false);
  });

  it("says plainly when the file does not exist", async () => {
    await expect(EnvFile.load("/nonexistent/aws-resources.env")).rejects.toThrow(InputError);
    await expect(EnvFile.load("/nonexistent/aws-resources.env")).rejects.toThrow(
      "env file /nonexistent/aws-resources.env not found",
    );
  });
});
