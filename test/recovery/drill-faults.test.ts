import { describe, expect, it } from "vitest";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { runCli } from "../helpers.js";
import { installInProcess } from "../support/in-process.js";
import { drillStack, leftovers, NOTHING_LEFT, recorded } from "./support.js";

/** Runs body with a fresh fake installed on the SDK clients. */
async function withFake<T>(body: (fake: AwsFake) => Promise<T>): Promise<T> {
  const fake = installInProcess(new AwsFake());
  try {
    return await body(fake);
  } finally {
    fake.restore();
  }
}

/** The calls that clean up: when one of them fails, what it was removing may stay until the next drill. */
const CLEANUP = ["DeleteDBInstance", "DeregisterTaskDefinition"];

describe("infra dr-drill after a failure at any mutating call", () => {
  it("cleans up what it made (or says what is left), and the next drill removes the rest and succeeds", async () => {
    const ops = await withFake(async (fake) => {
      const path = await drillStack(fake);
      const since = fake.calls.length;
      expect((await runCli(["dr-drill", "-f", path], fake)).code).toBe(0);
      return fake.acceptedMutations(since).map((c) => c.op);
    });
    expect(ops).toEqual([
      "RestoreDBInstanceFromDBSnapshot",
      "RegisterTaskDefinition",
      "RunTask",
      "DeleteDBInstance",
      "DeregisterTaskDefinition",
    ]);
    for (const when of ["before", "after"] as const) {
      for (const [i, op] of ops.entries()) {
        const label = `${op} failing ${when} it takes effect`;
        await withFake(async (fake) => {
          const path = await drillStack(fake);
          fake.inject({ mutating: true, nth: i + 1, when });

          const failed = await runCli(["dr-drill", "-f", path], fake);

          expect(failed.code, `${label}: ${failed.stderr}`).toBe(3);
          if (CLEANUP.includes(op))
            expect(failed.stderr, label).toMatch(/may be left.*: run `infra dr-drill -f \S+ --region us-east-1` again/);
          else expect(leftovers(fake), label).toEqual(NOTHING_LEFT);
          fake.clearFaults();
          fake.clock.advance(60_000); // the user reads the error and runs it again

          const rerun = await runCli(["dr-drill", "-f", path], fake);

          expect(rerun.code, `${label}, rerun: ${rerun.stderr}`).toBe(0);
          expect(leftovers(fake), label).toEqual(NOTHING_LEFT);
          expect(recorded(path, "DR_LAST_DRILL"), label).toMatch(/ result=met$/);
        });
      }
    }
  });
});
