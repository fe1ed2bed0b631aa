import { describe, expect, it } from "vitest";
import { Interrupt } from "../../src/core/interrupt.js";

describe("Ctrl-C", () => {
  it("stops at once when no command is cleaning up", () => {
    const interrupt = new Interrupt();

    expect(interrupt.handle()).toBe(false);
    expect(interrupt.signal.aborted).toBe(false);
  });

  it("aborts a guarded command's signal on the first Ctrl-C and stops at once on the second", async () => {
    const interrupt = new Interrupt();
    const seen: boolean[] = [];

    await interrupt.guard(async (signal) => {
      seen.push(interrupt.handle(), signal.aborted, interrupt.handle());
    });

    expect(seen).toEqual([true, true, false]);
    expect(interrupt.handle()).toBe(false);
  });
});
