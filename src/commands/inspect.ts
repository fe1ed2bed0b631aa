// status, plan and cost: what exists, what create would do, and what the stack costs a month.
import type { Command } from "commander";
import type { Context } from "../core/context.js";
import type { EnvFile } from "../core/env-file.js";
import type { EnvReader } from "../core/inputs.js";
import { drillStatus, lastDrill } from "../recovery/record.js";
import type { Resource } from "../resources/resource.js";
import type { GlobalOptions } from "./options.js";
import type { Commands } from "./program.js";
import { printJson, printTable } from "./render.js";
import { configureEach, type Deps, loadInputs, makeContext } from "./setup.js";

export function registerInspection({ program, deps, opts, resourceHelp }: Commands): void {
  const { io } = deps;
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
      if (o.json) return printJson(io, { ok: true, command: "status", resources: rows, ...lastDrill(env) });
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
      io.stdout(drillStatus(env).line);
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
