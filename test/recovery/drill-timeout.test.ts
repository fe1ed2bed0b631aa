// dr-drill's waits default to DR_RTO_TARGET: a restore that is not usable by then has missed its target, and the
// drill stops there instead of waiting the generic limit. --timeout still decides when given.
import { describe, expect, it } from "vitest";
import { runCli, useFake } from "../helpers.js";
import { drillStack, leftovers, MINUTE, NOTHING_LEFT, recorded } from "./support.js";

describe("dr-drill: how long it waits", () => {
  const fake = useFake();

  it("given DR_RTO_TARGET shorter than the restore, without --timeout, the restore wait stops at the target, deletes what it made, and records the drill failed", async () => {
    // Given a target of 5 minutes, and a restore the fake takes 8 minutes over,
    const path = await drillStack(fake.current, 'DR_RTO_TARGET="5m"\n');

    // when the drill runs without --timeout,
    const result = await runCli(["dr-drill", "-f", path], fake.current);

    // then it waited 5 minutes (not the generic 45) and failed as a wait that ran out of time does,
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/timed out after 300 s waiting for/);
    fake.current.clock.advance(10 * MINUTE);
    expect(leftovers(fake.current)).toEqual(NOTHING_LEFT);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/error=timeout result=failed$/);
  });

  it("given --timeout, the drill waits that long: the restore finishes, and the missed target is the verdict", async () => {
    const path = await drillStack(fake.current, 'DR_RTO_TARGET="5m"\n');

    const result = await runCli(["dr-drill", "-f", path, "--timeout", "1h"], fake.current);

    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/timed out/);
    expect(recorded(path, "DR_LAST_DRILL")).toMatch(/result=missed/);
  });

  it("says so in its --help", async () => {
    const help = await runCli(["dr-drill", "--help"], fake.current);
    expect(help.stdout).toMatch(/by default it is DR_RTO_TARGET/);
  });
});
