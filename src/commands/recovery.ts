// dr-drill and runbook: prove the database can be restored (and how fast, how fresh), and say how to recover.
import type { Command } from "commander";
import { CheckFailedError } from "../core/errors.js";
import type { EnvReader } from "../core/inputs.js";
import { Interrupt } from "../core/interrupt.js";
import { defaultOf } from "../core/keys.js";
import { type DrillFlags, drillConfig } from "../recovery/config.js";
import { LAST_DRILL_KEY } from "../recovery/record.js";
import type { GlobalOptions } from "./options.js";
import type { Commands } from "./program.js";
import { loadInputs, makeContext } from "./setup.js";

/** What a runbook written in the sandbox tells the AWS CLI: the served sandbox's URL variable and credentials. */
async function sandboxAccess() {
  const [{ SANDBOX_URL_VARIABLE }, { SANDBOX_CREDENTIALS }] = await Promise.all([
    import("../sandbox/files.js"),
    import("../sandbox/session.js"),
  ]);
  return { urlVariable: SANDBOX_URL_VARIABLE, ...SANDBOX_CREDENTIALS };
}

export function registerRecovery({ program, deps, opts, result }: Commands): void {
  const { io } = deps;
  program
    .command("dr-drill")
    .description("restore the database into a temporary instance, check it, delete it: RTO and RPO against the targets")
    .option(
      "--point-in-time <latest>",
      "restore to the latest restorable time instead of the newest automated snapshot",
    )
    .option(
      "--check-command <command>",
      `run against the restored database (default: DR_CHECK_COMMAND, then "${defaultOf("DR_CHECK_COMMAND", () => undefined)}")`,
    )
    .option("--keep", "keep the restored instance afterwards (it is billed until deleted)")
    .action(async (_o, cmd: Command) => {
      const o = opts(cmd) as GlobalOptions & DrillFlags;
      // The drill records its result: it claims the stack (a read-only file is refused before restoring anything).
      const check = (env: EnvReader) => drillConfig(env, o);
      const { env, timeoutMs, endpoint } = await loadInputs([], o, "verify", deps, { claim: "dr-drill" }, check);
      const config = drillConfig(env, o);
      const ctx = makeContext(env, o, deps, timeoutMs, endpoint);
      const [{ runDrill }, { summarise }] = await Promise.all([
        import("../recovery/drill.js"),
        import("../recovery/report.js"),
      ]);
      const interrupt = deps.interrupt ?? new Interrupt();
      const outcome = await interrupt.guard((signal) => runDrill(ctx, config, signal));
      const summary = summarise(outcome, config, ctx.aws.settings.region);
      if (summary.record) await env.record({ [LAST_DRILL_KEY]: summary.record });
      if (o.json) result({ ok: summary.verdict === "met", command: "dr-drill", drill: summary.json });
      else io.stdout(summary.text);
      if (outcome.error) throw outcome.error;
      if (summary.verdict !== "met") throw new CheckFailedError(`dr-drill: ${summary.verdict}`);
    });

  program
    .command("runbook")
    .description("the stack's recovery runbook in Markdown, its own ids filled in, from the env file and AWS")
    .action(async (_o, cmd: Command) => {
      const o = opts(cmd);
      const { env, timeoutMs, endpoint } = await loadInputs([], o, "verify", deps, "read");
      const [{ runbookInputs, gatherFacts }, { renderRunbook }] = await Promise.all([
        import("../recovery/runbook-facts.js"),
        import("../recovery/runbook.js"),
      ]);
      const inputs = runbookInputs(env);
      const ctx = makeContext(env, o, deps, timeoutMs, endpoint);
      const markdown = renderRunbook(
        await gatherFacts(ctx, inputs, o.envFile, o.sandbox ? await sandboxAccess() : undefined),
      );
      if (o.json) result({ ok: true, command: "runbook", markdown });
      else io.stdout(`${markdown}\n`);
    });
}
