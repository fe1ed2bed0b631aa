// The cost estimate as a terminal table: item, arithmetic, $/month, then the totals, what was assumed and where
// the prices come from, so nobody takes the number for a quote. Given a width (a terminal's), it fits by rule: the
// arithmetic wraps within its column, or goes under its item when the column would be too narrow to read; prose
// wraps under itself.
import type { CostEstimate, CostLine } from "./estimate.js";
import { grouped } from "./numbers.js";

/**
 * How the text fits a width. A terminal's takes the display-width tools of core/text.ts, which the caller loads
 * only then (they load Unicode data that `plan` into a pipe has no use for); a stream has no width to fit.
 */
export interface Fit {
  width: number;
  wrap(text: string, width: number, indent?: number): string[];
  pad(text: string, width: number): string;
}

const STREAM: Fit = {
  width: Number.POSITIVE_INFINITY,
  wrap: (text) => text.split("\n"),
  pad: (text, width) => text.padEnd(width),
};

const HEADER = { item: "Item", detail: "Detail", amount: "$/month" };

/** The narrowest the arithmetic's column may be; narrower, it goes under its item. */
const MIN_DETAIL = 16;

export function formatCost(estimate: CostEstimate, fit: Fit = STREAM): string {
  const { width, wrap, pad } = fit;
  const rows = estimate.lines.map((l) => ({ item: l.item, detail: l.detail, amount: money(l.monthlyUsd) }));
  const totals = [{ label: "Total", amount: money(estimate.totalUsd) }];
  if (estimate.atMaxScale) {
    totals.push({
      label: `At the auto-scaling maximum (${estimate.atMaxScale.tasks} tasks)`,
      amount: money(estimate.atMaxScale.totalUsd),
    });
  }
  const itemWidth = Math.max(HEADER.item.length, ...rows.map((r) => r.item.length));
  const amountWidth = Math.max(
    HEADER.amount.length,
    ...rows.map((r) => r.amount.length),
    ...totals.map((t) => t.amount.length),
  );
  const wanted = Math.max(HEADER.detail.length, ...rows.map((r) => r.detail.length));
  const room = width - itemWidth - amountWidth - 4;
  const beside = room >= MIN_DETAIL;
  const detailWidth = beside ? Math.min(wanted, room) : 0;
  // A total's label may be longer than the item column: it spans the item and detail columns, and wraps beyond.
  const fullLabel = Math.max(itemWidth + 2 + detailWidth, ...totals.map((t) => t.label.length));
  const labelWidth = beside ? Math.min(fullLabel, width - amountWidth - 2) : itemWidth;
  const tableWidth = labelWidth + 2 + amountWidth;

  const row = (item: string, detail: string, amount: string): string[] => {
    if (!beside) {
      // Too narrow for three columns: the item and its amount, the arithmetic under them.
      const head = `${pad(item, labelWidth)}  ${amount.padStart(amountWidth)}`.trimEnd();
      return detail ? [head, ...wrap(`  ${detail}`, tableWidth, 2)] : [head];
    }
    const [first = "", ...more] = wrap(detail, detailWidth);
    const line = (i: string, d: string, a: string) =>
      `${i.padEnd(itemWidth)}  ${d.padEnd(labelWidth - itemWidth - 2)}  ${a.padStart(amountWidth)}`.trimEnd();
    return [line(item, first, amount), ...more.map((d) => line("", d, ""))];
  };
  const total = (label: string, amount: string) => {
    const [first = "", ...more] = wrap(label, labelWidth, 2);
    return [`${first.padEnd(labelWidth)}  ${amount.padStart(amountWidth)}`, ...more];
  };
  const rule = "-".repeat(tableWidth);
  const prose = (text: string, indent = 2) => wrap(text, width, indent);

  const out = [
    ...row(HEADER.item, beside ? HEADER.detail : "", HEADER.amount),
    rule,
    ...rows.flatMap((r) => row(r.item, r.detail, r.amount)),
    rule,
    ...totals.flatMap((t) => total(t.label, t.amount)),
  ];
  const drill = estimate.oneDrill;
  if (drill)
    out.push(
      "",
      ...prose(
        `One DR drill (infra dr-drill, not monthly): ${drill.usd === undefined ? "not priced" : `$${money(drill.usd)}`} (${drill.detail})`,
      ),
    );
  if (estimate.note) out.push("", ...prose(`Note: ${estimate.note}`));
  out.push("", "Assumptions:", ...estimate.assumptions.flatMap((a) => prose(`  - ${a}`, 2)));
  const p = estimate.prices;
  out.push("", ...prose(`Prices: ${p.region} list prices as of ${p.asOf} (${p.sources.join(", ")})`));
  return `${out.join("\n")}\n`;
}

/** What turning the opt-in WAF on would add, from the estimate of the same stack with it. */
export function formatWafOffer(addsUsd: number, waf: CostLine[], fit: Fit = STREAM): string {
  const lines = waf.map((l) => `${l.item} ${l.detail}`).join("; ");
  return fit
    .wrap(`WAF (opt-in, WAF_ENABLED=true) would add $${addsUsd.toFixed(2)}/month: ${lines}`, fit.width, 2)
    .join("\n");
}

/** Dollars with thousands separators and cents: "1,234.50". */
const money = (usd: number) => grouped(usd, 2, 2);
