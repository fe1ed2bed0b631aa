// `infra state init`, `infra state pull` and `infra unlock`: their command lines. What they do (the stack's record and
// claim kept in S3, pulled into the env file, a claim whose run is gone removed) is in actions/state.ts.
import { STORE_KEY } from "../store/location.js";
import type { Commands } from "./registration.js";

export function registerState({ program, lazy }: Commands): void {
  const load = () => import("./actions/state.js");
  const state = program
    .command("state")
    .description("the stack's record and claim kept in S3, where CI and every other machine reach them");

  state
    .command("init")
    .description(
      `make infra's bucket (once per account and region) and this stack's record in it from this env file, and add ${STORE_KEY} to the env file`,
    )
    .action(lazy(load, "init"));

  state
    .command("pull")
    .description(
      "take the stack's record from the store into the env file (one read: nothing else is asked of AWS), and print the value of each key given",
    )
    .argument("[key...]", "keys to print, one value a line (ECR_REPOSITORY_URI: where CI pushes the image)")
    .action(lazy(load, "pull"));

  program
    .command("unlock")
    .description(
      "remove the stack's claim left by a run that is gone (refused while its lease is live, unless --force)",
    )
    .argument("<claim-id>", "the id the refusal named (claim 3f9a1c2e)")
    .option("--force", "remove it even while its lease is live: only when that run is known to be gone")
    .action(lazy(load, "unlock"));
}
