// The executable is CommonJS (bundle.mjs): every package it requires from node_modules must load as CommonJS.
// Node 20.19 and later would also require() a package published only as ES modules, but its default export then
// arrives as the module's namespace, and a call of it fails only when that code runs (a status table, a live block).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "./support.js";

const BIN = dirname(CLI);
const files = readdirSync(BIN).filter((f) => f.endsWith(".js"));
const code = files.map((f) => readFileSync(join(BIN, f), "utf8")).join("\n");

describe("the built executable", () => {
  it("is CommonJS: its folder says so, and its files neither import nor export as ES modules", () => {
    expect(JSON.parse(readFileSync(join(BIN, "package.json"), "utf8"))).toEqual({ type: "commonjs" });
    expect(code).not.toMatch(/^(import|export) /m);
  });

  it("requires from node_modules only packages that load as CommonJS (refused: require of an ES module)", () => {
    const packages = [...new Set([...code.matchAll(/\brequire\("([^".][^"]*)"\)/g)].map((m) => m[1] as string))];
    const fromNodeModules = packages.filter((p) => !p.startsWith("node:"));
    expect(fromNodeModules).toContain("@aws-sdk/client-ecs");

    const script = `const r = require("node:module").createRequire(${JSON.stringify(CLI)});
for (const p of ${JSON.stringify(fromNodeModules)}) r(p);`;
    const run = spawnSync(process.execPath, ["--no-experimental-require-module", "-e", script], { encoding: "utf8" });

    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
