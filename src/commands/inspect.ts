// status, plan and cost: their command lines. What they do (what exists, what create would change, what the stack
// costs a month, all from the assessments create applies) is in actions/inspect.ts, loaded when one of them runs.
import type { Commands } from "./registration.js";

export function registerInspection({ program, resourceHelp, lazy }: Commands): void {
  const load = () => import("./actions/inspect.js");
  program
    .command("status")
    .description("every resource: recorded ids, exists?, in sync?, healthy?")
    .action(lazy(load, "status"));

  program
    .command("plan")
    .description("what create would change, field by field, and the monthly cost; needs no AWS account")
    .argument("[resource...]", resourceHelp)
    .option("--exit-code", "exit 1 when create would change anything, 0 when not (as git diff --exit-code)")
    .action(lazy(load, "plan"));

  program
    .command("cost")
    .description("the monthly cost of the stack as configured, line by line")
    .action(lazy(load, "cost"));
}
