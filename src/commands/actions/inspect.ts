// status, plan and cost: what exists, what create would change, and what the stack costs a month. All three read
// the same assessments create applies.
import type { Command } from "commander";
import type { Context } from "../../core/context.js";
import type { EnvFile } from "../../core/env-file.js";
import { BugError, CheckFailedError, ExitCode, InfraError, InputError } from "../../core/errors.js";
import type { EnvReader } from "../../core/inputs.js";
import { carryInvocation } from "../../core/invocation.js";
import { withSharedReads } from "../../core/shared-reads.js";
import { drillStatus } from "../../recovery/record.js";
import { diff } from "../../state/diff.js";
import { type Assessment, assess, refine, verifyResource } from "../../state/lifecycle.js";
import { type Change, isChange } from "../../state/model.js";
import { changeData, planLines } from "../../state/render.js";
import { type GlobalOptions, resolveRegion } from "../options.js";
import type { Commands } from "../registration.js";
import { configureEach, type Deps, loadInputs, makeContext, readAsStep, type Selected } from "../setup.js";

/** How long plan waits for credentials, and then for AWS's answers, before it shows the plan uncompared. */
const CREDENTIALS_MS = 1_500;
const ANSWERS_MS = 10_000;

export async function status(commands: Commands, _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const { io } = deps;
  const o = opts(cmd);
  const { env, timeoutMs, endpoint } = await loadInputs([], o, "verify", deps, "read");
  // status changes nothing: each object is read once, whichever resources read it.
  const ctx = withSharedReads(makeContext(env, o, deps, timeoutMs, endpoint));
  const unread: InfraError[] = [];
  // Every resource is read at once, and one AWS refuses to show (AccessDenied on one service, say) is a row, not
  // the end of the table: the rest of the stack is still worth seeing.
  const rows = await Promise.all(
    configureEach(env, "verify").map(async ({ resource, config, inputError }) => {
      const recorded = Object.fromEntries(resource.records.map((k) => [k, env.get(k) ?? ""]));
      const unknown = (problem: string) => ({
        resource: resource.name,
        recorded,
        exists: "?",
        changes: 0,
        healthy: false,
        problems: [problem],
      });
      if (inputError) return unknown(inputError);
      try {
        const a = await assess(ctx, resource, config);
        const checks = await verifyResource(ctx, a);
        const found = a.desired.filter((d) => a.observation.has(d.key)).length;
        const exists = found === 0 ? "no" : found === a.desired.length ? "yes" : "partly";
        const problems = checks
          .filter((c) => c.status === "FAIL")
          .map((c) => `${c.name}${c.detail ? ` (${c.detail})` : ""}`);
        return {
          resource: resource.name,
          recorded,
          exists,
          changes: a.changes.filter(isChange).length,
          healthy: problems.length === 0,
          problems,
        };
      } catch (err) {
        if (!(err instanceof InfraError) || err instanceof InputError || err instanceof BugError) throw err;
        unread.push(err);
        return unknown(err.message);
      }
    }),
  );
  const failed = unread[0]
    ? new InfraError(`status: ${unread.length} resource(s) could not be read: ${unread[0].message}`, ExitCode.aws)
    : undefined;
  const drills = drillStatus(env, ctx.clock.now());
  result({ ok: true, command: "status", resources: rows, ...drills.data });
  if (o.json) {
    if (failed) throw failed;
    return;
  }
  const { printStatus } = await import("../status-table.js");
  printStatus(
    io,
    rows.map((r) => ({
      ...r,
      // The first id it recorded, short: the tail of an ARN names the thing.
      recordedId: Object.values(r.recorded).find(Boolean)?.split(/[:/]/).slice(-2).join("/") ?? "-",
    })),
  );
  // Its "run `infra dr-drill`" runs where this status ran (--sandbox, -f, --region, --profile).
  io.stdout(carryInvocation(drills.lines, deps.invocation));
  if (failed) throw failed;
}

