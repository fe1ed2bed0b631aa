import { describe, expect, it } from "vitest";
import {
  AUTOSCALING_ALARMS,
  type CostEstimate,
  type CostInput,
  cents,
  estimateMonthlyCost,
  monitoringAlarmCount,
  SERVICE_ALARMS,
} from "../../src/cost/estimate.js";
import { PRICES, pricesFor } from "../../src/cost/prices.js";
import { formatCost } from "../../src/cost/render.js";

/**
 * The earlier scripts' stack (docs/earlier-scripts.md): 2 tasks of 0.5 vCPU / 1 GB, auto scaling up to 4, the service
 * alarms, one dashboard, no WAF.
 */
const STACK: CostInput = {
  region: "us-east-1",
  taskCpu: 512,
  taskMemoryMiB: 1024,
  desiredCount: 2,
  autoscalingMax: 4,
  alarms: SERVICE_ALARMS,
  dashboards: 1,
  wafEnabled: false,
};

const amount = (estimate: CostEstimate, item: string) => {
  const line = estimate.lines.find((l) => l.item === item);
  if (!line) throw new Error(`no line "${item}" in ${estimate.lines.map((l) => l.item).join(", ")}`);
  return line.monthlyUsd;
};
const fargate = (e: CostEstimate) => amount(e, "Fargate vCPU") + amount(e, "Fargate memory");

describe("the estimate against figures worked out by hand", () => {
  it("prices the ALB at about $16 a month (0.0225 x 730 = $16.43), with capacity units on their own line", () => {
    const e = estimateMonthlyCost(STACK);
    expect(amount(e, "Application Load Balancer")).toBe(16.43);
    // About $16 a month plus $0.008 an LCU-hour: one LCU all month is 730 x $0.008.
    expect(amount(e, "ALB capacity units")).toBe(5.84);
  });

  it("prices 2 tasks of 0.5 vCPU / 1 GB at about $36 a month", () => {
    // 0.5 x 0.04048 x 730 x 2 + 1 x 0.004445 x 730 x 2 = 29.55 + 6.49 = $36.04 (per vCPU-hour and per GB-hour, as
    // Fargate bills them; an older blended figure of about $0.027 an hour per task would say $39.42).
    const e = estimateMonthlyCost(STACK);
    expect(amount(e, "Fargate vCPU")).toBe(29.55);
    expect(amount(e, "Fargate memory")).toBe(6.49);
    expect(cents(fargate(e))).toBe(36.04);
    expect(e.lines[0]?.detail).toBe("2 tasks x 0.5 vCPU x 730 h x $0.04048");
  });

  it("doubles the Fargate cost at the auto-scaling maximum of 4 tasks, and only that", () => {
    const e = estimateMonthlyCost(STACK);
    const atMax = estimateMonthlyCost({ ...STACK, desiredCount: 4 });
    expect(cents(fargate(atMax))).toBe(cents(2 * fargate(e)));
    expect(e.atMaxScale).toEqual({ tasks: 4, totalUsd: cents(e.totalUsd + fargate(e)) });
    expect(e.atMaxScale?.totalUsd).toBe(atMax.totalUsd);
  });

  it("adds the WAF lines only when WAF is enabled", () => {
    const off = estimateMonthlyCost(STACK);
    const on = estimateMonthlyCost({ ...STACK, wafEnabled: true });
    expect(off.lines.filter((l) => l.item.startsWith("WAF"))).toEqual([]);
    // $5 web ACL + 5 rules x $1 + 10 million requests x $0.60: $16 a month.
    expect(on.lines.filter((l) => l.item.startsWith("WAF")).map((l) => l.monthlyUsd)).toEqual([5, 5, 6]);
    expect(cents(on.totalUsd - off.totalUsd)).toBe(16);
  });

  it("keeps one stack's record in S3 for $0.00 a month: 540 writes, 120 reads, every version of a year kept", () => {
    const e = estimateMonthlyCost({ ...STACK, stateStore: true });
    const busy = estimateMonthlyCost({ ...STACK, stateStore: true, usage: { storeRunsPerMonth: 120 } });

    // 60 runs x (3 writes + 6 renewals of a 10-minute run) x $0.000005 + 120 reads x $0.0000004 + 19 MB x $0.023
    expect(amount(e, "Stack record in S3")).toBe(0);
    expect(e.lines.find((l) => l.item === "Stack record in S3")?.detail).toBe(
      "540 writes x $0.000005 + 120 reads x $0.0000004 + 0.0185 GB kept x $0.023",
    );
    // Twice the runs (four a working day) still rounds to $0.01 at most.
    expect(amount(busy, "Stack record in S3")).toBeLessThanOrEqual(0.01);
    expect(e.totalUsd).toBe(estimateMonthlyCost(STACK).totalUsd);
    expect(estimateMonthlyCost(STACK).lines.some((l) => l.item === "Stack record in S3")).toBe(false);
  });

  it("uses us-east-1 prices for a region without prices, and says so in a note", () => {
    const e = estimateMonthlyCost({ ...STACK, region: "ap-south-2" });
    expect(e.note).toMatch(/ap-south-2.*us-east-1/);
    expect(e.region).toBe("ap-south-2");
    expect(e.prices.region).toBe("us-east-1");
    expect(e.totalUsd).toBe(estimateMonthlyCost(STACK).totalUsd);
    expect(estimateMonthlyCost(STACK).note).toBeUndefined();
  });

  it("rounds every line to cents and makes the total exactly their sum", () => {
    const e = estimateMonthlyCost({
      ...STACK,
      wafEnabled: true,
      taskCpu: 1024,
      taskMemoryMiB: 3072,
      desiredCount: 3,
    });
    for (const line of e.lines) expect(Math.round(line.monthlyUsd * 100)).toBeCloseTo(line.monthlyUsd * 100, 9);
    const sumInCents = e.lines.reduce((sum, l) => sum + Math.round(l.monthlyUsd * 100), 0);
    expect(Math.round(e.totalUsd * 100)).toBe(sumInCents);
  });
});

