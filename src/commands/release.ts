// deploy and rollback: their command lines. What they do (the service moved to another revision, followed, probed,
// and put back on failure) is in actions/release.ts, loaded when one of them runs.
import { defaultTimeoutHelp } from "../deploy/config.js";
import type { Commands } from "./registration.js";

export function registerRelease({ program, lazy }: Commands): void {
  const load = () => import("./actions/release.js");
  program
    .command("deploy")
    .description(
      "new revision with this image -> update the service -> follow it -> probe -> tag it KnownGood; rolls back on failure (--no-wait: starts the deployment and returns)",
    )
    .requiredOption(
      "--image <uri|:tag>",
      "the image to run: repository:tag, repository@sha256:..., or :tag in ECR_REPOSITORY_URI",
    )
    .option("--migrate", "first run the migration task definition (ECS_TASK_DEFINITION_FAMILY) with the new image")
    .option("--no-rollback", "leave the service where a failed deployment left it")
    .option(
      "--force-new-deployment",
      "when the service runs this image already, start a new deployment even if its tag still names the digest the tasks run, or they cannot be compared",
    )
    .addHelpText("after", `\n${defaultTimeoutHelp()}\n`)
    .action(lazy(load, "deploy"));

  program
    .command("rollback")
    .description(
      "back to the newest revision tagged KnownGood before the current one (or --to one), followed and probed like a deploy",
    )
    .option("--to <revision>", "a revision number, family:revision or task definition ARN")
    .addHelpText("after", `\n${defaultTimeoutHelp()}\n`)
    .action(lazy(load, "rollback"));
}
