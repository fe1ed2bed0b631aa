// How long a deployment may take at the stack's settings: the default limit of each wait of deploy and rollback.
import { describe, expect, it } from "vitest";
import { circuitBreakerThreshold, rolloutTime } from "../../src/resources/common/rollout-time.js";
import { INPUTS, runCli, tempEnvFile, useFake } from "../helpers.js";

const DEFAULTS = { deregistrationDelaySeconds: 300, gracePeriodSeconds: 120, fewestTasks: 1 };

describe("rollout time", () => {
  it("the circuit breaker's threshold is half the desired count, at least 3 and at most 200", () => {
    expect([1, 2, 6, 7, 10, 400, 1000].map(circuitBreakerThreshold)).toEqual([3, 3, 3, 4, 5, 200, 200]);
  });

  it("with every setting at its default, a failing deployment (three rounds of one task) takes longest: 18 min", () => {
    const t = rolloutTime(DEFAULTS);
    // Start 180 s, health checks 35 s, the delay 300 s, the stop timeout 30 s, ECS's lag 60 s.
    expect(t.succeedsSeconds).toBe(605);
    // Three tasks in turn: 180 s to start, the 120 s grace period, the 30 s stop timeout; ECS's lag 60 s.
    expect(t.failsSeconds).toBe(3 * 330 + 60);
    expect(t.limitMs).toBe(18 * 60_000);
  });

  it("a longer deregistration delay lengthens the limit by as much", () => {
    const t = rolloutTime({ ...DEFAULTS, deregistrationDelaySeconds: 3600 });
    expect(t.succeedsSeconds).toBe(605 - 300 + 3600);
    expect(t.limitMs).toBe(Math.ceil(t.succeedsSeconds / 60) * 60_000);
  });

  it("more tasks at once trip the circuit breaker in fewer rounds; a longer grace period makes each round longer", () => {
    expect(rolloutTime({ ...DEFAULTS, fewestTasks: 4 }).failsSeconds).toBe(330 + 60);
    expect(rolloutTime({ ...DEFAULTS, gracePeriodSeconds: 600 }).failsSeconds).toBe(3 * (180 + 600 + 30) + 60);
  });
});

describe("deploy and rollback --help", () => {
  const fake = useFake();

  it.each([["deploy"], ["rollback"]])(
    "%s --help says how the default --timeout is sized, and what it comes to",
    async (command) => {
      const help = await runCli([command, "--help"], fake.current);
      expect(help.stdout.replace(/\s+/g, " ")).toMatch(
        /--timeout bounds each wait.*TARGET_DEREGISTRATION_DELAY.*HEALTH_CHECK_GRACE_PERIOD.*AUTOSCALING_MIN_CAPACITY and DESIRED_COUNT\): 18m with their defaults\./,
      );
    },
  );

  it("a malformed setting the default is sized from is refused with exit 2 before any AWS call", async () => {
    const path = tempEnvFile(`${INPUTS}TARGET_DEREGISTRATION_DELAY="soon"\n`);
    const before = fake.current.calls.length;
    const result = await runCli(["deploy", "--image", ":v2", "--file", path], fake.current);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/TARGET_DEREGISTRATION_DELAY/);
    expect(fake.current.calls.length).toBe(before);
  });
});
