// The cost estimate as a terminal table: item, arithmetic, $/month, then the totals, what was assumed and where
// the prices come from, so nobody takes the number for a quote.
import type { CostEstimate } from "./estimate.js";

const HEADER = { item: "Item", detail: "Detail", amount: "$/month" };

export function formatCost(estimate: CostEstimate): string {
  const rows = estimate.lines.map((l) => ({ item: l.item, detail: l.detail, amount: money(l.monthlyUsd) }));
  const totals = [{ label: "Total", amount: money(estimate.totalUsd) }];
  if (estimate.atMaxScale) {
    totals.push({
      label: `At the auto-scaling maximum (${estimate.atMaxScale.tasks} tasks)`,
      amount: money(estimate.atMaxScale.totalUsd),
    });
  }
  const itemWidth = Math.max(HEADER.item.length, ...rows.map((r) => r.item.length));
  const detailWidth = Math.max(HEADER.detail.length, ...rows.map((r) => r.detail.length));
  const amountWidth = Math.max(
    HEADER.amount.length,
    ...rows.map((r) => r.amount.length),
    ...totals.map((t) => t.amount.length),
  );
  // A total's label may be longer than the item column: it spans the item and detail columns.
  const labelWidth = Math.max(itemWidth + 2 + detailWidth, ...totals.map((t) => t.label.length));
  const row = (item: string, detail: string, amount: string) =>
    `${item.padEnd(itemWidth)}  ${detail.padEnd(labelWidth - itemWidth - 2)}  ${amount.padStart(amountWidth)}`.trimEnd();
  const rule = "-".repeat(labelWidth + 2 + amountWidth);

  const out = [
    row(HEADER.item, HEADER.detail, HEADER.amount),
    rule,
    ...rows.map((r) => row(r.item, r.detail, r.amount)),
    rule,
    ...totals.map((t) => `${t.label.padEnd(labelWidth)}  ${t.amount.padStart(amountWidth)}`),
  ];
  const drill = estimate.oneDrill;
  if (drill)
    out.push(
      "",
      `One DR drill (infra dr-drill, not monthly): ${drill.usd === undefined ? "not priced" : `$${money(drill.usd)}`} (${drill.detail})`,
    );
  if (estimate.note) out.push("", `Note: ${estimate.note}`);
  out.push("", "Assumptions:", ...estimate.assumptions.map((a) => `  - ${a}`));
  const p = estimate.prices;
  out.push("", `Prices: ${p.region} list prices as of ${p.asOf} (${p.sources.join(", ")})`);
  return `${out.join("\n")}\n`;
}

/** Dollars with thousands separators and cents: "1,234.50". */
const money = (usd: number) => usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
