// Two working folders that share nothing but the store of the stack's record (INFRA_STATE), standing for CI and a
// laptop, act on one stack through the built binary and one sandbox: a run in one while the other holds the stack
// is refused naming its owner, or waits for it; both records end equal; and a run killed outright (SIGKILL) leaves
// a claim the other takes over once its lease runs out, with a line saying whose it was.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sandboxEnvText } from "../../src/sandbox/account.js";
import type { Call } from "../../src/sandbox/aws/aws-fake.js";
import { CLI, isolatedEnv, type RunningBinary, runBinary, startBinary } from "../binary/support.js";
import { type E2e, ENV_FILE, openE2e } from "./support.js";

const LOOPBACK_ONLY = fileURLToPath(new URL("./loopback-only.cjs", import.meta.url));
const RUN_URL = "https://github.com/acme/app/actions/runs/7";
const CI_VARIABLES = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/app", GITHUB_RUN_ID: "7" };
/** Another host name for a process: a UTS namespace (Linux, and permitted here), as a second machine has. */
const elsewhere = spawnSync("unshare", ["--uts", "true"]).status === 0;

/** One working folder: its own env file and environment, the sandbox and the store shared. */
function machine(e2e: E2e, cwd: string, extra: Record<string, string> = {}) {
  const env = isolatedEnv({ INFRA_SANDBOX_URL: e2e.server.url, NODE_OPTIONS: `--require ${LOOPBACK_ONLY}`, ...extra });
  const read = () => spawnSync("cat", [join(cwd, ENV_FILE)], { encoding: "utf8" }).stdout;
  return {
    cwd,
    run: (args: string[]) => runBinary(["--sandbox", ...args], { cwd, env }),
    start: (args: string[]) => startBinary(["--sandbox", ...args], { cwd, env }),
    /** The same, on a host of another name. */
    startElsewhere: (args: string[]) => startOn("laptop-elsewhere", ["--sandbox", ...args], cwd, env),
    /** The keys infra records, as this folder's env file holds them. */
    recorded: () =>
      read()
        .split("\n")
        .filter((l) =>
          /^(ALB|TARGET|HTTPS?_LISTENER|ACM|HOSTED_ZONE|API_ALIAS|ECS_SERVICE|AUTOSCALING_(CPU|MEMORY)_POLICY|SNS|SERVICE_)\w*=/.test(
            l,
          ),
        )
        .sort(),
  };
}

/**
 * The laptop (the sandbox's own folder) makes the store with `state init`; CI's folder holds only the committed
 * inputs and the store's URL.
 */
async function sharingAStore(e2e: E2e) {
  const laptop = machine(e2e, e2e.cwd);
  const ci = machine(e2e, mkdtempSync(join(tmpdir(), "infra-e2e-ci-")), CI_VARIABLES);
  const init = await laptop.run(["state", "init"]);
  expect(init.code, init.stderr).toBe(0);
  const url = /^INFRA_STATE="([^"]+)"$/m.exec(init.stdout)?.[1] as string;
  writeFileSync(join(ci.cwd, ENV_FILE), `${sandboxEnvText()}INFRA_STATE="${url}"\n`);
  return { laptop, ci, url };
}

/** Holds the answer to the first mutating call AWS applies (other than the store's) until let go. */
function holdNextChange(e2e: E2e) {
  let letGo = () => {};
  let reached: (call: Call) => void = () => {};
  const arrived = new Promise<Call>((r) => {
    reached = r;
  });
  const released = new Promise<void>((r) => {
    letGo = r;
  });
  e2e.onApplied = (call) => {
    if (!call.mutating || call.service === "S3") return;
    e2e.onApplied = undefined;
    reached(call);
    return released;
  };
  return { arrived, letGo };
}

