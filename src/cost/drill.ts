// What one `infra dr-drill` costs: the temporary instance's hours and its storage for as long as it exists. Not a
// monthly line: drills are run by hand or on a schedule (monthly, say), so it is shown on its own under the
// monthly total.
import type { PriceTable } from "./prices.js";

export interface DrillInput {
  instanceClass: string;
  /** Multi-AZ bills a standby too: twice the instance hours and twice the storage. */
  multiAZ: boolean;
  storageGb: number;
  /** How long the instance is billed: RDS bills from available to deleted, per second, at least 10 minutes. */
  hours: number;
  /** Where the figures come from: the last recorded drill, or assumptions (the smallest class, 20 GB, 1 hour). */
  basis: "last drill" | "assumed";
}

export interface DrillCost {
  detail: string;
  /** Rounded to cents; undefined when the class has no price in the table. */
  usd: number | undefined;
}

const MINIMUM_HOURS = 10 / 60;

export function drillCost(p: PriceTable, d: DrillInput): DrillCost {
  const hours = Math.max(MINIMUM_HOURS, d.hours);
  const copies = d.multiAZ ? 2 : 1;
  const single = p.rds.instanceHour[d.instanceClass];
  const hourly = single === undefined ? undefined : single * copies;
  const h = Number(hours.toFixed(2));
  const storage = (copies * d.storageGb * p.rds.storageGbMonth * hours) / p.rds.hoursPerMonth;
  const az = d.multiAZ ? " Multi-AZ" : "";
  const storageText = `${copies > 1 ? "2 x " : ""}${d.storageGb} GB x $${p.rds.storageGbMonth} per GB-month for ${h} h of ${p.rds.hoursPerMonth}`;
  if (hourly === undefined)
    return { detail: `${d.instanceClass}${az}: no price in the table; storage ${storageText}`, usd: undefined };
  const usd = Math.round((hourly * hours + storage) * 100) / 100;
  return {
    detail: `${d.instanceClass}${az} ${h} h (${d.basis}) x $${Number(hourly.toFixed(4))} + ${storageText}`,
    usd,
  };
}
