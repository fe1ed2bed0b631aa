// `npm run conformance` itself, offline: the whole lifecycle through the built binary against the sandbox (this
// project's fake served over HTTP, with the prerequisites already in its account), made to lack Application Auto
// Scaling's tag calls as moto does. Every step goes as on AWS, the table counts the calls and names what the
// endpoint did not support, and nothing of the stack is left. Without an endpoint it says it skipped.
import { describe, expect, it } from "vitest";
import { conformance } from "../conformance/run.js";
import { systemClock } from "../src/core/clock.js";
import { seededAccount } from "../src/sandbox/account.js";
import { DEFAULT_LATENCY, scaleLatency } from "../src/sandbox/aws/aws-fake.js";
import { INPUTS } from "../src/sandbox/aws/inputs.js";
import { start } from "../src/sandbox/wire/server.js";
import { tempEnvFile } from "./helpers.js";

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  const code = await conformance(argv, env, (s) => {
    out += s;
  });
  return { code, out };
}

describe("npm run conformance", () => {
  it("says it skipped, and why, when no endpoint is given", async () => {
    const { code, out } = await run([]);

    expect(code).toBe(0);
    expect(out).toMatch(
      /^conformance: skipped: no endpoint to run against \(give --endpoint-url <url> or set INFRA_CONFORMANCE_ENDPOINT/,
    );
  });

  it("refuses what is not an endpoint URL, exit 2", async () => {
    expect((await run(["--endpoint-url", "localhost:5000"])).code).toBe(2);
    expect((await run(["--endpont-url", "http://127.0.0.1:1"])).code).toBe(2);
  });

  it("runs the lifecycle against an endpoint that lacks some calls: every step as on AWS, the calls counted, what was missing named, nothing left", {
    timeout: 600_000,
  }, async () => {
    // Given the sandbox's account (its waits shortened further), lacking Application Auto Scaling's tag calls
    const fake = await seededAccount(systemClock);
    Object.assign(fake.latency, scaleLatency(DEFAULT_LATENCY, 1 / 400));
    fake.lack({ service: "ApplicationAutoScaling", op: "ListTagsForResource" });
    fake.lack({ service: "ApplicationAutoScaling", op: "TagResource" });
    const server = await start(fake);
    const inputs = tempEnvFile(`${INPUTS}RDS_INSTANCE_ID="startupwebapp-multi-tenant-prod"\n`);
    try {
      // When the conformance run goes through it
      const { code, out } = await run(["--endpoint-url", server.url, "--inputs", inputs]);

      // Then every step exits as on AWS, with its calls counted, and the table names what the endpoint lacked
      expect(code, out).toBe(0);
      const rows = out.split("\n").filter((l) => /^\S.* \| \d/.test(l));
      expect(rows.map((r) => r.split("|")[0]?.trim())).toEqual([
        "create all",
        "verify",
        "status",
        "create all (no-op)",
        "deploy",
        "deploy again",
        "failed deploy",
        "rollback",
        "destroy all",
        "recreate",
        "destroy",
      ]);
      for (const row of rows) expect(row).toMatch(/\| ok$/);
      expect(out).toMatch(/^create all \(no-op\) +\| 0 +\| 0 \/ [1-9]\d* /m);
      expect(out).toMatch(/^failed deploy +\| 1 +\| [1-9]\d* \/ [1-9]\d* /m);
      expect(out).toMatch(/^application-autoscaling ListTagsForResource +\| UnknownOperationException: /m);
      expect(out).toMatch(/^left on the endpoint after the last destroy: nothing$/m);
      expect(out).toMatch(/this endpoint does not support application-autoscaling ListTagsForResource/);
    } finally {
      await server.close();
    }
  });
});