describe("the estimate", () => {
  it("totals $73.14 for the earlier scripts' stack and $109.18 at its auto-scaling maximum", () => {
    const e = estimateMonthlyCost(STACK);
    expect(e.totalUsd).toBe(73.14);
    expect(e.atMaxScale?.totalUsd).toBe(109.18);
  });

  it("has no total at maximum scale and no auto scaling alarms when no maximum is given", () => {
    const { autoscalingMax: _, ...fixed } = STACK;
    const e = estimateMonthlyCost(fixed);
    expect(e.atMaxScale).toBeUndefined();
    expect(e.lines.some((l) => l.item === "Auto scaling alarms")).toBe(false);
    expect(amount(estimateMonthlyCost(STACK), "Auto scaling alarms")).toBe(cents(AUTOSCALING_ALARMS * 0.1));
  });

  it("counts the RDS alarms when they are on", () => {
    expect(monitoringAlarmCount(false)).toBe(7);
    expect(amount(estimateMonthlyCost({ ...STACK, alarms: monitoringAlarmCount(true) }), "CloudWatch alarms")).toBe(
      1.1,
    );
  });

  it("keeps as many days of logs as the retention says", () => {
    const week = amount(estimateMonthlyCost(STACK), "CloudWatch Logs storage");
    const year = estimateMonthlyCost({ ...STACK, logRetentionDays: 365 });
    expect(week).toBe(0.03);
    // 5 GB a month for 365 days is 60 GB held at a time, at $0.03.
    expect(amount(year, "CloudWatch Logs storage")).toBe(1.8);
  });

  it("drops the Route 53 lines when the domain's DNS is elsewhere", () => {
    const e = estimateMonthlyCost({ ...STACK, hostedZones: 0 });
    expect(e.lines.some((l) => l.item.startsWith("Route 53"))).toBe(false);
  });

  it("takes other usage guesses and lists them among the assumptions", () => {
    const e = estimateMonthlyCost({ ...STACK, usage: { lcuAverage: 2.5, logGbPerMonth: 20 } });
    expect(amount(e, "ALB capacity units")).toBe(14.6);
    expect(amount(e, "CloudWatch Logs ingestion")).toBe(10);
    expect(e.assumptions.join("\n")).toContain("20 GB of logs a month");
  });

  it("refuses counts that are negative, fractional or not numbers", () => {
    expect(() => estimateMonthlyCost({ ...STACK, desiredCount: -1 })).toThrow(RangeError);
    expect(() => estimateMonthlyCost({ ...STACK, alarms: 1.5 })).toThrow(/alarms/);
    expect(() => estimateMonthlyCost({ ...STACK, usage: { logGbPerMonth: Number.NaN } })).toThrow(/logGbPerMonth/);
  });

  it("rounds half-cents up despite binary floating point", () => {
    // 1.005 x 100 is 100.49999999999999 in binary floating point: naive rounding would give $1.00.
    expect(Math.round(1.005 * 100) / 100).toBe(1);
    expect(cents(1.005)).toBe(1.01);
    expect(cents(0.0225 * 730)).toBe(16.43);
    expect(cents(0.005)).toBe(0.01);
  });
});

