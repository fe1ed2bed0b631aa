// What a user names to `iam-policy`: a resource, a command, `ci` or `all`; and the entries of policy.ts's catalog
// (ACTIONS) each means. Apart from the catalog so that the command line can list them without loading it.
import { RESOURCE_NAMES } from "../resources/names.js";

const NAMED: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(RESOURCE_NAMES.map((k) => [k, [k, "leftovers"]])),
  deploy: ["deploy"],
  rollback: ["rollback"],
  "dr-drill": ["dr-drill"],
  runbook: ["runbook"],
  "load-test": ["load-test"],
  // The store of the stack's record (`iam-policy` adds it to any form when INFRA_STATE is set), and making it.
  state: ["state"],
  "state-init": ["state-init"],
  // What a CI job that builds, pushes and deploys needs: with the store it deploys from.
  ci: ["deploy", "rollback", "image-push", "state"],
};

export const TOPICS: Readonly<Record<string, readonly string[]>> = {
  ...NAMED,
  // Everything infra itself does; pushing an image is CI's (test/iam.test.ts: every other catalog entry is in it).
  all: [...new Set(Object.values(NAMED).flat())].filter((k) => k !== "image-push"),
};

/** What `iam-policy` accepts, in the order its help lists them. */
export const TOPIC_NAMES = Object.keys(TOPICS);
