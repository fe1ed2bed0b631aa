// A user stops infra: Ctrl-C while it waits on AWS, or the process killed outright (SIGKILL) the instant after AWS
// applied a call and before its answer arrived. Either way the env file is whole, and running the same command
// again finishes the stack with one of each, as a clean run makes it, and nothing orphaned.
import { describe, expect, it } from "vitest";
import type { Call } from "../../src/sandbox/aws/aws-fake.js";
import { type E2e, inventory, openE2e, recordedIdsExist, wholeEnvFile } from "./support.js";

/** What a clean create all leaves, and the mutating calls AWS applied for it, in order. */
async function cleanRun() {
  const e = await openE2e();
  try {
    const result = await e.run(["create", "all"]);
    if (result.code !== 0) throw new Error(`a clean create all failed:\n${result.stderr}`);
    return { inventory: inventory(e.fake), mutations: e.fake.acceptedMutations().map((m) => m.op) };
  } finally {
    await e.server.close();
  }
}

// Before the tests are listed: there is one test per mutating call.
const clean = await cleanRun();

/**
 * The re-run finishes what the stopped one began: changes to what it had made already, so it needs --yes here.
 * After a Ctrl-C it is the binary again; after a SIGKILL it runs in this process (the same main() the binary runs,
 * with its environment), one process start per case instead of two: the process under test is the killed one.
 */
async function converges(e: E2e, where: "binary" | "here" = "binary") {
  const args = ["create", "all", "--yes"];
  const again = where === "binary" ? await e.run(args) : await e.runHere(args);
  expect(again.code, again.stderr).toBe(0);
  expect(inventory(e.fake)).toEqual(clean.inventory);
  expect(Object.entries(recordedIdsExist(e)).filter(([, found]) => !found)).toEqual([]);
}

describe("Ctrl-C while create all waits", { timeout: 180_000 }, () => {
  it.each([
    ["the load balancer to become active", /… alb: waiting for load balancer startupwebapp-alb active/],
    ["the service's first deployment", /… ecs-service: waiting for deployment/],
  ])("stops waiting for %s with exit 130 and a whole env file; a re-run converges", async (_wait, line) => {
    const e = await openE2e(1 / 40);
    try {
      const running = e.start(["create", "all"]);
      await running.waitFor(line, "stderr");

      running.child.kill("SIGINT");
      const ended = await running.ended;

      expect(ended.code).toBe(130);
      expect(ended.stderr).toMatch(/^interrupted$/m);
      expect(wholeEnvFile(e.envText())).toBe(true);
      await converges(e);
    } finally {
      await e.server.close();
    }
  });
});

describe("SIGKILL right after AWS applied a mutating call of create all", { timeout: 180_000 }, () => {
  it("has calls to kill after: create all makes mutating calls", () => {
    expect(clean.mutations.length).toBeGreaterThan(20);
  });

  // Every mutating call a clean run makes is one place to die: the n-th one AWS applies is held, the process
  // killed, and the answer let go only then. (Independent steps run at the same time, so the n-th call of a
  // killed run may be another than the clean run's n-th, named here.)
  it.concurrent.for(clean.mutations.map((op, i) => [i + 1, op] as const))(
    "after mutating call %i (%s in a clean run): the env file is whole and a re-run converges with one of each",
    async ([n]) => {
      const e = await openE2e();
      try {
        let release = () => {};
        let seen = 0;
        const applied = new Promise<Call>((resolve) => {
          e.onApplied = (call) => {
            if (!call.mutating || ++seen !== n) return;
            resolve(call);
            return new Promise<void>((r) => {
              release = r;
            });
          };
        });
        const running = e.start(["create", "all"]);
        const held = await Promise.race([applied, running.ended.then(() => undefined)]);
        expect(held, `create all ended before its ${n}-th mutating call`).toBeDefined();

        running.child.kill("SIGKILL");
        const ended = await running.ended;
        e.onApplied = undefined;
        release();

        expect(ended.signal).toBe("SIGKILL");
        expect(wholeEnvFile(e.envText()), `killed after ${held?.service} ${held?.op}`).toBe(true);
        await converges(e, "here");
      } finally {
        await e.server.close();
      }
    },
  );
});
