// A drill stopped from outside, through the real binary against a served sandbox: SIGTERM (what CI sends a job it
// cancels) takes Ctrl-C's path (test/recovery/drill.test.ts has Ctrl-C in process), so the check task is stopped and the temporary instance deleted, and the
// drill is recorded as interrupted.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTasksCommand, ECSClient } from "@aws-sdk/client-ecs";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { describe, expect, it } from "vitest";
import { isolatedEnv, startBinary } from "./support.js";

const CREDENTIALS = { accessKeyId: "AKIDSANDBOX", secretAccessKey: "sandbox-not-a-secret" };

describe("dr-drill stopped by a signal, through the real binary", { timeout: 120_000 }, () => {
  it.each([
    ["SIGTERM", "while the check runs", /check task (\S+) \(/],
    ["SIGTERM", "while the restore is awaited", /waiting for DB instance \S+ available/],
  ] as const)("on %s %s: stops the task, deletes the instance, exits 130, records it", async (signal, _when, line) => {
    const cwd = mkdtempSync(join(tmpdir(), "infra-drill-signal-"));
    const serve = startBinary(["sandbox", "serve"], { cwd });
    try {
      const [, url] = (await serve.waitFor(/^INFRA_SANDBOX_URL=(\S+)$/m, "stdout")) as [string, string];
      const env = isolatedEnv({ INFRA_SANDBOX_URL: url });
      const drill = startBinary(["--sandbox", "dr-drill"], { cwd, env });
      const [, task] = await drill.waitFor(line, "stderr");

      drill.child.kill(signal);
      const ended = await drill.ended;

      expect(ended.code, ended.stderr).toBe(130);
      expect(ended.stderr).toMatch(/interrupted: dr-drill stopped; what it made was deleted/);
      const aws = { region: "us-east-1", endpoint: url, credentials: CREDENTIALS };
      const instances = (await new RDSClient(aws).send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
      const drills = instances.filter((i) => i.DBInstanceIdentifier?.includes("-drill-"));
      expect(drills.map((i) => i.DBInstanceStatus).filter((s) => s !== "deleting")).toEqual([]);
      if (task) {
        const described = await new ECSClient(aws).send(
          new DescribeTasksCommand({ cluster: "startupwebapp-cluster", tasks: [task] }),
        );
        expect(described.tasks?.[0]?.desiredStatus).toBe("STOPPED");
        expect(described.tasks?.[0]?.stopCode).toBe("UserInitiated");
      }
      const envFile = readFileSync(join(cwd, "aws-resources.sandbox.env"), "utf8");
      expect(envFile).toMatch(/^DR_LAST_DRILL=".* failed=interrupted error=interrupted result=failed"$/m);
    } finally {
      serve.child.kill("SIGINT");
      await serve.ended;
    }
  });
});
