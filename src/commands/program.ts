// The commander layer: parse, validate, build the context, call the resources in order, render, exit code.
import { Command, CommanderError, Option } from "commander";
import type { Context } from "../core/context.js";
import type { EnvFile } from "../core/env-file.js";
import { CheckFailedError, describeError, ExitCode, InputError } from "../core/errors.js";
import type { EnvReader } from "../core/inputs.js";
import { deployConfig } from "../deploy/config.js";
import { parseImage } from "../deploy/image.js";
import { RESOURCES } from "../resources/registry.js";
import type { Check, Resource } from "../resources/resource.js";
import { DEFAULT_TIMEOUT, type GlobalOptions } from "./options.js";
import { type Io, printChecks, printJson, printTable } from "./render.js";
import { configureEach, type Deps, loadInputs, makeContext, prepare } from "./setup.js";
import { runSteps, type StepOutcome, summarize } from "./steps.js";

export const VERSION = "0.1.0";

export async function main(argv: string[], deps: Deps): Promise<number> {
  const { io } = deps;
  const program = buildProgram(deps);
  try {
    await program.parseAsync(argv, { from: "user" });
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message; help and version are successes, anything else is usage.
      // (`infra` alone shows the help too, as a usage error: commander.help.)
      return ["commander.helpDisplayed", "commander.version"].includes(err.code) ? 0 : ExitCode.input;
    }
    const { lines, exitCode } = describeError(err, argv.includes("--verbose"));
    if (!(err instanceof CheckFailedError)) io.stderr(`${lines.join("\n")}\n`);
    if (argv.includes("--json") && !(err instanceof CheckFailedError))
      printJson(io, { ok: false, error: lines[0], exitCode });
    return exitCode;
  }
}

