import { describe, expect, it } from "vitest";
import { drillInstanceId, freeDrillInstanceId, isDrillInstanceName } from "../../src/recovery/config.js";

/** RDS's DB instance identifier: 1 to 63 letters, digits or hyphens, a letter first, no "--", no hyphen last. */
const RDS_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$/;
const DAY = Date.UTC(2026, 0, 1);

describe("the names of drill instances", () => {
  it("stay valid RDS identifiers for any database name length and any counter, and are recognised as drills of it", () => {
    // Given database names up to RDS's 63 characters, some cut right before a hyphen,
    const ids = [1, 20, 46, 47, 48, 50, 55, 61, 62, 63].map((n) =>
      `a${"b-c".repeat(30)}`.slice(0, n).replace(/-$/, "x"),
    );
    for (const id of ids)
      for (const n of [1, 2, 3, 9, 10, 11, 99, 100]) {
        // when a drill names its instance, then the name fits RDS and reads back as this database's drill.
        const name = drillInstanceId(id, DAY, n);
        expect(name, `${id} #${n}`).toMatch(RDS_IDENTIFIER);
        expect(name.length, name).toBeLessThanOrEqual(63);
        expect(name).toMatch(n === 1 ? /-drill-20260101$/ : new RegExp(`-drill-20260101-${n}$`));
        expect(isDrillInstanceName(id, name), name).toBe(true);
      }
  });

  it("takes the first name no instance holds, and does not take another database's drills for its own", () => {
    const id = "shop-prod";
    const taken = new Set([drillInstanceId(id, DAY), drillInstanceId(id, DAY, 2)]);
    expect(freeDrillInstanceId(id, DAY, taken)).toBe("shop-prod-drill-20260101-3");
    expect(freeDrillInstanceId(id, DAY + 86_400_000, taken)).toBe("shop-prod-drill-20260102");

    expect(isDrillInstanceName(id, "shop-prod-drill-20260101")).toBe(true);
    expect(isDrillInstanceName("shop", "shop-prod-drill-20260101")).toBe(false);
    expect(isDrillInstanceName(id, "shop-prod-drill-20260101-1")).toBe(false);
    expect(isDrillInstanceName(id, "shop-prod-drill-20261399")).toBe(false);
    expect(isDrillInstanceName(id, "shop-prod-restored")).toBe(false);
  });
});
