import { ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { DB_SECRET_ARN } from "../../src/sandbox/aws/secrets.js";
import { type CliResult, runCli } from "../helpers.js";
import { expectConvergesAfterAnyFault } from "../support/faults.js";
import { drillStack, leftovers, NOTHING_LEFT, recorded } from "./support.js";

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

/** A drill that did not succeed, with what the CLI said. */
class DrillFailed extends Error {
  constructor(readonly result: CliResult) {
    super(`dr-drill exited ${result.code}: ${result.stderr}`);
  }
}

describe("infra dr-drill after a failure at any mutating call", () => {
  it.each([
    ["a drill", []],
    ["a drill that rehearses the cutover", ["--rehearse-cutover"]],
  ])(
    "%s cleans up what it made (or says what is left), and the next drill removes the rest and succeeds",
    { timeout: 90_000 },
    (_what, flags) =>
      expectConvergesAfterAnyFault({
        setup: stack,
        run: async (fake, path) => {
          const result = await runCli(["dr-drill", "-f", path, ...flags], fake);
          if (result.code !== 0) throw new DrillFailed(result);
          return result;
        },
        calls: [
          "RestoreDBInstanceFromDBSnapshot",
          "RegisterTaskDefinition",
          "RunTask",
          ...(flags.length ? ["CreateSecret", "RegisterTaskDefinition", "RunTask"] : []),
          "DeleteDBInstance",
          "DeregisterTaskDefinition",
          ...(flags.length ? ["DeregisterTaskDefinition", "DeleteSecret"] : []),
        ],
        failed: (fake, path, label, error) => {
          expect(error, label).toBeInstanceOf(DrillFailed);
          const failed = (error as DrillFailed).result;
          const op = label.split(" ")[0] as string;
          expect(failed.code, `${label}: ${failed.stderr}`).toBe(3);
          if (CLEANUP.includes(op))
            expect(failed.stderr, label).toMatch(/may be left.*: run `infra dr-drill -f \S+ --region us-east-1` again/);
          else {
            // A failure before the cleanup leaves nothing, and the drill's result recorded as failed.
            expect(recorded(path, "DR_LAST_DRILL"), label).toMatch(/ result=failed$/);
            expect(leftovers(fake), label).toEqual(NOTHING_LEFT);
            expect(secretCopies(fake), label).toEqual([]);
          }
        },
        converged: (fake, path, label) => {
          expect(leftovers(fake), label).toEqual(NOTHING_LEFT);
          expect(secretCopies(fake), label).toEqual([]);
          expect(recorded(path, "DR_LAST_DRILL"), label).toMatch(/ result=met$/);
        },
        // Every drill restores a copy and removes it again: a third one is another drill, not a no-op.
        thenNothing: false,
      }),
  );
});
