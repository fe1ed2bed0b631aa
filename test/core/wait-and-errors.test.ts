import { describe, expect, it } from "vitest";
import { awsErrorCode, describeError, InputError, isAwsError, WaitTimeoutError } from "../../src/core/errors.js";
import { Events } from "../../src/core/events.js";
import { done, jittered, pending, retryWhile, waitUntil } from "../../src/core/wait.js";
import { FakeClock } from "../../src/sandbox/aws/clock.js";

const options = { what: "the thing ready", timeoutMs: 60_000, suggestion: "run it again" };

describe("waiting", () => {
  it("polls early, then with growing delays up to the cap, each paused between half and all of it (jitter), reporting state and elapsed time", async () => {
    const clock = new FakeClock();
    const events = new Events();
    let polls = 0;
    const value = await waitUntil({ clock }, events.for("x"), options, async () =>
      ++polls < 14 ? pending(`state ${polls}`) : done("ready"),
    );
    expect(value).toBe("ready");
    const pauses = events.log.map((e, i) => (events.log[i + 1]?.elapsedMs ?? e.elapsedMs ?? 0) - (e.elapsedMs ?? 0));
    expect(events.log[0]).toMatchObject({ state: "state 1", elapsedMs: 0 });
    for (const [i, delay] of [250, 375, 563].entries()) {
      expect(pauses[i]).toBeGreaterThanOrEqual(Math.floor(delay / 2));
      expect(pauses[i]).toBeLessThanOrEqual(delay);
    }
    expect(Math.max(...pauses)).toBeLessThanOrEqual(15_000);
    expect(Math.max(...pauses)).toBeGreaterThanOrEqual(7_500);
  });

  it("given a state that lasts a while, lets the backoff grow past its cap to the state's, then back within it once the state ends", async () => {
    const clock = new FakeClock();
    const events = new Events();
    let polls = 0;
    await waitUntil({ clock }, events.for("x"), { ...options, timeoutMs: 600_000 }, async () => {
      polls++;
      if (polls <= 20) return pending("draining", undefined, 30_000);
      return polls < 24 ? pending("starting") : done("ready");
    });
    const at = events.log.map((e) => e.elapsedMs ?? 0);
    const pauses = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    // Growing from 250 ms by half each poll, not jumping: the first pauses stay short.
    expect(pauses[0]).toBeLessThanOrEqual(250);
    // Past the usual 15 s cap while draining, never past the state's 30 s.
    const draining = pauses.slice(0, 20);
    expect(Math.max(...draining)).toBeGreaterThan(15_000);
    expect(Math.max(...draining)).toBeLessThanOrEqual(30_000);
    // Once it ends, the pauses are within the usual cap again.
    for (const pause of pauses.slice(20)) expect(pause).toBeLessThanOrEqual(15_000);
  });

  it("jitters each pause between half and all of the delay, so waits that start together drift apart", () => {
    expect([jittered(1000, () => 0), jittered(1000, () => 0.5), jittered(1000, () => 0.999)]).toEqual([500, 750, 1000]);
    const pauses = new Set(Array.from({ length: 20 }, () => jittered(10_000)));
    expect(pauses.size).toBeGreaterThan(1);
  });

  it("stops at the time limit with what to do next", async () => {
    const clock = new FakeClock();
    const wait = waitUntil({ clock }, new Events().for("x"), options, async () => pending("never"));
    await expect(wait).rejects.toThrow(new WaitTimeoutError("the thing ready", 60_000, "run it again"));
    await expect(wait).rejects.toMatchObject({ exitCode: 3, suggestion: "run it again" });
  });

  it("retries only the codes it is told to, in either spelling", async () => {
    const clock = new FakeClock();
    const inUse = Object.assign(new Error("in use"), { name: "ResourceInUseException" });
    let calls = 0;
    const result = await retryWhile(
      { clock },
      new Events().for("x"),
      { ...options, transient: ["ResourceInUse"] },
      async () => {
        if (++calls < 3) throw inUse;
        return "deleted";
      },
    );
    expect([result, calls]).toEqual(["deleted", 3]);
    const other = Object.assign(new Error("denied"), { name: "AccessDenied" });
    await expect(
      retryWhile({ clock }, new Events().for("x"), { ...options, transient: ["ResourceInUse"] }, async () => {
        throw other;
      }),
    ).rejects.toBe(other);
  });
});

describe("AWS error codes", () => {
  it("match the modeled and the wire spelling alike", () => {
    const modeled = Object.assign(new Error(), { name: "LoadBalancerNotFoundException" });
    const wire = Object.assign(new Error(), { name: "LoadBalancerNotFound" });
    const ec2 = Object.assign(new Error(), { name: "InvalidGroup.NotFound", Code: "InvalidGroup.NotFound" });
    expect([modeled, wire].map((e) => isAwsError(e, "LoadBalancerNotFound"))).toEqual([true, true]);
    expect([modeled, wire].map((e) => isAwsError(e, "LoadBalancerNotFoundException"))).toEqual([true, true]);
    expect(isAwsError(ec2, "InvalidGroup.NotFound")).toBe(true);
    expect(isAwsError(ec2, "InvalidGroup.Duplicate")).toBe(false);
    expect(awsErrorCode(new Error("plain"))).toBeUndefined();
  });

  it("print as one line with the hint, and the stack only when verbose", () => {
    const err = new InputError("VPC_ID is not set", "set it in the env file");
    expect(describeError(err, false)).toEqual({
      lines: ["error: VPC_ID is not set - set it in the env file"],
      exitCode: 2,
    });
    expect(describeError(err, true).lines.slice(1).join("\n")).toMatch(/^InputError: VPC_ID is not set\n\s+at /);
  });
});
