// `plan` needs no AWS account: with no credentials anywhere, and an instance metadata endpoint that takes the
// connection and never answers (or answers nothing at all), it still prints the whole plan, and says once, not per
// resource, that it did not compare with what exists, and why.
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { isolatedEnv, runBinary, silentEndpoints } from "./support.js";

const EXAMPLE = fileURLToPath(new URL("../../aws-resources.env.example", import.meta.url));

const silent = silentEndpoints();
afterEach(() => silent.close());

describe("plan with no AWS account", () => {
  it("says once that it did not compare, when the metadata endpoint never replies", async () => {
    const env = isolatedEnv({ AWS_EC2_METADATA_SERVICE_ENDPOINT: await silent.open() });

    const result = await runBinary(["plan", "all", "-f", EXAMPLE], { env });

    expect(result.code).toBe(0);
    expect(result.stdout.match(/Not compared with what exists/g)).toHaveLength(1);
    expect(result.stdout).toMatch(/^Not compared with what exists \(no AWS credentials.*\)/m);
    expect(result.stdout).toMatch(/^alb\n {2}\+ security group startupwebapp-alb-sg$/m);
    expect(result.stdout).toMatch(/^Plan: \d+ to create, 0 to update, 0 to replace, 0 to adopt, 0 to delete\.$/m);
    expect(result.stderr).toBe("");
  });

  it("says once that it did not compare, with the metadata endpoint turned off", async () => {
    const env = isolatedEnv({ AWS_EC2_METADATA_DISABLED: "true" });

    const result = await runBinary(["plan", "all", "-f", EXAMPLE, "--json"], { env });

    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan).toMatchObject({ ok: true, compared: false, notCompared: expect.stringMatching(/credentials/) });
    expect(result.stderr).toBe("");
  });
});