function buildProgram(deps: Deps): Command {
  const { io } = deps;
  const program = new Command("infra")
    .description("Take a containerised web service to production on AWS, and keep it there.")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError()
    .option("--env-file <path>", "the env file to read inputs from and record resources in", "./aws-resources.env")
    .option("--region <region>", "AWS region (default: AWS_REGION in the env file, then in the environment)")
    .option("--profile <name>", "AWS profile to take credentials from")
    .addOption(new Option("--endpoint-url <url>", "AWS-compatible endpoint (LocalStack, moto)").env("AWS_ENDPOINT_URL"))
    .option("--json", "print one JSON document on stdout", false)
    .option("--yes", "do not ask for confirmation", false)
    .option("--no-wait", "start what takes long and return without waiting")
    .option("--timeout <duration>", "limit for each wait (90s, 15m, 1h)", DEFAULT_TIMEOUT)
    .option("--verbose", "show stack traces of errors", false);

  const opts = (cmd: Command) => {
    const o = cmd.optsWithGlobals() as GlobalOptions;
    // Commander reads the env var itself; tests pass their own environment.
    return { ...o, endpointUrl: o.endpointUrl ?? deps.env.AWS_ENDPOINT_URL };
  };
  const resourceHelp = `resources: all, ${RESOURCES.map((r) => r.name).join(", ")}`;

  program
    .command("create")
    .description("make what is missing, leave what is right alone")
    .argument("<resource...>", resourceHelp)
    .action(async (names: string[], _o, cmd: Command) => {
      const o = opts(cmd);
      const { ctx, selected } = await prepare(names, o, "create", deps);
      // Each step reads its inputs again when its turn comes: the steps before it have recorded theirs.
      const outcomes = await runSteps(
        selected.map((s) => s.resource),
        "create",
        async (r) => (await r.load()).create(ctx, r.config(ctx.env, "create")),
      );
      finish(io, o, ctx, outcomes, `create ${names.join(" ")}`);
    });

  program
    .command("verify")
    .description("check, read-only, that each piece exists and is configured as specified")
    .argument("<resource...>", resourceHelp)
    .action(async (names: string[], _o, cmd: Command) => {
      const o = opts(cmd);
      const { ctx, selected } = await prepare(names, o, "verify", deps);
      const checks: Check[] = [];
      for (const { resource, config } of selected) checks.push(...(await (await resource.load()).verify(ctx, config)));
      if (o.json) printJson(io, { ok: checks.every((c) => c.status !== "FAIL"), command: "verify", checks });
      else printChecks(io, checks);
      const failed = checks.filter((c) => c.status === "FAIL");
      if (failed.length > 0) throw new CheckFailedError(`${failed.length} check(s) failed`);
    });

  program
    .command("destroy")
    .description("remove what this tool made, in reverse order")
    .argument("<resource...>", resourceHelp)
    .option("--keep-logs", "leave the service's log group (and the logs in it) in place")
    .action(async (names: string[], _o, cmd: Command) => {
      const o = opts(cmd);
      const { ctx, selected } = await prepare(names, o, "destroy", deps);
      await confirmDestroy(
        deps,
        o,
        selected.map((s) => s.resource),
        ctx,
      );
      const outcomes = await runSteps(
        selected.map((s) => s.resource),
        "destroy",
        async (r) => (await r.load()).destroy(ctx, r.config(ctx.env, "destroy")),
      );
      if (names.includes("all") && outcomes.every((x) => x.status === "done"))
        await reportLeftovers(ctx, env(ctx, "PROJECT_NAME"));
      finish(io, o, ctx, outcomes, `destroy ${names.join(" ")} --yes`);
    });

  program
    .command("status")
    .description("every resource: recorded ids, exists?, healthy?")
    .action(async (_o, cmd: Command) => {
      const o = opts(cmd);
      const { env, timeoutMs, endpoint } = await loadInputs([], o, "verify");
      const ctx = makeContext(env, o, deps, timeoutMs, endpoint);
      const rows = [];
      for (const { resource, config, inputError } of configureEach(env, "verify")) {
        const checks = inputError ? [] : await (await resource.load()).verify(ctx, config);
        const recorded = Object.fromEntries(resource.records.map((k) => [k, env.get(k) ?? ""]));
        const exists = checks[0]?.status === "OK";
        const healthy = exists && checks.every((c) => c.status !== "FAIL");
        const failed = inputError ? [inputError] : checks.filter((c) => c.status === "FAIL").map((c) => c.name);
        rows.push({ resource: resource.name, recorded, exists, healthy, failed });
      }
      if (o.json) return printJson(io, { ok: true, command: "status", resources: rows });
      printTable(
        io,
        ["RESOURCE", "EXISTS", "HEALTHY", "RECORDED ID", "PROBLEMS"],
        rows.map((r) => [
          r.resource,
          r.exists ? "yes" : "no",
          r.healthy ? "yes" : "no",
          // The first id it recorded, short: the tail of an ARN names the thing.
          Object.values(r.recorded).find(Boolean)?.split(/[:/]/).slice(-2).join("/") ?? "-",
          r.failed.join("; "),
        ]),
      );
    });

  program
    .command("deploy")
    .description("new revision with this image -> update the service -> follow it -> probe; rolls back on failure")
    .requiredOption(
      "--image <uri|:tag>",
      "the image to run: repository:tag, repository@sha256:..., or :tag in ECR_REPOSITORY_URI",
    )
    .option("--migrate", "first run the migration task definition (ECS_TASK_DEFINITION_FAMILY) with the new image")
    .option("--no-rollback", "leave the service where a failed deployment left it")
    .action(async (_o, cmd: Command) => {
      const o = opts(cmd) as GlobalOptions & { image: string; migrate?: boolean; rollback: boolean };
      const { env, timeoutMs, endpoint } = await loadInputs([], o, "create");
      const config = deployConfig(env, { migrate: Boolean(o.migrate) });
      const image = parseImage(o.image, env.get("ECR_REPOSITORY_URI"));
      const ctx = makeContext(env, o, deps, timeoutMs, endpoint);
      await (await import("../deploy/deploy.js")).deploy(ctx, config, {
        image,
        migrate: Boolean(o.migrate),
        rollback: o.rollback,
      });
      if (o.json) printJson(io, { ok: true, command: "deploy", events: ctx.events.log });
    });

  program
    .command("rollback")
    .description("back to the last known-good revision (or --to one), followed and probed like a deploy")
    .option("--to <revision>", "a revision number, family:revision or task definition ARN")
    .action(async (_o, cmd: Command) => {
      const o = opts(cmd) as GlobalOptions & { to?: string };
      const { env, timeoutMs, endpoint } = await loadInputs([], o, "create");
      const config = deployConfig(env, { migrate: false });
      if (o.to !== undefined && !/^(\d+|[\w-]+:\d+|arn:aws[a-z-]*:ecs:\S+)$/.test(o.to)) {
        throw new InputError(`--to ${o.to} is not a revision (7, family:7 or a task definition ARN)`);
      }
      const ctx = makeContext(env, o, deps, timeoutMs, endpoint);
      await (await import("../deploy/deploy.js")).rollback(ctx, config, o.to);
      if (o.json) printJson(io, { ok: true, command: "rollback", events: ctx.events.log });
    });

  program
    .command("plan")
    .description("what create would do, step by step; needs no AWS account")
    .argument("[resource...]", resourceHelp)
    .action(async (names: string[], _o, cmd: Command) => {
      const o = opts(cmd);
      const { env, selected, timeoutMs, endpoint } = await loadInputs(names.length ? names : ["all"], o, "plan");
      const steps = selected.map(({ resource, config }) => ({ resource: resource.name, steps: resource.plan(config) }));
      const verdicts = await compare(
        deps,
        env,
        o,
        timeoutMs,
        endpoint,
        selected.map((s) => s.resource),
      );
      const plan = steps.map((p) => ({ ...p, ...verdicts.find((v) => v.resource === p.resource) }));
      const cost = await monthlyCost(env, o.region);
      if (o.json) return printJson(io, { ok: true, command: "plan", plan, cost: cost.estimate });
      for (const p of plan) {
        io.stdout(`${p.resource}: ${p.verdict ?? "not compared"}${p.detail ? ` (${p.detail})` : ""}\n`);
        for (const [i, step] of p.steps.entries()) io.stdout(`  ${i + 1}. ${step}\n`);
      }
      io.stdout(`\nMonthly cost, as configured\n${cost.text}\n`);
    });

  program
    .command("cost")
    .description("the monthly cost of the stack as configured, line by line")
    .action(async (_o, cmd: Command) => {
      const o = opts(cmd);
      const { env } = await loadInputs([], o, "plan");
      const cost = await monthlyCost(env, o.region);
      if (o.json) return printJson(io, { ok: true, command: "cost", cost: cost.estimate });
      io.stdout(`${cost.text}\n`);
    });

  return program;
}

