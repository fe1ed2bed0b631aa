// The stack's claim on one machine (`<env file>.run.lock`): it names its owner and its dates, is renewed while its
// run lives, is taken over from a dead process or a lapsed lease with a line saying whose it was, is waited for
// with --wait-for-claim, and is removed by `infra unlock` only when it is over (or with --force).
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { type ClaimOwner, ciRunOf, unlockClaim } from "../../src/core/claim.js";
import { EnvFile } from "../../src/core/env-file.js";
import { isAlive } from "../../src/core/file-lock.js";
import { releaseClaims } from "../../src/core/held-claims.js";
import { RunLock } from "../../src/core/run-lock.js";
import { FakeClock } from "../../src/sandbox/aws/clock.js";
import { INPUTS, runCli, tempEnvFile, useFake } from "../helpers.js";

const LEASE = 60_000;

afterEach(async () => {
  await releaseClaims();
});

/** An env file whose claims run on a fake clock; what they say is collected. */
async function envOn(clock: FakeClock, path = tempEnvFile('A="1"\n')) {
  const env = await EnvFile.load(path);
  const said: string[] = [];
  env.notice = (m) => said.push(m);
  env.claims = { clock, leaseMs: LEASE, waiting: (what, state) => said.push(`waiting for ${what} (${state})`) };
  return { env, path, said, lock: () => JSON.parse(readFileSync(`${path}.run.lock`, "utf8")) as ClaimOwner };
}

/** A claim another process wrote. */
function plant(path: string, owner: Partial<ClaimOwner>, clock: FakeClock): ClaimOwner {
  const now = clock.now();
  const full: ClaimOwner = {
    id: "c1a1m0ld",
    command: "deploy",
    host: "ci-runner-7",
    pid: 4242,
    ciRun: "https://github.com/acme/app/actions/runs/99",
    takenAt: new Date(now - 10_000).toISOString(),
    expiresAt: new Date(now + LEASE).toISOString(),
    ...owner,
  };
  writeFileSync(`${path}.run.lock`, JSON.stringify(full));
  return full;
}

const deadPid = () => Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout);

describe("the stack's claim on one machine", () => {
  it("names its owner: the command, this host and process, the CI run, the full date taken and its lease", async () => {
    const clock = new FakeClock();
    const { env, lock } = await envOn(clock);
    env.claims.ciRun = ciRunOf({
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "acme/app",
      GITHUB_RUN_ID: "1234",
      GITHUB_RUN_ATTEMPT: "2",
    });

    await env.claim("deploy");

    expect(lock()).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}$/),
      command: "deploy",
      host: hostname(),
      pid: process.pid,
      ciRun: "https://github.com/acme/app/actions/runs/1234/attempts/2",
      takenAt: "2026-01-01T00:00:00Z",
      expiresAt: "2026-01-01T00:01:00Z",
    });
  });

  it("refuses a second run at once while the first lives, naming it, its date and its claim id (exit 2)", async () => {
    const clock = new FakeClock();
    const { env, path } = await envOn(clock);
    plant(path, { host: hostname(), pid: process.ppid }, clock);

    const refused = env.claim("create all");

    await expect(refused).rejects.toMatchObject({ exitCode: 2 });
    await expect(env.claim("create all")).rejects.toThrow(
      `the stack is claimed by infra deploy (process ${process.ppid} on ${hostname()}, https://github.com/acme/app/actions/runs/99), claim c1a1m0ld taken 2025-12-31T23:59:50.000Z, its lease renewed until 2026-01-01T00:01:00.000Z`,
    );
  });

  it("takes over at once the claim of a process gone from this host, saying whose it was", async () => {
    const clock = new FakeClock();
    const { env, path, said, lock } = await envOn(clock);
    const pid = deadPid();
    plant(path, { host: hostname(), pid }, clock);

    await env.claim("create all");

    expect(lock().pid).toBe(process.pid);
    expect(said).toEqual([
      expect.stringMatching(
        new RegExp(
          `^took over the stack's claim of infra deploy \\(process ${pid} on ${hostname()}, .*\\), claim c1a1m0ld taken .*: its process is gone$`,
        ),
      ),
    ]);
  });

  it("takes over another host's claim only once its lease ran out: a killed CI container does not wedge the stack", async () => {
    const clock = new FakeClock();
    const { env, path, said, lock } = await envOn(clock);
    plant(path, {}, clock); // ci-runner-7: its process cannot be asked about from here

    await expect(env.claim("create all")).rejects.toThrow(/claimed by infra deploy \(process 4242 on ci-runner-7/);
    clock.advance(LEASE + 1);
    await env.claim("create all");

    expect(lock().host).toBe(hostname());
    expect(said.at(-1)).toBe(
      "took over the stack's claim of infra deploy (process 4242 on ci-runner-7, https://github.com/acme/app/actions/runs/99), claim c1a1m0ld taken 2025-12-31T23:59:50.000Z: its lease ran out at 2026-01-01T00:01:00.000Z",
    );
  });

  it("waits up to --wait-for-claim for a live claim, showing whose it is, and takes it once let go", async () => {
    const clock = new FakeClock();
    const { env, path, said, lock } = await envOn(clock);
    plant(path, {}, clock);
    const otherRunEnds = async () => {
      await clock.sleep(30_000);
      rmSync(`${path}.run.lock`);
    };

    await Promise.all([otherRunEnds(), env.claim("create all", 120_000)]);

    expect(lock().command).toBe("create all");
    expect(said[0]).toBe(
      "waiting for the stack's claim, held by infra deploy (process 4242 on ci-runner-7, https://github.com/acme/app/actions/runs/99), claim c1a1m0ld taken 2025-12-31T23:59:50.000Z (lease until 2026-01-01T00:01:00.000Z)",
    );
  });

  it("gives up after --wait-for-claim while the claim stays live, saying how long it waited", async () => {
    const clock = new FakeClock();
    const { env, path } = await envOn(clock);
    plant(path, {}, clock);

    await expect(env.claim("create all", 30_000)).rejects.toThrow(/after waiting 30 s$/);
    expect(clock.now()).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 1) + 30_000);
  });

  it("renews its lease every third of it while its run lives", async () => {
    const clock = new FakeClock();
    const { env, lock } = await envOn(clock);
    env.claims.leaseMs = 600; // renewed every 200 ms of the process's own time
    await env.claim("deploy");
    const first = lock().expiresAt;

    clock.advance(50_000);
    await new Promise((r) => setTimeout(r, 500));

    expect(first).toBe("2026-01-01T00:00:00Z");
    expect(lock().expiresAt).toBe("2026-01-01T00:00:50Z");
  });

  it("reports, when it ends, a claim another run took over while it held it, and leaves that claim alone", async () => {
    const clock = new FakeClock();
    const { env, path, lock } = await envOn(clock);
    await env.claim("deploy");
    // Another machine's run found the lease lapsed (this machine slept through its renewals) and took the claim.
    const slot = new RunLock(env.realPath);
    const { version } = await slot.read();
    await slot.swap(version, { ...lock(), id: "5701e0ff", host: "laptop", pid: 77 });

    const problems = await releaseClaims();

    expect(problems).toEqual([
      expect.stringMatching(
        /^the stack's claim was taken over while this run held it \(now infra deploy \(process 77 on laptop\), claim 5701e0ff taken .*\): what this run recorded is in the env file; run the same command again once that run is done$/,
      ),
    ]);
    expect(JSON.parse(readFileSync(`${path}.run.lock`, "utf8")).id).toBe("5701e0ff");
  });
});

