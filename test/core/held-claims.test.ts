// The claims a process holds, let go of at the end of a command and dropped at exit: a claim whose letting go has
// begun but not finished (a second Ctrl-C arrives meanwhile, and the process exits) is still dropped at exit.
import { afterEach, describe, expect, it } from "vitest";
import { hold, isHeld, releaseClaims, releaseClaimsNow } from "../../src/core/held-claims.js";

afterEach(() => releaseClaimsNow());

/** A claim whose release waits until `finish` is called, and which counts its drops at exit. */
function slowClaim() {
  let finish: (lost?: string) => void = () => {};
  const counts = { releases: 0, dropped: 0 };
  const claim = {
    release: () => {
      counts.releases++;
      return new Promise<string | undefined>((resolve) => {
        finish = resolve;
      });
    },
    releaseNow: () => {
      counts.dropped++;
    },
  };
  return { claim, counts, finish: (lost?: string) => finish(lost) };
}

describe("held claims", () => {
  it("drops at exit a claim whose release is still under way", () => {
    const { claim, counts } = slowClaim();
    hold("/stack/aws-resources.env", claim);
    void releaseClaims();
    releaseClaimsNow();
    expect(counts.dropped).toBe(1);
  });

  it("releases a claim once when two ask at the same time, and forgets it once released", async () => {
    const { claim, counts, finish } = slowClaim();
    hold("/stack/aws-resources.env", claim);
    const first = releaseClaims();
    const second = releaseClaims();
    expect(isHeld("/stack/aws-resources.env")).toBe(true);
    finish("another run (claim 3f9a1c2e)");
    expect(await first).toEqual(["another run (claim 3f9a1c2e)"]);
    expect(await second).toEqual(["another run (claim 3f9a1c2e)"]);
    expect(counts.releases).toBe(1);
    expect(isHeld("/stack/aws-resources.env")).toBe(false);
    releaseClaimsNow();
    expect(counts.dropped).toBe(0);
  });
});
