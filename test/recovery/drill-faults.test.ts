import { ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { DB_SECRET_ARN } from "../../src/sandbox/aws/secrets.js";
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
const CLEANUP = ["DeleteDBInstance", "DeregisterTaskDefinition", "DeleteSecret"];

/** The drill's stack, with the service's task definition a rehearsal copies. */
async function stack(fake: AwsFake): Promise<string> {
  const path = await drillStack(fake, 'ECS_SERVICE_TASK_DEFINITION_FAMILY="startupwebapp-service-task"\n');
  await new ECSClient({ region: "us-east-1" }).send(
    new RegisterTaskDefinitionCommand({
      family: "startupwebapp-service-task",
      containerDefinitions: [
        {
          name: "web",
          image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/startupwebapp:latest",
          secrets: [{ name: "DATABASE_PASSWORD", valueFrom: `${DB_SECRET_ARN}:password::` }],
        },
      ],
    }),
  );
  return path;
}

/** What is left of the drill beyond instances and revisions: copies of the secret. */
const secretCopies = (fake: AwsFake) =>
  [...fake.secrets.secrets.values()].filter((s) => s.arn !== DB_SECRET_ARN && s.deletedAt === undefined);

describe("infra dr-drill after a failure at any mutating call", () => {
  it.each([
    ["a drill", []],
    ["a drill that rehearses the cutover", ["--rehearse-cutover"]],
  ])(
    "%s cleans up what it made (or says what is left), and the next drill removes the rest and succeeds",
    async (_what, flags) => {
      const ops = await withFake(async (fake) => {
        const path = await stack(fake);
        const since = fake.calls.length;
        expect((await runCli(["dr-drill", "-f", path, ...flags], fake)).code).toBe(0);
        return fake.acceptedMutations(since).map((c) => c.op);
      });
      expect(ops).toEqual([
        "RestoreDBInstanceFromDBSnapshot",
        "RegisterTaskDefinition",
        "RunTask",
        ...(flags.length ? ["CreateSecret", "RegisterTaskDefinition", "RunTask"] : []),
        "DeleteDBInstance",
        "DeregisterTaskDefinition",
        ...(flags.length ? ["DeregisterTaskDefinition", "DeleteSecret"] : []),
      ]);
      for (const when of ["before", "after"] as const) {
        for (const [i, op] of ops.entries()) {
          const label = `${op} (${i + 1}) failing ${when} it takes effect`;
          await withFake(async (fake) => {
            const path = await stack(fake);
            fake.inject({ mutating: true, nth: i + 1, when });

            const failed = await runCli(["dr-drill", "-f", path, ...flags], fake);

            expect(failed.code, `${label}: ${failed.stderr}`).toBe(3);
            // A cleanup that failed after the data was proven leaves the drill's result as measured.
            if (!CLEANUP.includes(op)) expect(recorded(path, "DR_LAST_DRILL"), label).toMatch(/ result=failed$/);
            if (CLEANUP.includes(op))
              expect(failed.stderr, label).toMatch(
                /may be left.*: run `infra dr-drill -f \S+ --region us-east-1` again/,
              );
            else {
              expect(leftovers(fake), label).toEqual(NOTHING_LEFT);
              expect(secretCopies(fake), label).toEqual([]);
            }
            fake.clearFaults();
            fake.clock.advance(60_000); // the user reads the error and runs it again

            const rerun = await runCli(["dr-drill", "-f", path, ...flags], fake);

            expect(rerun.code, `${label}, rerun: ${rerun.stderr}`).toBe(0);
            expect(leftovers(fake), label).toEqual(NOTHING_LEFT);
            expect(secretCopies(fake), label).toEqual([]);
            expect(recorded(path, "DR_LAST_DRILL"), label).toMatch(/ result=met$/);
          });
        }
      }
    },
  );
});
