import fs, { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EnvFile } from "../../src/core/env-file.js";
import { InputError } from "../../src/core/errors.js";
import { readText, tempEnvFile } from "../helpers.js";

afterEach(() => vi.restoreAllMocks());

describe("the env file on disk", () => {
  it("records values and reads them back, treating empty as unset", async () => {
    const path = tempEnvFile('A=""\nB="1"\n');
    const env = await EnvFile.load(path);
    expect([env.get("A"), env.get("B")]).toEqual([undefined, "1"]);
    await env.record({ A: "x", C: "y" });
    expect(readText(path)).toBe('A="x"\nB="1"\nC="y"\n');
    expect((await EnvFile.load(path)).get("C")).toBe("y");
  });

  it("leaves the old file whole when the process dies between writing and renaming", async () => {
    const path = tempEnvFile('A="old"\n');
    const env = await EnvFile.load(path);
    // write-file-atomic writes a temp file, then renames it over the target: fail the rename.
    vi.spyOn(fs, "rename").mockImplementation(((_from: string, _to: string, cb: (e: Error) => void) =>
      cb(Object.assign(new Error("killed"), { code: "EIO" }))) as unknown as typeof fs.rename);
    await expect(env.record({ A: "new" })).rejects.toThrow("killed");
    expect(readText(path)).toBe('A="old"\n');
    expect(readdirSync(dirname(path)).filter((f) => !f.startsWith("aws-resources.env"))).toEqual([]);
  });

  it("does not lose an update when two writers record at the same time", async () => {
    const path = tempEnvFile("# shared\n");
    // Two EnvFile instances: two writers that know nothing of each other, as two processes would not.
    const [a, b] = await Promise.all([EnvFile.load(path), EnvFile.load(path)]);
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => a.record({ [`A${i}`]: `a${i}` })),
      ...Array.from({ length: 5 }, (_, i) => b.record({ [`B${i}`]: `b${i}` })),
    ]);
    const after = await EnvFile.load(path);
    for (let i = 0; i < 5; i++) {
      expect(after.get(`A${i}`)).toBe(`a${i}`);
      expect(after.get(`B${i}`)).toBe(`b${i}`);
    }
    expect(readText(path).startsWith("# shared\n")).toBe(true);
  });

  it("does not write values the file already holds", async () => {
    const path = tempEnvFile('A="1"\n');
    const env = await EnvFile.load(path);
    const rename = vi.spyOn(fs, "rename");
    await env.record({ A: "1", NEVER_HAD: "" });
    expect(rename).not.toHaveBeenCalled();
    await env.record({ A: "2" });
    expect(rename).toHaveBeenCalledTimes(1);
    expect(readText(path)).toBe('A="2"\n');
  });

  it("says plainly when the file does not exist", async () => {
    await expect(EnvFile.load("/nonexistent/aws-resources.env")).rejects.toThrow(InputError);
    await expect(EnvFile.load("/nonexistent/aws-resources.env")).rejects.toThrow(
      "env file /nonexistent/aws-resources.env not found",
    );
  });
});
