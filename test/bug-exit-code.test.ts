// Whose fault is it: a mistake in infra's own code (a TypeError) is not "AWS refused" (exit 3) nor the user's input
// (exit 2). It exits 70 with a message that says it is a bug, and --verbose shows the stack trace to report.
import type { EC2Client } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { main } from "../src/commands/program.js";
import { capturedIo, tempEnvFile } from "./helpers.js";

/** infra run in-process with an EC2 client that answers every call with `answer` (or fails with it). */
async function runWithEc2(argv: string[], answer: () => Promise<unknown>) {
  const { io, written } = capturedIo();
  const code = await main(argv, { env: {}, clients: { ec2: { send: answer } as unknown as EC2Client }, io });
  return { code, ...written };
}

// An SDK call always answers an object: given none, infra's own code reads a property of undefined.
const nothing = async () => undefined;

describe("a bug in infra itself", () => {
  it("exits 70 and says it is a bug in infra, naming what it was doing, not that AWS refused", async () => {
    const result = await runWithEc2(["verify", "alb", "-f", tempEnvFile()], nothing);

    expect(result.code).toBe(70);
    expect(result.stderr).toMatch(
      /^error: a bug in infra, not an AWS refusal nor a mistake in the input \(while: find security groups startupwebapp-alb-sg\): TypeError: Cannot read properties of undefined .* - run the same command with --verbose for the stack trace, and report it with that$/m,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it("shows the stack trace with --verbose", async () => {
    const result = await runWithEc2(["verify", "alb", "-f", tempEnvFile(), "--verbose"], nothing);

    expect(result.code).toBe(70);
    expect(result.stderr).toMatch(/^TypeError: Cannot read properties of undefined/m);
    expect(result.stderr).toMatch(/^\s+at .*src\/resources\/alb\//m);
  });

  it("says so in the --json document too", async () => {
    const result = await runWithEc2(["verify", "alb", "-f", tempEnvFile(), "--json"], nothing);

    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      exitCode: 70,
      error: expect.stringMatching(/^a bug in infra/),
    });
  });

  it.each([
    [
      "a refusal from AWS",
      Object.assign(new Error("You are not authorized to perform this operation."), {
        name: "UnauthorizedOperation",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
      }),
      /find security groups startupwebapp-alb-sg: UnauthorizedOperation: You are not authorized/,
    ],
    [
      "a connection AWS never took",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED", syscall: "connect" }),
      /find security groups startupwebapp-alb-sg: ECONNREFUSED: connect ECONNREFUSED/,
    ],
  ])("still reads %s as AWS failing: exit 3", async (_what, error, message) => {
    const result = await runWithEc2(["verify", "alb", "-f", tempEnvFile()], async () => {
      throw error;
    });

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(message);
  });
});
