// The "run `infra ...`" hints a run prints carry the region it ran in when that region came from the shell (neither
// --region nor the env file named it): pasted into another shell, the hint must act on the same stack.
import { describe, expect, it } from "vitest";
import { main } from "../../src/commands/program.js";
import { makeContext } from "../../src/commands/setup.js";
import { EnvFile } from "../../src/core/env-file.js";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { capturedIo, INPUTS, tempEnvFile } from "../helpers.js";
import { installInProcess } from "../support/in-process.js";

const options = { envFile: "", json: false, yes: true, wait: true, timeout: "45m", verbose: false };

async function hint(fileText: string, region: string | undefined) {
  const { io, written } = capturedIo();
  const path = tempEnvFile(fileText);
  const env = await EnvFile.load(path);
  const ctx = makeContext(
    env,
    { ...options, envFile: path, ...(region ? { region } : {}) },
    {
      env: { AWS_REGION: "eu-west-1" },
      io,
      invocation: { file: path, ...(region ? { region } : {}) },
    },
    60_000,
  );
  ctx.events.for("alb").warning("run `infra create alb` again");
  return written.stderr;
}

describe("a hint's region", () => {
  const withoutRegion = INPUTS.split("\n")
    .filter((l) => !l.startsWith("AWS_REGION="))
    .join("\n");

  it("is the shell's when only the shell named it", async () => {
    expect(await hint(withoutRegion, undefined)).toMatch(/`infra create alb -f \S+ --region eu-west-1`/);
  });

  it("is left to the env file when the file names it, and is the flag's when given", async () => {
    expect(INPUTS).toMatch(/^AWS_REGION=/m);
    expect(await hint(INPUTS, undefined)).toMatch(/`infra create alb -f \S+`/);
    expect(await hint(withoutRegion, "us-west-2")).toMatch(/`infra create alb -f \S+ --region us-west-2`/);
  });
});

describe("status's hint to run a drill", () => {
  it("carries the options the status ran with", async () => {
    const fake = installInProcess(new AwsFake());
    try {
      const path = tempEnvFile(`${INPUTS}\nRDS_INSTANCE_ID=startupwebapp-multi-tenant-prod\n`);
      const { io, written } = capturedIo();
      await main(["status", "-f", path, "--region", "us-east-1"], { env: {}, clock: fake.clock, io });
      expect(written.stdout).toContain(
        `Last DR drill: none recorded - run \`infra dr-drill -f ${path} --region us-east-1\``,
      );
    } finally {
      fake.restore();
    }
  });
});
