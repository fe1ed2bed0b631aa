// Numbers as the estimate prints them, "1,234.5": thousands grouped with commas, as many decimals as asked, rounded
// as en-US's toLocaleString rounds (the shortest decimal that reads back as the number, halves away from zero).
// Written out rather than taken from toLocaleString: the first Intl.NumberFormat of a process loads ICU's locale
// data, about 20 ms of every `plan` and `cost` (`npm run bench`, "CLI start-up"), for output that is always en-US.

/** x with between `min` and `max` decimals (trailing zeros beyond `min` dropped). */
export function grouped(x: number, min: number, max: number): string {
  if (!Number.isFinite(x)) return String(x); // no estimate is one; "NaN" says so rather than "0.00"
  let { whole, fraction } = decimal(Math.abs(x));
  if (fraction.length > max) {
    const up = (fraction[max] as string) >= "5";
    fraction = fraction.slice(0, max);
    if (up) {
      const digits = (BigInt(whole + fraction) + 1n).toString().padStart(whole.length + max, "0");
      whole = digits.slice(0, digits.length - max);
      fraction = digits.slice(digits.length - max);
    }
  }
  fraction = fraction.replace(/0+$/, "").padEnd(min, "0");
  const sign = x < 0 || Object.is(x, -0) ? "-" : ""; // as Intl: "-0.00" for a negative that rounds to zero
  return `${sign}${whole.replace(/\B(?=(\d{3})+$)/g, ",")}${fraction ? `.${fraction}` : ""}`;
}

/** The digits of a finite x >= 0 before and after the point, from its shortest decimal form (1e-7 included). */
function decimal(x: number): { whole: string; fraction: string } {
  const [, lead = "", rest = "", exponent = "0"] = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x)) ?? [];
  let digits = lead + rest;
  let point = lead.length + Number(exponent);
  if (point <= 0) {
    digits = "0".repeat(1 - point) + digits;
    point = 1;
  }
  digits = digits.padEnd(point, "0");
  return { whole: digits.slice(0, point).replace(/^0+(?=\d)/, ""), fraction: digits.slice(point) };
}
