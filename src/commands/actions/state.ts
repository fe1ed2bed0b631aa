// `infra state init` (the stack's record and claim kept in S3, for CI and other machines), `infra state pull` (the
// record into the env file, and a key's value for a CI step) and `infra unlock` (a claim whose run is gone, removed by
// its id).
import { hostname } from "node:os";
import type { Command } from "commander";
import { unlockClaim } from "../../core/claim.js";
import { systemClock } from "../../core/clock.js";
import { InputError } from "../../core/errors.js";
import { isAlive } from "../../core/file-lock.js";
import { KEYS } from "../../core/keys.js";
import { RunLock } from "../../core/run-lock.js";
import { accountOf, defaultStoreUrl, STORE_KEY, storeUrlFor } from "../../store/location.js";
import { resolveRegion } from "../options.js";
import type { Commands } from "../registration.js";
import { loadInputs, makeContext, RECORDED_KEYS } from "../setup.js";

export async function init(commands: Commands, _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const { io } = deps;
  const o = opts(cmd);
  const { env, timeoutMs, endpoint } = await loadInputs([], o, "plan");
  const region = resolveRegion(o.region, env.get("AWS_REGION"), deps.env.AWS_REGION);
  const account = accountOf(env);
  const project = env.get("PROJECT_NAME");
  const url =
    storeUrlFor(o.state, env, deps.env) ?? (account && project ? defaultStoreUrl(account, region, project) : undefined);
  if (!url)
    throw new InputError(
      "no account id in the env file to name infra's bucket after (ECS_TASK_EXECUTION_ROLE_ARN, ECR_REPOSITORY_URI)",
      "pass --state s3://<bucket>/<key>",
    );
  const ctx = makeContext(env, o, deps, timeoutMs, endpoint);
  const { initStore } = await import("../../store/open.js");
  const { created } = await initStore(
    { url, env, aws: ctx.aws, region, recorded: RECORDED_KEYS },
    ctx.events.for("state"),
  );
  if (o.json) return result({ ok: true, command: "state init", url, created });
  io.stdout(
    `${STORE_KEY}="${url}"\nThe stack's record and claim are kept there from now on (the line above is in ${o.envFile}).\nOn another machine or in CI: the same line in its env file, or --state ${url}.\n`,
  );
}

export async function pull(commands: Commands, keys: string[], _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const { io } = deps;
  const o = opts(cmd);
  const unknown = keys.filter((k) => !(k in KEYS));
  if (unknown.length) throw new InputError(`${unknown.join(", ")}: not a key infra reads or records`);
  const { env } = await loadInputs([], o, "verify", deps, "read");
  if (!storeUrlFor(o.state, env, deps.env))
    throw new InputError(
      `no store to pull from: ${o.envFile} has no ${STORE_KEY} line`,
      "pass --state <url>, or set INFRA_STATE",
    );
  const missing = keys.filter((k) => !env.get(k));
  if (missing.length) throw new InputError(`the stack's record and ${o.envFile} hold no ${missing.join(", ")}`);
  const values = keys.map((k) => env.get(k) as string);
  if (o.json)
    return result({
      ok: true,
      command: "state pull",
      values: Object.fromEntries(keys.map((k, n) => [k, values[n]])),
    });
  if (values.length) io.stdout(`${values.join("\n")}\n`);
}

export async function unlock(commands: Commands, id: string, o: { force?: boolean }, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const { io } = deps;
  const g = opts(cmd);
  const { env, timeoutMs, endpoint } = await loadInputs([], g, "plan");
  const url = storeUrlFor(g.state, env, deps.env);
  let slot: Parameters<typeof unlockClaim>[0] = new RunLock(env.realPath);
  if (url) {
    const ctx = makeContext(env, g, deps, timeoutMs, endpoint);
    const { openStore } = await import("../../store/open.js");
    slot = openStore({ url, env, aws: ctx.aws, region: ctx.aws.settings.region, recorded: RECORDED_KEYS });
  }
  const clock = deps.clock ?? systemClock;
  const line = await unlockClaim(slot, id, Boolean(o.force), { clock, host: hostname(), isAlive });
  if (g.json) return result({ ok: true, command: "unlock", removed: line });
  io.stdout(`${line}\n`);
}