/** Plan compares with what exists when AWS answers; without a region or an account it says it could not. */
async function compare(
  deps: Deps,
  env: EnvFile,
  o: GlobalOptions,
  timeoutMs: number,
  endpoint: string | undefined,
  resources: Resource[],
) {
  const { compareWithAws } = await import("./compare.js");
  let ctx: Context;
  try {
    // Quietly: plan prints its own result, not the reads behind it.
    ctx = makeContext(
      env,
      { ...o, json: true },
      { ...deps, io: { ...deps.io, stderr: () => {} } },
      timeoutMs,
      endpoint,
    );
  } catch (err) {
    const detail = `could not compare with what exists: ${(err as Error).message}`;
    return resources.map((r) => ({ resource: r.name, verdict: "not compared" as const, detail }));
  }
  return compareWithAws(ctx, resources);
}

/** Loaded on demand: the price table is data, not start-up work. */
async function monthlyCost(env: EnvReader, region: string | undefined) {
  const [{ costInputFrom }, { estimateMonthlyCost }, { formatCost }] = await Promise.all([
    import("../cost/from-env.js"),
    import("../cost/estimate.js"),
    import("../cost/render.js"),
  ]);
  const input = costInputFrom(env, region);
  const estimate = estimateMonthlyCost(input);
  if (input.wafEnabled) return { estimate, text: formatCost(estimate) };
  // The WAF is opt-in (Phase 5.17): show what turning it on would add, so the decision can be made from here.
  const withWaf = estimateMonthlyCost({ ...input, wafEnabled: true });
  const waf = withWaf.lines.filter((l) => l.item.startsWith("WAF"));
  const addsUsd = Math.round((withWaf.totalUsd - estimate.totalUsd) * 100) / 100;
  const text = `${formatCost(estimate)}\nWAF (opt-in, WAF_ENABLED=true) would add $${addsUsd.toFixed(2)}/month: ${waf.map((l) => `${l.item} ${l.detail}`).join("; ")}`;
  return { estimate: { ...estimate, wafIfEnabled: { addsUsd, lines: waf } }, text };
}

/** After the steps: the JSON document, or the summary and the first failure (which sets the exit code). */
function finish(io: Io, o: GlobalOptions, ctx: Context, outcomes: StepOutcome[], command: string) {
  const failures = outcomes.flatMap((x) => (x.status === "failed" ? [x.error] : []));
  const summary = summarize(outcomes, command);
  if (o.json) {
    const steps = outcomes.map(({ name, status }) => ({ name, status }));
    printJson(io, { ok: failures.length === 0, command: command.split(" ")[0], steps, events: ctx.events.log });
  }
  if (summary) io.stderr(`${summary}\n`);
  if (failures.length > 0) throw failures[0];
}

const env = (ctx: Context, key: string) => ctx.env.get(key) ?? "";

/** Destroy lists what it will delete (what the env file recorded) and asks on a terminal; never silently. */
async function confirmDestroy(deps: Deps, o: GlobalOptions, resources: Resource[], ctx: Context) {
  if (o.yes) return;
  if (!deps.io.stdinIsTTY) {
    throw new InputError(
      "destroy asks for confirmation, and stdin is not a terminal",
      "pass --yes to destroy without asking",
    );
  }
  const lines = resources.map((r) => {
    const recorded = r.records.map((k) => ctx.env.get(k)).filter(Boolean);
    return `  ${r.name}: ${recorded.length ? recorded.join(", ") : "(nothing recorded; looked up by name and tag)"}`;
  });
  deps.io.stderr(`This deletes, in ${ctx.aws.settings.region}:\n${lines.join("\n")}\n`);
  const question = `Destroy ${resources.map((r) => r.name).join(", ")} recorded in ${o.envFile}? Type yes to go on: `;
  if ((await deps.io.ask(question)).trim() !== "yes") throw new InputError("destroy cancelled: nothing was changed");
}

/** `destroy all` ends by asking AWS what still carries this stack's tags. */
async function reportLeftovers(ctx: Context, project: string) {
  const { leftovers } = await import("../core/leftovers.js");
  const left = await leftovers(ctx, project);
  const ev = ctx.events.for("all");
  if (left.length === 0)
    ev.deleted(`nothing tagged Project=${project}, ManagedBy=infra is left in ${ctx.aws.settings.region}`);
  else ev.warning(`still tagged Project=${project}, ManagedBy=infra: ${left.join(", ")}`);
}
