// create, verify and destroy: their command lines. What they do (the resources' assessments applied as a step graph,
// shown as checks, or removed) is in actions/lifecycle.ts, loaded when one of them runs.
import type { Commands } from "./registration.js";

export function registerLifecycle({ program, resourceHelp, lazy }: Commands): void {
  const load = () => import("./actions/lifecycle.js");
  program
    .command("create")
    .description("make what is missing, change what differs (asking first), leave what is right alone")
    .argument("<resource...>", resourceHelp)
    .action(lazy(load, "create"));

  program
    .command("verify")
    .description("check, read-only, that each piece exists and is as specified, and is healthy")
    .argument("<resource...>", resourceHelp)
    .action(lazy(load, "verify"));

  program
    .command("destroy")
    .description("remove what this tool made, in reverse order")
    .argument("<resource...>", resourceHelp)
    .option("--keep-logs", "leave the service's log group (and the logs in it) in place")
    .action(lazy(load, "destroy"));
}
