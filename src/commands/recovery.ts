// dr-drill and runbook: their command lines. What they do (prove the database can be restored, how fast and how
// fresh, and say how to recover) is in actions/recovery.ts, loaded when one of them runs.
import { defaultOf } from "../core/keys.js";
import type { Commands } from "./registration.js";

export function registerRecovery({ program, lazy }: Commands): void {
  const load = () => import("./actions/recovery.js");
  program
    .command("dr-drill")
    .description("restore the database into a temporary instance, check it, delete it: RTO and RPO against the targets")
    .option(
      "--point-in-time <latest>",
      "restore to the latest restorable time instead of the newest automated snapshot",
    )
    .option(
      "--check-command <command>",
      'check with this command in the migration task\'s container instead (DR_CHECK_COMMAND); it must read DATABASE_HOST and print "dr-check connected <host> <port>"',
    )
    .option(
      "--rehearse-cutover",
      `then time a cutover on copies: the database secret pointed at the restored instance, and the app run once against it (DR_CUTOVER_COMMAND, default "${defaultOf("DR_CUTOVER_COMMAND", () => undefined)}")`,
    )
    .option("--keep", "keep the restored instance afterwards (it is billed until deleted)")
    .addHelpText(
      "after",
      "\n--timeout bounds each wait of the drill; by default it is DR_RTO_TARGET: a restore still not usable then has missed its target.\n",
    )
    .action(lazy(load, "drDrill"));

  program
    .command("runbook")
    .description("the stack's recovery runbook in Markdown, its own ids filled in, from the env file and AWS")
    .action(lazy(load, "runbook"));
}
