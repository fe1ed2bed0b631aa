// The estimate's numbers, written out by hand to spare every plan ICU's start-up, print as en-US's toLocaleString
// prints them: the same digits, grouping and rounding, for any amount.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grouped } from "../../src/cost/numbers.js";

const intl = (x: number, min: number, max: number) =>
  x.toLocaleString("en-US", { minimumFractionDigits: min, maximumFractionDigits: max });

describe("grouped", () => {
  it("prints what toLocaleString prints, for dollars and for quantities", () => {
    const amounts = fc.oneof(
      fc.double({ min: -1e9, max: 1e12, noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -1e6, max: 1e9 }).map((c) => c / 100),
      fc.integer({ min: 0, max: 1e8 }).map((c) => c / 10_000),
    );
    fc.assert(
      fc.property(amounts, (x) => {
        expect(grouped(x, 2, 2)).toBe(intl(x, 2, 2));
        expect(grouped(x, 0, 4)).toBe(intl(x, 0, 4));
        // The estimate's quantities take toFixed(4) first, as its sentences always did.
        const quantity = Number(x.toFixed(4));
        expect(grouped(quantity, 0, 4)).toBe(intl(quantity, 0, 4));
      }),
      { numRuns: 2_000 },
    );
  });

  it("groups thousands, keeps cents, and drops the zeros a quantity does not need", () => {
    expect(grouped(1234567.891, 2, 2)).toBe("1,234,567.89");
    expect(grouped(0.5, 2, 2)).toBe("0.50");
    expect(grouped(730, 0, 4)).toBe("730");
    expect(grouped(0.0225, 0, 4)).toBe("0.0225");
    expect(grouped(-1500, 2, 2)).toBe("-1,500.00");
    expect(grouped(3065.035, 2, 2)).toBe("3,065.04"); // as its shortest decimal reads, not toFixed's 3,065.03
    expect(grouped(0.0000001, 0, 7)).toBe("0.0000001");
    expect(grouped(-0.001, 2, 2)).toBe("-0.00");
  });
});
