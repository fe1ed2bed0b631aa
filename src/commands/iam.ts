// iam-policy: its command line. The policy, scoped to the stack the env file names, is made in actions/iam.ts.
import { TOPIC_NAMES } from "../iam/topics.js";
import type { Commands } from "./registration.js";

export function registerIamPolicy({ program, lazy }: Commands): void {
  const load = () => import("./actions/iam.js");
  program
    .command("iam-policy")
    .description("the least-privilege IAM policy those resources and commands need, scoped to the stack, as JSON")
    .argument("[what...]", `all (the default), or any of: ${TOPIC_NAMES.filter((t) => t !== "all").join(", ")}`)
    .option(
      "--pass-role <arn>",
      "another role infra may pass to ECS tasks (repeatable): one a migration task definition uses beside the two task roles",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .action(lazy(load, "iamPolicy"));
}
