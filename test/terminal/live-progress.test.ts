// What a person sees on a terminal while infra works: the real CLI, its real renderer, drawn on a terminal emulator
// of a given width. The finished steps must read exactly as the plain (CI) log of the same run says them, with no
// line wider than the terminal and nothing of the live block left behind.
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { main } from "../../src/commands/program.js";
import type { Io } from "../../src/commands/render.js";
import { AwsFake } from "../../src/sandbox/aws/aws-fake.js";
import { capturedIo, expectCoveredByPolicy, internetOf, tempEnvFile } from "../helpers.js";
import { stack } from "../support/deploy-stack.js";
import { installInProcess } from "../support/in-process.js";
import { EmulatedTerminal, type Row } from "../support/terminal.js";

type Scenario = (fake: AwsFake, io: Io) => Promise<number>;

const cli = (fake: AwsFake, io: Io, argv: string[]) =>
  main(argv, {
    env: {},
    clock: fake.clock,
    dns: { resolveNs: (domain) => fake.dns.resolveNs(domain) },
    http: { get: (url) => internetOf(fake).get(url) },
    io,
  });

const createAll: Scenario = (fake, io) => {
  fake.route53.addZone("startupwebapp.com");
  return cli(fake, io, ["create", "all", "--file", tempEnvFile()]);
};

/** A deploy of an image whose tasks start, fail their health checks and are replaced, until the breaker trips. */
const failingDeploy: Scenario = async (fake, io) => {
  const path = await stack(fake);
  fake.ecr.push("startupwebapp", "v2");
  fake.ecs.failHealthChecks(":v2");
  return cli(fake, io, ["deploy", "--image", ":v2", "--file", path]);
};

/** The scenario on a fresh fake (the fake is deterministic: the same scenario makes the same events). */
async function onFreshFake(scenario: Scenario, io: Io): Promise<number> {
  const fake = installInProcess(new AwsFake());
  try {
    const code = await scenario(fake, io);
    expectCoveredByPolicy(fake.calls);
    return code;
  } finally {
    fake.restore();
  }
}

/** The same run as CI logs it: its finished steps (waits left out) and its error, without time stamps. */
async function plainLog(scenario: Scenario) {
  const { io, written } = capturedIo();
  const code = await onFreshFake(scenario, io);
  const lines = written.stderr.split("\n").map((l) => l.replace(/^\[\d\d:\d\d:\d\d\] /, ""));
  return {
    code,
    finished: lines.filter((l) => l && !l.startsWith("… ") && !l.startsWith("error: ")),
    error: lines.filter((l) => l.startsWith("error: ")),
  };
}

/** The screen after the run, in its three parts: finished steps, the summary ("Took ..."), the error. */
function parts(rows: Row[]) {
  const summary = rows.findIndex((r) => r.text.startsWith("Took "));
  const error = rows.findIndex((r) => r.text.startsWith("error: "));
  const end = error === -1 ? rows.length : error;
  return { finished: rows.slice(0, summary), summary: rows.slice(summary, end), error: rows.slice(end) };
}

/** Text as it reads, whatever the width it was wrapped to: without its whitespace. */
const squash = (lines: string[]) => lines.join("").replace(/\s+/g, "");
const texts = (rows: Row[]) => rows.map((r) => r.text);
/** What was drawn, without the codes that move the cursor and erase. */
const drawn = (term: EmulatedTerminal) => stripVTControlCharacters(term.written);

/** Each wait the block drew is one line, cut to the width with its time still in view. */
function expectWaitsCut(term: EmulatedTerminal, columns: number) {
  const waits = drawn(term)
    .split("\n")
    .filter((l) => l.startsWith("… "));
  expect(waits.length).toBeGreaterThan(5);
  expect(waits.filter((l) => l.length > columns || !/\d+ s\)$/.test(l))).toEqual([]);
}

describe.each([80, 40])("on a terminal %i columns wide", (columns) => {
  it("given create all, then every line fits, the live block is gone at the end, and the screen holds the run's finished steps and its summary", async () => {
    const expected = await plainLog(createAll);
    const term = new EmulatedTerminal(columns);

    const code = await onFreshFake(createAll, term.io());

    const rows = await term.read();
    expect(code).toBe(expected.code);
    expect(
      rows.filter((r) => r.wrapped),
      "rows the terminal had to wrap",
    ).toEqual([]);
    const screen = parts(rows);
    expect(squash(texts(screen.finished))).toBe(squash(expected.finished));
    expect(screen.summary[0]?.text).toMatch(/^Took \d+ (m|s)/);
    expect(texts(screen.summary).join("\n")).toMatch(/ecs-service\s+\d/);
    // While the deployment ran, the block showed it as a table.
    expectWaitsCut(term, columns);
    expect(drawn(term)).toMatch(/ {2,4}new {2}rev(ision)? 1 {2}IN_PROGRESS {2}\d\/2 r/);
    expect(drawn(term)).toMatch(/ {2,4}targets: 2 (initial|healthy)/);
  });

  it("given a deploy whose tasks fail their health checks, then the block shows why the last one stopped, every line fits, and the error closes the screen", async () => {
    const expected = await plainLog(failingDeploy);
    const term = new EmulatedTerminal(columns);

    const code = await onFreshFake(failingDeploy, term.io());

    const rows = await term.read();
    expect(code).toBe(1);
    expect(expected.code).toBe(1);
    expect(
      rows.filter((r) => r.wrapped),
      "rows the terminal had to wrap",
    ).toEqual([]);
    const screen = parts(rows);
    expect(squash(texts(screen.finished))).toBe(squash(expected.finished));
    expect(screen.summary[0]?.text).toMatch(/^Took .*1 created/);
    expect(squash(texts(screen.error))).toBe(squash(expected.error));
    expectWaitsCut(term, columns);
    // The crash loop showed as soon as the first task stopped, long before the circuit breaker tripped.
    expect(drawn(term)).toMatch(/ {2,4}last stopped: task [0-9a-f]{8}…: Task/);
    expect(drawn(term)).toMatch(/ {2,4}old {2}rev(ision)? 1 {2}COMPLETED {4}2\/2 r/);
  });
});

describe("a terminal resized while infra works", () => {
  it("given create all at 80 columns, made 40 wide during the deployment then 60, then nothing is left behind and what follows fits 60", async () => {
    const expected = await plainLog(createAll);
    const term = new EmulatedTerminal(80);
    const write = term.write.bind(term);
    let step = 0;
    term.write = (text) => {
      write(text);
      // Between two writes, as a window is dragged: narrower once the deployment shows, wider once targets do.
      if (step === 0 && text.includes("revision 1")) queueMicrotask(() => term.resize(40));
      else if (step === 1 && text.includes("targets:")) queueMicrotask(() => term.resize(60));
      else return;
      step++;
    };

    await onFreshFake(createAll, term.io());

    expect(step).toBe(2);
    const rows = await term.read();
    const screen = parts(rows);
    expect(squash(texts(screen.finished))).toBe(squash(expected.finished));
    const afterResizes = rows.slice(rows.findIndex((r) => r.text.startsWith("~ ecs-service: deployment")));
    expect(afterResizes.length).toBeGreaterThan(10);
    expect(afterResizes.filter((r) => r.wrapped)).toEqual([]);
    expect(Math.max(...afterResizes.map((r) => r.text.length))).toBeLessThanOrEqual(60);
  });
});
