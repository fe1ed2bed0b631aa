// The project's own rules, checked: one owner per recorded key, no resource reaching into another's folder, imports
// that follow the layers docs/architecture.md lists, a step graph without unknown names or cycles, and an env example
// that documents exactly the keys infra reads.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
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

/** The layers table of docs/architecture.md: each layer's paths under src/, and the layers it may import from. */
function documentedLayers(): { name: string; paths: string[]; uses: string[] }[] {
  const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
  const section = doc.slice(doc.indexOf("## The layers"), doc.indexOf("\n## ", doc.indexOf("## The layers") + 1));
  const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `src/"))
    .map((line) => {
      const cells = line.split("|").map((c) => c.trim());
      const paths = ticked(cells[1] as string).map((p) => p.replace(/^src\//, "").replace(/\/$/, ""));
      return { name: paths[0] as string, paths, uses: ticked(cells[3] as string) };
    });
}

/** The layer a file under src/ belongs to, and its unit: the layer, or for a resource folder that folder. */
function layerOf(
  layers: ReturnType<typeof documentedLayers>,
  file: string,
): { layer: string; unit: string } | undefined {
  const folder = /^resources\/([^/]+)\//.exec(file)?.[1];
  if (folder && folder !== "common") return { layer: "resources/<name>", unit: `resources/${folder}` };
  const matches = layers.flatMap((l) =>
    l.paths.filter((p) => file === p || file.startsWith(`${p}/`)).map((p) => ({ layer: l.name, length: p.length })),
  );
  const best = matches.sort((a, b) => b.length - a.length)[0];
  return best && { layer: best.layer, unit: best.layer };
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

  it("imports only what docs/architecture.md's layers table allows each layer, and places every file in a layer", () => {
    const layers = documentedLayers();
    expect(layers.length).toBeGreaterThan(10);
    // The table lists each layer above every layer it uses.
    const named = (name: string) => layers.findIndex((l) => l.name === name);
    const row = (name: string) =>
      named(name) >= 0 || !name.startsWith("resources/") ? named(name) : named("resources/<name>");
    expect(layers.flatMap((l, i) => l.uses.filter((u) => !(row(u) > i)).map((u) => `${l.name} uses ${u}`))).toEqual([]);
    const src = join(ROOT, "src");
    const problems = filesUnder(src).flatMap((path) => {
      const file = path.slice(src.length + 1);
      const from = layerOf(layers, file);
      if (!from) return [`${file} is in no layer of the table`];
      const uses = layers.find((l) => l.name === from.layer)?.uses ?? [];
      return [...readFileSync(path, "utf8").matchAll(/(?:from|import\()\s*"(\.[^"]+)"/g)].flatMap((m) => {
        const target = posix.normalize(posix.join(dirname(file), m[1] as string)).replace(/\.js$/, ".ts");
        const to = layerOf(layers, target);
        if (!to) return [`${file} imports ${target}, which is in no layer`];
        const allowed = to.unit === from.unit || uses.includes(to.unit) || uses.includes(to.layer);
        return allowed ? [] : [`${file} (${from.layer}) imports ${target} (${to.unit})`];
      });
    });
    expect(problems).toEqual([]);
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
