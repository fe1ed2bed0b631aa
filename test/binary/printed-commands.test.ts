// Every command infra prints for the user to run next runs where the printing run ran. Under --sandbox: the
// runbook's lines, dr-drill --keep's delete line and a "run it again" hint, pasted as printed, reach the sandbox
// (an AWS CLI line is sent as the SDK call it stands for, to the endpoint it names; infra lines run as they are).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandsOf, documentCommands, type SdkCall, sdkCallOf } from "../support/aws-cli.js";
import { isolatedEnv, runBinary, startBinary } from "./support.js";

const CREDENTIALS = { accessKeyId: "AKIDSANDBOX", secretAccessKey: "sandbox-not-a-secret" };

/** Sends the call as the AWS CLI would: to the endpoint and region the line names, nowhere else. */
async function send(call: SdkCall): Promise<{ status: number; code?: string }> {
  if (!call.endpoint) throw new Error(`${call.op}: the line names no endpoint, so it would go to AWS`);
  const sdk = (await import(call.pkg)) as Record<string, unknown>;
  const [, Client] = Object.entries(sdk).find(
    ([k, v]) => /^[A-Z][A-Za-z0-9]*Client$/.test(k) && typeof v === "function",
  ) as [
    string,
    new (c: object) => { send(c: unknown): Promise<{ $metadata: { httpStatusCode?: number } }>; destroy(): void },
  ];
  const Command = sdk[`${call.op}Command`] as new (input: unknown) => unknown;
  const client = new Client({ region: call.region, endpoint: call.endpoint, credentials: CREDENTIALS, maxAttempts: 1 });
  try {
    const out = await client.send(new Command(call.input));
    return { status: out.$metadata.httpStatusCode ?? 0 };
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; code?: string };
    // An answer from the endpoint (a refusal) reached it; a connection error did not.
    if (!e.$metadata?.httpStatusCode) throw err;
    return { status: e.$metadata.httpStatusCode, code: e.name };
  } finally {
    client.destroy();
  }
}

describe("printed commands, pasted as printed under --sandbox", { timeout: 180_000 }, () => {
  it("reach the sandbox: the runbook's AWS CLI and infra lines, the kept drill's delete line, a run-again hint", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "infra-printed-"));
    const serve = startBinary(["sandbox", "serve"], { cwd });
    try {
      const [, url] = (await serve.waitFor(/^INFRA_SANDBOX_URL=(\S+)$/m, "stdout")) as [string, string];
      const env = isolatedEnv({ INFRA_SANDBOX_URL: url });
      const shell = { INFRA_SANDBOX_URL: url, RESTORED_HOST: "x", PRODUCTION_HOST: "y" };

      // A hint: the DNS records before the load balancer exists name what to run first, as this run ran.
      const early = await runBinary(["--sandbox", "create", "route53-records"], { cwd, env });
      expect(early.code).toBe(2);
      const hint = /`(infra [^`]*create alb[^`]*)`/.exec(early.stderr)?.[1] as string;
      expect(hint).toBe("infra --sandbox create alb");
      const ran = await runBinary((commandsOf(hint)[0] as string[]).slice(1), { cwd, env });
      expect(ran.code, ran.stderr).toBe(0);

      // The kept drill's delete line.
      const kept = await runBinary(["--sandbox", "dr-drill", "--keep"], { cwd, env });
      expect(kept.code, kept.stderr).toBe(0);
      const line = /kept: delete it with (aws .*)$/m.exec(kept.stdout)?.[1] as string;
      expect(line).toMatch(/ --region us-east-1 --endpoint-url "\$INFRA_SANDBOX_URL"$/);
      const deleting = await sdkCallOf(commandsOf(line)[0] as string[], shell);
      expect(await send(deleting)).toEqual({ status: 200 });

      // The runbook: every AWS CLI line names the sandbox and reaches it; every infra line carries --sandbox.
      const runbook = await runBinary(["--sandbox", "runbook"], { cwd, env });
      expect(runbook.code, runbook.stderr).toBe(0);
      const commands = documentCommands(runbook.stdout);
      const aws = commands.filter((c) => c[0] === "aws");
      expect(aws.length).toBeGreaterThan(20);
      const reached: string[] = [];
      for (const words of aws) {
        const call = await sdkCallOf(words, shell);
        expect(call.endpoint, words.join(" ")).toBe(url);
        expect(call.region, words.join(" ")).toBe("us-east-1");
        const answer = await send(call);
        expect(answer.status, words.join(" ")).toBeGreaterThan(0);
        reached.push(call.op);
      }
      expect(reached).toEqual(
        expect.arrayContaining(["DescribeDBSnapshots", "RestoreDBInstanceFromDBSnapshot", "RunTask"]),
      );
      for (const words of commands.filter((c) => c[0] === "infra" && c[1] !== "sandbox"))
        expect(words.join(" ")).toMatch(/^infra --sandbox .* -f \.\/aws-resources\.sandbox\.env --region us-east-1$/);
      const status = commands.find((c) => c[0] === "infra" && c[2] === "status") as string[];
      expect((await runBinary(status.slice(1), { cwd, env })).code).toBe(0);
    } finally {
      serve.child.kill("SIGINT");
      await serve.ended;
    }
  });
});
