// The project's own rules, checked: one owner per recorded key, no resource reaching into another's folder, a step
// graph without unknown names or cycles, and an env example that documents exactly the keys infra reads.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkGraph } from "../src/commands/steps.js";
import { EnvDocument } from "../src/core/env-document.js";
import { KEYS } from "../src/core/keys.js";
import { RESOURCES } from "../src/resources/registry.js";
import type { Action } from "../src/resources/resource.js";

const ROOT = new URL("..", import.meta.url).pathname;
const example = EnvDocument.parse(readFileSync(join(ROOT, "aws-resources.env.example"), "utf8"), "example");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("the project's structure", () => {
  it("has one resource recording each key", () => {
    const owners = new Map<string, string[]>();
    for (const r of RESOURCES) for (const k of r.records) owners.set(k, [...(owners.get(k) ?? []), r.name]);
    expect([...owners].filter(([, by]) => by.length > 1)).toEqual([]);
  });

  it("keeps each resource folder to itself: shared pieces live in src/resources/common", () => {
    const resourcesDir = join(ROOT, "src/resources");
    const folders = readdirSync(resourcesDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== "common")
      .map((e) => e.name);
    const crossings = folders.flatMap((folder) =>
      filesUnder(join(resourcesDir, folder)).flatMap((file) =>
        [...readFileSync(file, "utf8").matchAll(/from "\.\.\/([a-z0-9-]+)\//g)]
          .map((m) => m[1])
          .filter((target) => target !== "common" && folders.includes(target as string))
          .map((target) => `${file.slice(ROOT.length)} imports from ${target}`),
      ),
    );
    expect(crossings).toEqual([]);
  });

  it("orders the resources in a graph without unknown names or cycles", () => {
    expect(() => checkGraph(RESOURCES)).not.toThrow();
    expect(() => checkGraph([{ name: "a", after: ["b"] }])).toThrow(/a comes after b, which is not a resource/);
    expect(() =>
      checkGraph([
        { name: "a", after: ["b"] },
        { name: "b", after: ["a"] },
      ]),
    ).toThrow(/cycle: a -> b -> a/);
  });

  it("documents in aws-resources.env.example exactly the keys infra reads", () => {
    expect(example.keys().filter((k) => !(k in KEYS))).toEqual([]);
    expect(Object.keys(KEYS).filter((k) => !example.keys().includes(k))).toEqual([]);
  });

  it("reads every key of the table somewhere (nothing documented is unread)", () => {
    const read = new Set<string>();
    const recording = {
      get: (key: string) => {
        read.add(key);
        return example.get(key) || undefined;
      },
    };
    for (const r of RESOURCES)
      for (const action of ["create", "verify", "destroy", "plan"] as Action[]) {
        try {
          r.config(recording, action);
        } catch {
          // A missing input still counts as read.
        }
      }
    const sources = filesUnder(join(ROOT, "src"))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    const unread = Object.keys(KEYS).filter((k) => !read.has(k) && !sources.includes(`"${k}"`));
    expect(unread).toEqual([]);
  });
});
