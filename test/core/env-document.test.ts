import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { EnvDocument } from "../../src/core/env-document.js";
import { InputError } from "../../src/core/errors.js";
import { tempEnvFile } from "../helpers.js";

const template = readFileSync(new URL("../fixtures/aws-resources.env.template", import.meta.url), "utf8");

const changedLines = (before: string, after: string) => {
  const a = before.split("\n");
  const b = after.split("\n");
  return b.map((line, i) => (line === (a[i] ?? "") ? undefined : `${i + 1}: ${line}`)).filter(Boolean);
};

describe("the env document", () => {
  it("round-trips the users' env template byte for byte", () => {
    expect(EnvDocument.parse(template, "t").toString()).toBe(template);
  });

  it("reads quoted, unquoted and empty values, the last line of a key winning as in `source`", () => {
    const doc = EnvDocument.parse(
      ['A="x y"', "B=plain # note", "C=''", "export D='single'", 'E="a \\"q\\" b"', "A=second", ""].join("\n"),
      "t",
    );
    expect([doc.get("A"), doc.get("B"), doc.get("C"), doc.get("D"), doc.get("E"), doc.get("F")]).toEqual([
      "second",
      "plain",
      "",
      "single",
      'a "q" b',
      undefined,
    ]);
  });

  it("changes only the value of a recorded key, and appends a key the file has no line for", () => {
    const doc = EnvDocument.parse(template, "t");
    doc.set("ALB_ARN", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1");
    doc.set("HEALTH_CHECK_PATH", "/health");
    const after = doc.toString();
    expect(changedLines(template, after)).toEqual([
      '59: ALB_ARN="arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1"',
      '98: HEALTH_CHECK_PATH="/health"',
    ]);
    expect(after.endsWith('HEALTH_CHECK_PATH="/health"\n')).toBe(true);
  });

  it("keeps a comment after the value, CRLF line endings and a last line without a newline", () => {
    const doc = EnvDocument.parse('# head\r\nA="old"  # why\r\nB=1', "t");
    doc.set("A", "new");
    doc.set("C", "3");
    expect(doc.toString()).toBe('# head\r\nA="new"  # why\r\nB=1\r\nC="3"\r\n');
  });

  it("quotes what it writes so the file still sources in bash", () => {
    const doc = EnvDocument.parse("", "t");
    doc.set("A", 'a "b" \\c');
    expect(doc.toString()).toBe('A="a \\"b\\" \\\\c"\n');
    expect(EnvDocument.parse(doc.toString(), "t").get("A")).toBe('a "b" \\c');
  });

  it("writes a value with $ and backticks so that bash's source reads it back literally and runs nothing", () => {
    const doc = EnvDocument.parse("", "t");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text ${HOME} is what is tested
    const value = "x$(touch pwned)`id`${HOME}\\$";
    doc.set("A", value);
    const path = tempEnvFile(doc.toString());

    const sourced = spawnSync("bash", ["-c", 'source "$1" && printf %s "$A"', "bash", path], {
      encoding: "utf8",
      cwd: dirname(path),
    });

    expect(sourced.stderr).toBe("");
    expect(existsSync(join(dirname(path), "pwned"))).toBe(false);
    expect(sourced.stdout).toBe(value);
    expect(EnvDocument.parse(doc.toString(), "t").get("A")).toBe(value);
  });

  it("does not append a key only to empty it", () => {
    const doc = EnvDocument.parse("A=1\n", "t");
    doc.set("NEVER_SEEN", "");
    expect(doc.toString()).toBe("A=1\n");
  });

  it("names the line of a malformed line and what was expected, without repeating what the line holds", () => {
    expect(() => EnvDocument.parse("A=1\nroot:x:0:0:root\n", "f.env")).toThrow(
      new InputError('f.env:2: not a KEY="value" line, a comment or a blank line'),
    );
  });

  it.each([
    ['A = "1"', "before"],
    ['A ="1"', "before"],
    ['A= "1"', "after"],
    ["A= 1", "after"],
  ])("refuses %s, which bash would not assign", (line, where) => {
    expect(() => EnvDocument.parse(`${line}\n`, "f.env")).toThrow(
      new InputError(`f.env:1: A has a space ${where} "=", so bash would not assign it the value`, 'write A="value"'),
    );
  });

  it("reads A= and A= # note as empty, as bash does", () => {
    const doc = EnvDocument.parse("A=\nB= # none yet\n", "f.env");

    expect([doc.get("A"), doc.get("B")]).toEqual(["", ""]);
  });

  it("refuses an unquoted value with a space in it, which bash would split into a command", () => {
    expect(() => EnvDocument.parse("A=1 2\n", "f.env")).toThrow(/^f\.env:1: text after the value of A/);
  });

  it("names the line of an unterminated quote", () => {
    expect(() => EnvDocument.parse('# c\nA="1\nB=2\n', "f.env")).toThrow(/^f\.env:2: unterminated double quote$/);
  });

  it("rejects text after a quoted value", () => {
    expect(() => EnvDocument.parse('A="1" 2\n', "f.env")).toThrow(/f\.env:1: text after the value of A/);
  });
});