describe("two working folders that share nothing but the store", { timeout: 300_000 }, () => {
  it("keep apart: a deploy while the other runs create all is refused naming it, or waits for it; both records end equal", async () => {
    const e2e = await openE2e();
    try {
      const { laptop, ci, url } = await sharingAStore(e2e);

      const hold = holdNextChange(e2e);
      const creating = ci.start(["create", "all"]);
      await hold.arrived;
      const refused = await laptop.run(["deploy", "--image", ":v2"]);
      const queued = laptop.start(["deploy", "--image", ":v2", "--wait-for-claim", "120s"]);
      await queued.waitFor(/… claim: waiting for the stack's claim, held by infra create all/, "stderr");
      hold.letGo();
      const [created, deployed] = await Promise.all([creating.ended, queued.ended]);

      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        new RegExp(
          `^error: the stack is claimed by infra create all \\(process \\d+ on [^,]+, ${RUN_URL}\\), claim [0-9a-f]{8} taken 20\\d\\d-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ, its lease renewed until .* \\(${url}\\) - wait for it`,
          "m",
        ),
      );
      expect(created.code, created.stderr).toBe(0);
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(deployed.stderr).toMatch(
        /· state: the stack's record is kept in s3:.* \(claim [0-9a-f]{8} taken\); \d+ key\(s\) differed here/,
      );
      // Each folder reads what the other recorded: the two records end equal, and equal to the store's.
      expect((await ci.run(["status"])).code).toBe(0);
      expect((await laptop.run(["status"])).code).toBe(0);
      expect(ci.recorded()).toEqual(laptop.recorded());
      expect(ci.recorded()).toContainEqual(expect.stringMatching(/^ECS_SERVICE_TASK_DEFINITION_REVISION="2"$/));
    } finally {
      await e2e.server.close();
    }
  });

  it("a run killed with SIGKILL on this host leaves a claim the other folder takes over at once: its process is gone", async () => {
    const e2e = await openE2e();
    try {
      const { laptop, ci } = await sharingAStore(e2e);

      const hold = holdNextChange(e2e);
      const killed = laptop.start(["create", "all"]);
      await hold.arrived;
      killed.child.kill("SIGKILL");
      await killed.ended;
      hold.letGo();
      const after = await ci.run(["create", "all", "--yes"]);

      expect(after.code, after.stderr).toBe(0);
      expect(after.stderr).toMatch(
        /! env file: took over the stack's claim of infra create all \(process \d+ on [^)]+\), claim [0-9a-f]{8} taken [^:]+:\d\d:\d\dZ: its process is gone/,
      );
    } finally {
      await e2e.server.close();
    }
  });

  it.runIf(elsewhere)(
    "a run killed with SIGKILL on another host leaves a claim the other folder takes over once its lease runs out",
    async () => {
      const e2e = await openE2e();
      try {
        const { laptop, ci } = await sharingAStore(e2e);

        const hold = holdNextChange(e2e);
        const killed = laptop.startElsewhere(["create", "all"]);
        await hold.arrived;
        killed.child.kill("SIGKILL");
        await killed.ended;
        hold.letGo();
        const after = await ci.run(["create", "all", "--yes", "--wait-for-claim", "60s"]);

        expect(after.code, after.stderr).toBe(0);
        const line =
          /^\[(\d\d:\d\d:\d\d)\] ! env file: took over the stack's claim of infra create all \(process \d+ on laptop-elsewhere\), claim [0-9a-f]{8} taken [^:]+:\d\d:\d\dZ: its lease ran out at \d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d)/m.exec(
            after.stderr,
          );
        expect(line, after.stderr).not.toBeNull();
        // Taken over only once the lease had run out: its process is on another host, so nothing else says it is gone.
        const [, tookAt, ranOutAt] = line as RegExpExecArray;
        expect((tookAt as string) >= (ranOutAt as string)).toBe(true);
      } finally {
        await e2e.server.close();
      }
    },
  );
});

/** The binary on a host of another name (a new UTS namespace), left running. */
function startOn(host: string, args: string[], cwd: string, env: Record<string, string>): RunningBinary {
  const script = `hostname ${host} && exec "$0" "$@"`;
  const child: ChildProcess = spawn("unshare", ["--uts", "sh", "-c", script, process.execPath, CLI, ...args], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = { stdout: "", stderr: "" };
  child.stdout?.on("data", (d) => {
    out.stdout += d;
  });
  child.stderr?.on("data", (d) => {
    out.stderr += d;
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on("close", (code, signal) => resolve({ code, signal, ...out })),
  );
  return { child, output: () => ({ ...out }), waitFor: () => Promise.reject(new Error("not used")), ended };
}
