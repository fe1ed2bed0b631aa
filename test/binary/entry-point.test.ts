// However infra is started (`./infra` in a checkout, or the `infra` npm links into node_modules/.bin), Node must not
// read its own flags from infra's arguments: Node 20 takes `--env-file <file>` from anywhere on its command line and
// applies the file's NODE_OPTIONS line (here, one that loads a module) before infra runs.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CLI, collected, isolatedEnv, type ProcessResult } from "./support.js";

const CHECKOUT_SCRIPT = fileURLToPath(new URL("../../infra", import.meta.url));

/** A folder holding an env file whose NODE_OPTIONS line makes Node load a module that leaves a marker file. */
function hostileFolder() {
  const folder = mkdtempSync(join(tmpdir(), "infra-entry-"));
  const marker = join(folder, "ran");
  writeFileSync(join(folder, "payload.cjs"), `require("fs").writeFileSync(${JSON.stringify(marker)}, "x")\n`);
  writeFileSync(join(folder, "node.env"), `NODE_OPTIONS="--require ${join(folder, "payload.cjs")}"\n`);
  return { folder, envFile: join(folder, "node.env"), marker };
}

/** `infra` as npm installs a package's bin: a symlink in node_modules/.bin to the file package.json names, made executable. */
function installedBin(folder: string): string {
  const bin = join(folder, "node_modules", ".bin");
  mkdirSync(bin, { recursive: true });
  chmodSync(CLI, 0o755);
  symlinkSync(CLI, join(bin, "infra"));
  return join(bin, "infra");
}

/** Runs an executable file as a shell does: the kernel reads its first line. */
function runExecutable(file: string, args: string[], cwd: string): Promise<ProcessResult> {
  return collected(spawn(file, args, { cwd, env: isolatedEnv(), stdio: ["ignore", "pipe", "pipe"] }));
}

const launchers: [string, (folder: string) => string][] = [
  ["./infra in a checkout", () => CHECKOUT_SCRIPT],
  ["the bin npm links into node_modules/.bin", installedBin],
];

describe.each(launchers)("infra started as %s", (_name, launcher) => {
  it("runs nothing a NODE_OPTIONS line names when given Node's --env-file, and refuses the flag with exit 2", async () => {
    const { folder, envFile, marker } = hostileFolder();
    const infra = launcher(folder);

    const spaced = await runExecutable(infra, ["cost", "--env-file", envFile], folder);
    const joined = await runExecutable(infra, ["--version", `--env-file=${envFile}`], folder);

    expect(existsSync(marker)).toBe(false);
    for (const result of [spaced, joined]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: --env-file is Node's own option, not infra's.*use -f, --file <path>/m);
    }
  });

  it("runs commands as usual", async () => {
    const { folder } = hostileFolder();

    const result = await runExecutable(launcher(folder), ["--version"], folder);

    expect(result).toMatchObject({ code: 0, stdout: "0.1.0\n" });
  });
});
