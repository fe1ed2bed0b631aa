// A recovery document of the usual shape (test/fixtures/recovery-document.md: scenarios of numbered steps, rollback
// options, testing, contacts): the runbook carries a section for every procedure it has, with commands in it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROCEDURES } from "../../src/recovery/runbook.js";
import { runCli, useFake } from "../helpers.js";
import { drillStack } from "./support.js";

const DOCUMENT = readFileSync(new URL("../fixtures/recovery-document.md", import.meta.url), "utf8");

/** The document's procedures: its scenarios, their steps and options, its testing and its contacts. */
const procedures = [...DOCUMENT.matchAll(/^#{2,4} ((?:Scenario|Step|Option) [^:]+: .*|Testing.*|Contact.*)$/gm)].map(
  (m) => (m[1] ?? "").replace(/^(Scenario|Step|Option) [^:]+: /, ""),
);

/** The runbook's sections, by heading, with their text. */
function sections(markdown: string): Map<string, string> {
  const parts = markdown.split(/^## /m).slice(1);
  return new Map(parts.map((p) => [p.slice(0, p.indexOf("\n")), p.slice(p.indexOf("\n"))]));
}

describe("the runbook against a recovery document of the usual shape", () => {
  const fake = useFake();

  it("finds the document's procedures", () => {
    expect(procedures).toHaveLength(15);
  });

  it("has a section with commands (or contacts) for every procedure of the document", async () => {
    fake.current.route53.addZone("startupwebapp.com");
    const path = await drillStack(fake.current, 'RUNBOOK_CONTACTS="Owner, owner@example.com"\n');
    expect((await runCli(["create", "all", "-f", path], fake.current)).code).toBe(0);
    const runbook = sections((await runCli(["runbook", "-f", path], fake.current)).stdout);

    for (const procedure of procedures) {
      const match = PROCEDURES.find((p) => p.procedure.test(procedure));
      expect(match, `no runbook section carries "${procedure}"`).toBeDefined();
      const text = runbook.get(match?.section ?? "");
      expect(text, `"${procedure}": the runbook has no section "${match?.section}"`).toBeDefined();
      if (match?.section === "Contacts and escalation") expect(text).toMatch(/^- Owner, owner@example\.com$/m);
      else expect(text, `"${procedure}" in "${match?.section}"`).toMatch(/```sh\n(infra |aws |[A-Z_]+=|export )/);
    }
  });

  it("has every section PROCEDURES names", async () => {
    const path = await drillStack(fake.current);
    const runbook = sections((await runCli(["runbook", "-f", path], fake.current)).stdout);
    for (const { section } of PROCEDURES) expect([...runbook.keys()], section).toContain(section);
  });
});
