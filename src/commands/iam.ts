// iam-policy: the least-privilege IAM policy for the resources and commands named (default: everything infra does).
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { EnvFile } from "../core/env-file.js";
import { InputError } from "../core/errors.js";
import { readInputs } from "../core/inputs.js";
import { roleArn } from "../core/validators.js";
import { policyFor, TOPICS } from "../iam/policy.js";
import { parseStoreUrl, storeUrlFor } from "../store/location.js";
import type { Commands } from "./program.js";

export function registerIamPolicy({ program, deps, opts, result }: Commands): void {
  const topics = Object.keys(TOPICS).filter((t) => t !== "leftovers");
  program
    .command("iam-policy")
    .description("the least-privilege IAM policy those resources and commands need, as JSON")
    .argument("[what...]", `all (the default), or any of: ${topics.filter((t) => t !== "all").join(", ")}`)
    .option(
      "--pass-role <arn>",
      "another role infra may pass to ECS tasks (repeatable): one a migration task definition uses beside the two task roles",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .action(async (names: string[], command: { passRole: string[] }, cmd: Command) => {
      const o = opts(cmd);
      for (const arn of command.passRole) roleArn("--pass-role", arn);
      const wanted = names.length ? names : ["all"];
      const unknown = wanted.find((n) => !topics.includes(n));
      if (unknown) throw new InputError(`unknown resource or command ${unknown}`, `one of: ${topics.join(", ")}`);
      // destroy all ends with a scan of what is left: part of every resource's destroy.
      const covered = wanted.includes("all") ? wanted : [...wanted, "leftovers"];
      // The task roles the policy lets infra pass to ECS come from the env file, when there is one.
      // No file is fine (a policy can be written before the stack); a file that is there is read and checked as any.
      const env = existsSync(o.envFile) ? await EnvFile.load(o.envFile) : undefined;
      const inputs = env && readInputs(env, "iam-policy");
      const taskRoles = ["ECS_TASK_EXECUTION_ROLE_ARN", "ECS_TASK_ROLE_ARN"].flatMap((k) => inputs?.maybe(k) ?? []);
      const roles = [...new Set([...taskRoles, ...command.passRole])];
      if (!env && command.passRole.length === 0) {
        const message = `no env file at ${o.envFile}: iam:PassRole is allowed for any role passed to ECS tasks, not only the two task roles`;
        deps.io.stderr(o.json ? `${JSON.stringify({ kind: "note", message })}\n` : `note: ${message}\n`);
      }
      // With a store of the stack's record, every command that records reads and writes it.
      const url = env && storeUrlFor(o.state, env, deps.env);
      const store = url ? parseStoreUrl(url) : undefined;
      const policy = policyFor(store ? [...covered, "state"] : covered, roles, store);
      if (o.json) result({ ok: true, command: "iam-policy", policy });
      else deps.io.stdout(`${JSON.stringify(policy, null, 2)}\n`);
    });
}
