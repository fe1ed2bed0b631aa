// --expect, read and judged on its own, and the weighted mix of paths: the pieces of a CI gate that must not
// depend on chance.
import { describe, expect, it } from "vitest";
import { Measurements } from "../../src/load/measure.js";
import { pathPicker } from "../../src/load/paths.js";
import { evaluate, parseExpect } from "../../src/load/thresholds.js";

/** 100 answers: 90 at 10 ms, 9 at 100 ms, 1 at 1 s; and 3 timeouts at 2 s. */
function measured() {
  const m = new Measurements(103);
  for (let i = 0; i < 103; i++) m.written(0);
  for (let i = 0; i < 90; i++) m.answer(200, 10, 10, 2);
  for (let i = 0; i < 9; i++) m.answer(503, 100, 100, 2);
  m.answer(200, 1000, 1000, 2);
  for (let i = 0; i < 3; i++) m.failure("timeout", { latencyMs: 2000, serviceMs: 2000 });
  return m;
}

describe("--expect", () => {
  it("reads latency in us, ms or s, errors as a share or a count, and rps", () => {
    expect(parseExpect("p99.9<=1.5s, p50<800us,max<2000ms,errors<1%,errors<5,rps>=10")).toEqual([
      { text: "p99.9<=1.5s", metric: "p99.9", op: "<=", limit: 1500 },
      { text: "p50<800us", metric: "p50", op: "<", limit: 0.8 },
      { text: "max<2000ms", metric: "max", op: "<", limit: 2000 },
      { text: "errors<1%", metric: "errors", op: "<", limit: 1, percent: true },
      { text: "errors<5", metric: "errors", op: "<", limit: 5, percent: false },
      { text: "rps>=10", metric: "rps", op: ">=", limit: 10 },
    ]);
  });

  it("judges each expectation against what was measured, timeouts counting as errors and at their timeout", () => {
    const m = measured();
    const verdicts = evaluate(
      parseExpect("p85<=10ms,p90<=10ms,p99<500ms,p99.9<3s,errors<12,errors<10%"),
      m.summary(10_000),
      (p) => m.latencyAt(p),
    );

    expect(verdicts).toEqual([
      { expectation: "p85<=10ms", actual: "10 ms", ok: true },
      { expectation: "p90<=10ms", actual: "100 ms", ok: false },
      { expectation: "p99<500ms", actual: "2000 ms", ok: false },
      { expectation: "p99.9<3s", actual: "2000 ms", ok: true },
      { expectation: "errors<12", actual: "12", ok: false },
      { expectation: "errors<10%", actual: "11.65 %", ok: false },
    ]);
  });

  it("cannot pass a latency or error-rate threshold when nothing was answered", () => {
    const empty = new Measurements(10);

    const verdicts = evaluate(parseExpect("p99<1s,errors<1%"), empty.summary(1000), (p) => empty.latencyAt(p));

    expect(verdicts.map((v) => [v.actual, v.ok])).toEqual([
      ["no answered request", false],
      ["no finished request", false],
    ]);
  });
});

describe("the latency percentiles", () => {
  it("are never above the largest latency measured, though the histogram's buckets round up", () => {
    // Given latencies whose histogram bucket's upper edge lies above them (3 significant digits: 2000.9 for 2000),
    const m = measured();

    // when the percentiles are read,
    const latency = m.summary(10_000).latencyMs;

    // then none is above the max, and they do not decrease.
    expect(latency?.max).toBe(2000);
    expect([latency?.p99, latency?.p99_9, m.latencyAt(100)]).toEqual([2000, 2000, 2000]);
    const order = [latency?.p50, latency?.p90, latency?.p95, latency?.p99, latency?.p99_9, latency?.max];
    expect(order).toEqual([...order].sort((a, b) => (a as number) - (b as number)));
  });

  it("include p95, the percentile the stack's latency alarm watches", () => {
    const m = measured();

    expect(m.summary(10_000).latencyMs).toMatchObject({ p50: 10, p90: 100, p95: 100, p99: 2000 });
  });
});

describe("the weighted mix of paths", () => {
  it("sends each path its share, interleaved, the same every run", () => {
    const next = pathPicker([
      { path: "/a", weight: 3 },
      { path: "/b", weight: 1 },
    ]);

    expect(Array.from({ length: 8 }, next)).toEqual(["/a", "/a", "/b", "/a", "/a", "/a", "/b", "/a"]);
  });
});
