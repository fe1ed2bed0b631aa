// dr-drill and runbook: prove the database can be restored (and how fast, how fresh), and say how to recover.
import type { Command } from "commander";
import { CheckFailedError } from "../../core/errors.js";
import type { EnvReader } from "../../core/inputs.js";
import { Interrupt } from "../../core/interrupt.js";
import { type DrillFlags, drillConfig } from "../../recovery/config.js";
import type { DrillOutcome } from "../../recovery/drill.js";
import { recordDrill } from "../../recovery/record.js";
import { type GlobalOptions, timeoutGiven } from "../options.js";
import type { Commands } from "../registration.js";
import { loadInputs, makeContext } from "../setup.js";

/** What a runbook written in the sandbox tells the AWS CLI: the served sandbox's URL variable and credentials. */
async function sandboxAccess() {
  const [{ SANDBOX_URL_VARIABLE }, { SANDBOX_CREDENTIALS }] = await Promise.all([
    import("../../sandbox/files.js"),
    import("../../sandbox/session.js"),
  ]);
  return { urlVariable: SANDBOX_URL_VARIABLE, ...SANDBOX_CREDENTIALS };
}

/**
 * What the drill's instance was billed, and what the other shape would have been: production's when the drill used
 * DR_DRILL_INSTANCE_CLASS, the smallest class single-AZ when it used production's (whose RTO is a recovery's).
 */
async function drillCostLine(o: DrillOutcome, region: string): Promise<string | undefined> {
  if (!o.shape || !o.record.billedMs) return undefined;
  const [{ drillCost }, { pricesFor }] = await Promise.all([
    import("../../cost/drill.js"),
    import("../../cost/prices.js"),
  ]);
  const { table } = pricesFor(region);
  const hours = o.record.billedMs / 3_600_000;
  const priced = (instanceClass: string, multiAZ: boolean) =>
    drillCost(table, { instanceClass, multiAZ, storageGb: o.shape?.storageGb ?? 0, hours, basis: "last drill" });
  const usd = (n: number | undefined) => (n === undefined ? "not priced" : `$${n.toFixed(2)}`);
  const { production } = o.shape;
  const asProduction = o.shape.instanceClass === production.instanceClass && o.shape.multiAZ === production.multiAZ;
  const other = asProduction
    ? {
        label: "db.t4g.micro single-AZ (DR_DRILL_INSTANCE_CLASS=db.t4g.micro; not production's RTO)",
        ...priced("db.t4g.micro", false),
      }
    : {
        label: `production's ${production.instanceClass}${production.multiAZ ? " Multi-AZ" : ""} (without DR_DRILL_INSTANCE_CLASS)`,
        ...priced(production.instanceClass, production.multiAZ),
      };
  const mine = priced(o.shape.instanceClass, o.shape.multiAZ);
  return `${usd(mine.usd)} for this drill (${mine.detail}); ${other.label}: ${usd(other.usd)}`;
}

export async function drDrill(commands: Commands, _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const { io } = deps;
  const o = opts(cmd) as GlobalOptions & DrillFlags;
  // The drill records its result: it claims the stack (a read-only file is refused before restoring anything).
  const check = (env: EnvReader) => drillConfig(env, o);
  const { env, timeoutMs: given, endpoint } = await loadInputs([], o, "verify", deps, { claim: "dr-drill" }, check);
  const config = drillConfig(env, o);
  const timeoutMs = timeoutGiven(cmd) ? given : config.targets.rtoMs;
  const ctx = makeContext(env, o, deps, timeoutMs, endpoint);
  const [{ runDrill }, { summarise }, { deleteLine }] = await Promise.all([
    import("../../recovery/drill.js"),
    import("../../recovery/report.js"),
    import("../../recovery/rds.js"),
  ]);
  const interrupt = deps.interrupt ?? new Interrupt();
  const outcome = await interrupt.guard((signal) => runDrill(ctx, config, signal));
  const summary = summarise(outcome, config, {
    deleteIt: deleteLine(ctx, outcome.instance ?? ""),
    cost: await drillCostLine(outcome, ctx.aws.settings.region),
  });
  // Every drill is recorded, a failed or interrupted one too.
  await recordDrill(env, summary.keys);
  if (o.json) result({ ok: summary.verdict === "met", command: "dr-drill", drill: summary.json });
  else io.stdout(summary.text);
  if (outcome.error) throw outcome.error;
  if (summary.verdict !== "met") throw new CheckFailedError(`dr-drill: ${summary.verdict}`);
}

export async function runbook(commands: Commands, _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const { io } = deps;
  const o = opts(cmd);
  const { env, timeoutMs, endpoint } = await loadInputs([], o, "verify", deps, "read");
  const [{ runbookInputs, gatherFacts }, { renderRunbook }] = await Promise.all([
    import("../../recovery/runbook-facts.js"),
    import("../../recovery/runbook.js"),
  ]);
  const inputs = runbookInputs(env);
  const ctx = makeContext(env, o, deps, timeoutMs, endpoint);
  const markdown = renderRunbook(await gatherFacts(ctx, inputs, o.sandbox ? await sandboxAccess() : undefined));
  if (o.json) result({ ok: true, command: "runbook", markdown });
  else io.stdout(`${markdown}\n`);
}
