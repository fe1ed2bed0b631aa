// The env file is data that infra edits and CI may commit back: naming it on the command line must never let
// Node treat it as configuration (Node reads its own env-file flag from anywhere in argv, NODE_OPTIONS included).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { INPUTS, tempEnvFile } from "../helpers.js";
import { isolatedEnv, runBinary } from "./support.js";

/** An env file whose NODE_OPTIONS line would make Node load a module that leaves a marker file behind. */
function hostileEnvFile() {
  const path = tempEnvFile(INPUTS);
  const folder = dirname(path);
  const marker = join(folder, "ran");
  writeFileSync(join(folder, "payload.cjs"), `require("fs").writeFileSync(${JSON.stringify(marker)}, "x")\n`);
  writeFileSync(path, `NODE_OPTIONS="--require ${join(folder, "payload.cjs")}"\n${INPUTS}`);
  return { path, marker };
}

describe("the env file option, through the real binary", () => {
  it("reads the env file given with -f and runs nothing its NODE_OPTIONS line names", async () => {
    const { path, marker } = hostileEnvFile();
    const before = readFileSync(path, "utf8");

    const result = await runBinary(["cost", "-f", path]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Total/);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(path, "utf8")).toBe(before);
  });

  it("takes the env file from INFRA_ENV_FILE when -f is not given", async () => {
    const { path, marker } = hostileEnvFile();

    const result = await runBinary(["cost", "--file", path.replace(/$/, ".missing")], { env: isolatedEnv() });
    const fromEnv = await runBinary(["cost"], { env: isolatedEnv({ INFRA_ENV_FILE: path }) });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/env file .*\.missing not found/);
    expect(fromEnv.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses Node's own env-file flag with exit 2 and points at -f", async () => {
    const path = tempEnvFile();

    const result = await runBinary(["cost", `--env-file=${path}`]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --env-file is Node's own option, not infra's.*use -f, --file <path>/m);
    expect(result.stdout).toBe("");
  });
});