describe("the price table", () => {
  it("is dated, names its sources and has only us-east-1 filled", () => {
    const table = PRICES["us-east-1"];
    expect(table?.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(table?.sources).toContain("AWS Fargate pricing");
    expect(Object.keys(PRICES)).toEqual(["us-east-1"]);
    expect(pricesFor("us-east-1").note).toBeUndefined();
  });
});

describe("formatCost", () => {
  const text = formatCost(estimateMonthlyCost(STACK));

  it("aligns the amounts in one column and ends with the totals, assumptions and price sources", () => {
    const lines = text.split("\n");
    const table = lines.slice(0, lines.indexOf(""));
    const amountEnds = table.filter((l) => /\d\.\d\d$/.test(l)).map((l) => l.length);
    expect(new Set(amountEnds).size).toBe(1);
    expect(text).toMatch(/^Total +73\.14$/m);
    expect(text).toMatch(/^At the auto-scaling maximum \(4 tasks\) +109\.18$/m);
    expect(text).toContain("\nAssumptions:\n  - 730 hours a month");
    expect(text).toMatch(/\nPrices: us-east-1 list prices as of \d{4}-\d{2}-\d{2} \(AWS Fargate pricing, .*\)\n$/);
  });

  it("shows the arithmetic of each line", () => {
    expect(text).toMatch(/^Fargate vCPU +2 tasks x 0\.5 vCPU x 730 h x \$0\.04048 +29\.55$/m);
    expect(text).toMatch(/^Application Load Balancer +730 h x \$0\.0225 +16\.43$/m);
  });

  it("prints the note of a region without prices", () => {
    expect(formatCost(estimateMonthlyCost({ ...STACK, region: "ap-south-2" }))).toMatch(
      /^Note: no prices for ap-south-2/m,
    );
    expect(text).not.toContain("Note:");
  });
});

describe("what one recovery drill costs", () => {
  const withDrill = (drill: NonNullable<CostInput["drill"]>) => estimateMonthlyCost({ ...STACK, drill });

  it("prices the smallest class's hours and the storage for as long, apart from the monthly total", () => {
    const e = withDrill({ instanceClass: "db.t4g.micro", multiAZ: false, storageGb: 20, hours: 1, basis: "assumed" });
    // $0.016 for the hour, and 20 GB x $0.115 for 1 of the month's 730 hours ($0.0032).
    expect(e.oneDrill).toEqual({
      usd: 0.02,
      detail: "db.t4g.micro 1 h (assumed) x $0.016 + 20 GB x $0.115 per GB-month for 1 h of 730",
    });
    expect(e.totalUsd).toBe(estimateMonthlyCost(STACK).totalUsd);
    expect(formatCost(e)).toMatch(/^One DR drill \(infra dr-drill, not monthly\): \$0\.02 \(db\.t4g\.micro 1 h/m);
  });

  it("prices a Multi-AZ drill (production's shape) as two instances and two copies of the storage", () => {
    const e = withDrill({ instanceClass: "db.t4g.small", multiAZ: true, storageGb: 20, hours: 1, basis: "assumed" });
    // 2 x $0.032 for the hour, and 2 x 20 GB x $0.115 for 1 of 730 hours ($0.0063).
    expect(e.oneDrill).toEqual({
      usd: 0.07,
      detail: "db.t4g.small Multi-AZ 1 h (assumed) x $0.064 + 2 x 20 GB x $0.115 per GB-month for 1 h of 730",
    });
  });

  it("bills at least 10 minutes, as RDS does, and says when a class has no price in the table", () => {
    expect(
      withDrill({ instanceClass: "db.t3.micro", multiAZ: false, storageGb: 400, hours: 0.01, basis: "last drill" })
        .oneDrill,
    ).toEqual({
      usd: 0.01,
      detail: "db.t3.micro 0.17 h (last drill) x $0.018 + 400 GB x $0.115 per GB-month for 0.17 h of 730",
    });
    const unpriced = withDrill({
      instanceClass: "db.r6g.large",
      multiAZ: false,
      storageGb: 20,
      hours: 1,
      basis: "assumed",
    });
    expect(unpriced.oneDrill?.usd).toBeUndefined();
    expect(formatCost(unpriced)).toMatch(
      /One DR drill \(infra dr-drill, not monthly\): not priced \(db\.r6g\.large: no price/,
    );
  });

  it("takes the shape, storage and billed time of the last recorded drill from the env file, else production's as the scripts made it", async () => {
    const { costInputFrom } = await import("../../src/cost/from-env.js");
    const env = (values: Record<string, string>) => ({ get: (k: string) => values[k] });
    expect(costInputFrom(env({}), "us-east-1").drill).toBeUndefined();
    expect(costInputFrom(env({ RDS_INSTANCE_ID: "db" }), "us-east-1").drill).toEqual({
      instanceClass: "db.t4g.small",
      multiAZ: true,
      storageGb: 20,
      hours: 1,
      basis: "assumed",
    });
    expect(
      costInputFrom(env({ RDS_INSTANCE_ID: "db", DR_DRILL_INSTANCE_CLASS: "db.t4g.micro" }), "us-east-1").drill,
    ).toMatchObject({ instanceClass: "db.t4g.micro", multiAZ: false });
    const last =
      "2026-01-01T00:00:00Z from=snapshot:rds:db-2025-12-31-21-00 class=db.t3.micro storage=100GB rto=700s rpo=10800s check=exit-0 billed=1800s result=met";
    expect(costInputFrom(env({ RDS_INSTANCE_ID: "db", DR_LAST_DRILL: last }), "us-east-1").drill).toEqual({
      instanceClass: "db.t3.micro",
      multiAZ: true,
      storageGb: 100,
      hours: 0.5,
      basis: "last drill",
    });
  });
});
