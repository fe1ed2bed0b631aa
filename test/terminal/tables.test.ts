// status, verify and cost on a terminal: made to fit its width by rule (ids shortened in the middle, columns
// dropped, lines wrapped under themselves), never wrapped by the terminal; coloured when colour is allowed.
import { beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/commands/program.js";
import { internetOf, runCli, tempEnvFile, useFake } from "../helpers.js";
import { EmulatedTerminal, type Row } from "../support/terminal.js";

const RESOURCES = [
  "alb",
  "acm-certificate",
  "route53-records",
  "ecs-service-task-definition",
  "ecs-service",
  "ecs-autoscaling",
  "monitoring",
];

describe("results on a terminal", () => {
  const fake = useFake();
  let path: string;

  /** The command's output on a terminal of that width (stdout and stderr both on it), as rows. */
  async function onTerminal(argv: string[], columns: number, colour = false) {
    const term = new EmulatedTerminal(columns, 30, colour);
    const code = await main([...argv, "--file", path], {
      env: {},
      clock: fake.current.clock,
      dns: { resolveNs: (domain) => fake.current.dns.resolveNs(domain) },
      http: { get: (url) => internetOf(fake.current).get(url) },
      io: term.io({ stdout: "terminal" }),
    });
    return { code, rows: await term.read(), written: term.written };
  }

  const wrappedRows = (rows: Row[]) => rows.filter((r) => r.wrapped);
  const rowsOf = (rows: Row[], name: string) => rows.filter((r) => r.text.split(/\s+/)[0] === name);

  describe("given the whole stack", () => {
    beforeEach(async () => {
      fake.current.route53.addZone("startupwebapp.com");
      path = tempEnvFile();
      expect((await runCli(["create", "all", "--file", path], fake.current)).code).toBe(0);
    });

    it.each([80, 40])(
      "when status runs %i columns wide, then each resource is one line of the table",
      async (columns) => {
        const { code, rows } = await onTerminal(["status"], columns);

        expect(code).toBe(0);
        expect(wrappedRows(rows)).toEqual([]);
        const header = rows.findIndex((r) => r.text.startsWith("RESOURCE "));
        const table = rows.slice(header + 1, header + 1 + RESOURCES.length).map((r) => r.text);
        // Each row names its resource: whole, or shortened in the middle (both ends kept) when the width is short.
        table.forEach((row, i) => {
          const name = RESOURCES[i] as string;
          const [shown = ""] = row.split(" ");
          if (shown.includes("…")) {
            const [start = "", end = ""] = shown.split("…");
            expect(name.startsWith(start) && name.endsWith(end), `${shown} for ${name}`).toBe(true);
          } else expect(shown).toBe(name);
          expect(row).toMatch(/ yes +0 +yes( |$)/);
        });
        if (columns === 80) {
          expect(rows[header]?.text).toMatch(/^RESOURCE +EXISTS +CHANGES +HEALTHY +RECORDED ID$/);
          // The id, shortened in its middle: both its ends still say what it is.
          expect(table[1]).toMatch(/ yes +certificate\/\S*…\S+$/);
          expect(table[2]).toMatch(/ yes +api\.startupwebapp\.com$/);
        } else {
          // The id gives its place to the name, which is shortened in the middle as much as it must be.
          expect(rows[header]?.text).toMatch(/^RESOURCE +EXISTS +CHANGES +HEALTHY$/);
          expect(table[0]).toMatch(/^alb +yes +0 +yes$/);
        }
      },
    );

    it.each([80, 40])(
      "when verify runs %i columns wide, then each check wraps under itself and long ids are shortened in the middle",
      async (columns) => {
        const { code, rows } = await onTerminal(["verify", "all"], columns);

        expect(code).toBe(0);
        expect(wrappedRows(rows)).toEqual([]);
        const checks = rows.filter((r) => /^\[(OK {2}|FAIL|SKIP)\] /.test(r.text));
        expect(checks.length).toBeGreaterThan(20);
        const listener = rows.find((r) => r.text.startsWith("[OK  ] alb: listener HTTP:80"));
        expect(listener).toBeDefined();
        if (columns === 40) expect(rows.some((r) => /^ {7}\(listener\/app\S*…\S+$/.test(r.text))).toBe(true);
        expect(rows.at(-1)?.text).toMatch(/^\d+ checks: \d+ OK, 0 FAIL, \d+ SKIP$/);
      },
    );

    it.each([80, 40])(
      "when cost runs %i columns wide, then the arithmetic and the prose wrap within it",
      async (columns) => {
        const { code, rows } = await onTerminal(["cost"], columns);

        expect(code).toBe(0);
        expect(wrappedRows(rows)).toEqual([]);
        expect(rows.some((r) => /^Total +73\.\d\d$/.test(r.text))).toBe(true);
        expect(
          rows.some((r) => /^Fargate vCPU +(2 tasks x 0\.5 vCPU x 730 h x \$0\.04048 +)?29\.55$/.test(r.text)),
        ).toBe(true);
      },
    );
  });

  describe("given only the load balancer made, so every other resource has problems", () => {
    beforeEach(async () => {
      path = tempEnvFile();
      expect((await runCli(["create", "alb", "--file", path], fake.current)).code).toBe(0);
    });

    it("when status runs 80 columns wide, then the problems too long to stand beside the table are listed under it, whole", async () => {
      const { rows } = await onTerminal(["status"], 80);

      expect(wrappedRows(rows)).toEqual([]);
      expect(rows.find((r) => r.text.startsWith("RESOURCE"))?.text).toBe(
        "RESOURCE                     EXISTS  CHANGES  HEALTHY  RECORDED ID",
      );
      for (const name of RESOURCES) expect(rowsOf(rows, name), name).toHaveLength(1);
      const problems = rows.slice(rows.findIndex((r) => r.text === "Problems:") + 1).map((r) => r.text);
      expect(problems[0]).toBe("  alb: listener HTTPS:443 (missing: made once acm-certificate has run)");
      expect(problems.every((p) => p.startsWith("  "))).toBe(true);
    });

    it("when verify runs on a terminal that allows colour, then FAIL is red and OK green; without colour, plain", async () => {
      const coloured = await onTerminal(["verify", "alb"], 80, true);
      const plain = await onTerminal(["verify", "alb"], 80, false);

      expect(coloured.code).toBe(1);
      expect(coloured.written).toContain("[\x1b[31mFAIL\x1b[39m] alb: listener HTTPS:443");
      expect(coloured.written).toContain("[\x1b[32mOK  \x1b[39m] alb: security group");
      expect(coloured.written).toContain("\x1b[31m1 FAIL\x1b[39m");
      expect(plain.written).not.toContain("\x1b[3");
    });
  });
});