export async function plan(commands: Commands, names: string[], _o: unknown, cmd: Command): Promise<void> {
  const { deps, opts, result } = commands;
  const { io } = deps;
  const o = opts(cmd) as GlobalOptions & { exitCode?: boolean };
  const { env, selected, timeoutMs, endpoint } = await loadInputs(names.length ? names : ["all"], o, "plan");
  // No region is a reason not to compare; a region that is not one is the user's mistake to fix.
  const region = o.region ?? env.get("AWS_REGION") ?? deps.env.AWS_REGION;
  if (region) resolveRegion(region, undefined, undefined);
  const comparison = await compare(deps, env, o, timeoutMs, endpoint, selected);
  const plans = selected.map(({ resource, config }) => {
    const assessed = comparison.assessments?.get(resource.name);
    const desired = assessed?.desired ?? resource.desired(config);
    const changes = assessed?.changes ?? diff(desired, new Map());
    return { resource: resource.name, desired, changes };
  });
  const all = plans.flatMap((p) => p.changes);
  const cost = await monthlyCost(env, o.region, io.stdoutTerminal?.columns);
  if (o.json) {
    result({
      ok: true,
      command: "plan",
      compared: !comparison.reason,
      ...(comparison.reason ? { notCompared: comparison.reason } : {}),
      changes: countChanges(all),
      resources: plans.map((p) => ({ resource: p.resource, changes: changeData(p.changes, p.desired) })),
      cost: cost.estimate,
    });
  } else {
    if (comparison.reason)
      io.stdout(`Not compared with what exists (${comparison.reason}): the whole stack is shown as created.\n\n`);
    for (const p of plans) {
      const lines = planLines(p.changes, p.desired);
      io.stdout(`${p.resource}${p.changes.some(isChange) ? "" : ": no changes"}\n`);
      for (const line of lines) io.stdout(`  ${line}\n`);
    }
    const n = countChanges(all);
    io.stdout(
      `\nPlan: ${n.create} to create, ${n.update} to update, ${n.replace} to replace, ${n.adopt} to adopt, ${n.delete} to delete.\n`,
    );
    io.stdout(`\nMonthly cost, as configured\n${cost.text}\n`);
  }
  if (o.exitCode && comparison.reason)
    throw new InfraError(
      `plan --exit-code: not compared with what exists (${comparison.reason}), so whether create would change anything is unknown`,
      ExitCode.aws,
    );
  if (o.exitCode && all.some(isChange)) throw new CheckFailedError("create would change the stack");
}

export async function cost(commands: Commands, _o: unknown, cmd: Command): Promise<void> {
  const { opts, result, deps } = commands;
  const { io } = deps;
  const o = opts(cmd);
  const { env } = await loadInputs([], o, "plan");
  const cost = await monthlyCost(env, o.region, io.stdoutTerminal?.columns);
  if (o.json) return result({ ok: true, command: "cost", cost: cost.estimate });
  io.stdout(`${cost.text}\n`);
}

function countChanges(changes: Change[]) {
  const n = { create: 0, update: 0, replace: 0, adopt: 0, delete: 0 };
  for (const c of changes) if (c.action in n) n[c.action as keyof typeof n]++;
  return n;
}

/**
 * Plan compares with what exists when AWS answers: credentials are looked for once (each SDK client would
 * otherwise look on its own, and wait for an instance metadata endpoint that may never answer), and then AWS has
 * a time budget. Failing either, plan says once why it did not compare: the plan itself never needs AWS.
 */
async function compare(
  deps: Deps,
  env: EnvFile,
  o: GlobalOptions,
  timeoutMs: number,
  endpoint: string | undefined,
  selected: Selected[],
): Promise<{ assessments?: Map<string, Assessment>; reason?: string }> {
  let ctx: Context;
  try {
    // Quietly: plan prints its own result, not the reads behind it.
    ctx = withSharedReads(
      makeContext(env, { ...o, json: true }, { ...deps, io: { ...deps.io, stderr: () => {} } }, timeoutMs, endpoint),
    );
  } catch (err) {
    if (err instanceof InputError) return { reason: err.message };
    throw err;
  }
  const missing = await ctx.aws.missingCredentials(CREDENTIALS_MS);
  if (missing) return { reason: missing };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from AWS within ${ANSWERS_MS / 1000} s`)), ANSWERS_MS);
  });
  try {
    const observed = await Promise.race([
      Promise.all(selected.map(({ resource, config }) => assess(ctx, resource, config))),
      late,
    ]);
    const run = selected.map((s) => s.resource);
    const all = refine(observed, (r, view) => readAsStep(r, view, run, "plan"), env);
    return { assessments: new Map(all.map((a) => [a.resource.name, a])) };
  } catch (err) {
    return { reason: (err as Error).message.split("\n")[0] ?? String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Loaded on demand: the price table is data, not start-up work. The text fits `width` (a terminal's). */
async function monthlyCost(env: EnvReader, region: string | undefined, width?: number) {
  const [{ costInputFrom }, { estimateMonthlyCost }, { formatCost, formatWafOffer }] = await Promise.all([
    import("../../cost/from-env.js"),
    import("../../cost/estimate.js"),
    import("../../cost/render.js"),
  ]);
  const fit = width === undefined ? undefined : { width, ...(await import("../../core/text.js")) };
  const input = costInputFrom(env, region);
  const estimate = estimateMonthlyCost(input);
  if (input.wafEnabled) return { estimate, text: formatCost(estimate, fit) };
  // The WAF is opt-in: show what turning it on would add, so the decision can be made from here.
  const withWaf = estimateMonthlyCost({ ...input, wafEnabled: true });
  const waf = withWaf.lines.filter((l) => l.item.startsWith("WAF"));
  const addsUsd = Math.round((withWaf.totalUsd - estimate.totalUsd) * 100) / 100;
  const text = `${formatCost(estimate, fit)}\n${formatWafOffer(addsUsd, waf, fit)}`;
  return { estimate: { ...estimate, wafIfEnabled: { addsUsd, lines: waf } }, text };
}