describe("infra unlock", () => {
  const fake = useFake();

  it("refuses to remove a live claim unless --force, removes one that is over, and names the claim it removed", async () => {
    const path = tempEnvFile(INPUTS);
    const live = { id: "11ve0001", command: "deploy", host: "ci-runner-7", pid: 4242 };
    const at = (ms: number) => new Date(ms).toISOString();
    writeFileSync(
      `${path}.run.lock`,
      JSON.stringify({
        ...live,
        takenAt: at(fake.current.clock.now()),
        expiresAt: at(fake.current.clock.now() + 300_000),
      }),
    );

    const wrongId = await runCli(["unlock", "deadbeef", "-f", path], fake.current);
    const refused = await runCli(["unlock", "11ve0001", "-f", path], fake.current);
    const forced = await runCli(["unlock", "11ve0001", "--force", "-f", path], fake.current);
    const none = await runCli(["unlock", "11ve0001", "-f", path], fake.current);

    expect(wrongId.code).toBe(2);
    expect(wrongId.stderr).toMatch(/^error: the stack's claim is 11ve0001, not deadbeef: infra deploy/);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: claim 11ve0001 is live: infra deploy \(process 4242 on ci-runner-7\).* - it may still be changing the stack; pass --force only if you know that run is gone/,
    );
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(
      /^removed the stack's claim of infra deploy \(process 4242 on ci-runner-7\), claim 11ve0001 taken .* \(its lease was live: --force\)\n$/,
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: the stack has no claim to remove/);
    expect(fake.current.calls).toEqual([]);
  });

  it("removes a claim whose lease ran out without --force", async () => {
    const path = tempEnvFile(INPUTS);
    const old = new Date(fake.current.clock.now() - 3_600_000).toISOString();
    writeFileSync(
      `${path}.run.lock`,
      JSON.stringify({
        id: "0ld0c1a1",
        command: "create all",
        host: "ci-runner-7",
        pid: 4242,
        takenAt: old,
        expiresAt: old,
      }),
    );

    const result = await runCli(["unlock", "0ld0c1a1", "-f", path], fake.current);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^removed the stack's claim of infra create all .*: its lease ran out at /);
  });

  it("is what a direct call with the same slot does (the command is a thin shell over unlockClaim)", async () => {
    const clock = new FakeClock();
    const path = tempEnvFile('A="1"\n');
    plant(path, { expiresAt: new Date(clock.now() - 1).toISOString() }, clock);

    const line = await unlockClaim(new RunLock(path), "c1a1m0ld", false, { clock, host: hostname(), isAlive });

    expect(line).toMatch(/^removed the stack's claim of infra deploy .*: its lease ran out at/);
  });
});
