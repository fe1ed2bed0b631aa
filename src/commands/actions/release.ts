// deploy and rollback: the service moved to another revision, followed, probed, and put back on failure.
import type { Command } from "commander";
import { InputError } from "../../core/errors.js";
import type { EnvReader } from "../../core/inputs.js";
import { defaultTimeoutMs, deployConfig } from "../../deploy/config.js";
import { parseImage } from "../../deploy/image.js";
import { type GlobalOptions, timeoutGiven } from "../options.js";
import type { Commands } from "../registration.js";
import { loadInputs, makeContext } from "../setup.js";

export async function deploy(commands: Commands, _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const o = opts(cmd) as GlobalOptions & {
    image: string;
    migrate?: boolean;
    rollback: boolean;
    forceNewDeployment?: boolean;
  };
  // The migration must have run before the service moves: that is a wait --no-wait cannot skip.
  if (o.migrate && !o.wait)
    throw new InputError(
      "--migrate waits for the migration task to finish before the service moves, and --no-wait says not to wait",
      "run the deploy with --migrate and without --no-wait",
    );
  const image = (env: EnvReader) => parseImage(o.image, env.get("ECR_REPOSITORY_URI"));
  const check = (env: EnvReader) => {
    deployConfig(env, { migrate: Boolean(o.migrate) });
    // `:tag` needs ECR_REPOSITORY_URI, which a store of the stack's record may hold.
    if (!o.image.trim().startsWith(":") || env.get("ECR_REPOSITORY_URI")) image(env);
  };
  const { env, timeoutMs: given, endpoint } = await loadInputs([], o, "create", deps, { claim: "deploy" }, check);
  const config = deployConfig(env, { migrate: Boolean(o.migrate) });
  const timeoutMs = timeoutGiven(cmd) ? given : defaultTimeoutMs(env);
  const ctx = makeContext(env, o, deps, timeoutMs, endpoint);
  const { deploy } = await import("../../deploy/deploy.js");
  const options = {
    image: image(env),
    migrate: Boolean(o.migrate),
    rollback: o.rollback,
    forceNewDeployment: Boolean(o.forceNewDeployment),
  };
  // Whatever the outcome, the run is summed up before it is reported.
  await deploy(ctx, config, options).finally(() => ctx.events.end());
  if (o.json) result({ ok: true, command: "deploy", events: ctx.events.log });
}

export async function rollback(commands: Commands, _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const o = opts(cmd) as GlobalOptions & { to?: string };
  if (o.to !== undefined && !/^(\d+|[\w-]+:\d+|arn:aws[a-z-]*:ecs:\S+)$/.test(o.to)) {
    throw new InputError(`--to ${o.to} is not a revision (7, family:7 or a task definition ARN)`);
  }
  const check = (env: EnvReader) => deployConfig(env, { migrate: false });
  const { env, timeoutMs: given, endpoint } = await loadInputs([], o, "create", deps, { claim: "rollback" }, check);
  const config = deployConfig(env, { migrate: false });
  const timeoutMs = timeoutGiven(cmd) ? given : defaultTimeoutMs(env);
  const ctx = makeContext(env, o, deps, timeoutMs, endpoint);
  const { rollback } = await import("../../deploy/deploy.js");
  await rollback(ctx, config, o.to).finally(() => ctx.events.end());
  if (o.json) result({ ok: true, command: "rollback", events: ctx.events.log });
}
