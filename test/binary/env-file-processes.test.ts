// The env file under real processes: writers in separate processes (one through a symlink) lose nothing, and a
// folder that cannot be written stops a command before any AWS call, said as such.
import { spawn } from "node:child_process";
import { chmodSync, symlinkSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EnvFile } from "../../src/core/env-file.js";
import { INPUTS, readText, tempEnvFile } from "../helpers.js";
import { isolatedEnv, NODE_ARGS } from "./support.js";

const ENV_FILE_MODULE = fileURLToPath(new URL("../../dist/src/core/env-file.js", import.meta.url));

function writer(path: string, prefix: string, count: number): Promise<number | null> {
  const script = `const { EnvFile } = await import(${JSON.stringify(ENV_FILE_MODULE)});
const env = await EnvFile.load(${JSON.stringify(path)});
for (let i = 0; i < ${count}; i++) await env.record({ ["${prefix}" + i]: String(i) });`;
  return new Promise((resolve) => {
    spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "inherit" }).on("close", resolve);
  });
}

describe("the env file across processes", () => {
  it("keeps all 400 updates of four processes, two of them writing through a symlink", async () => {
    const path = tempEnvFile("# shared\n");
    const link = join(dirname(path), "link.env");
    symlinkSync(path, link);

    const codes = await Promise.all([
      writer(path, "A", 100),
      writer(link, "B", 100),
      writer(path, "C", 100),
      writer(link, "D", 100),
    ]);

    expect(codes).toEqual([0, 0, 0, 0]);
    const env = await EnvFile.load(path);
    const lost = ["A", "B", "C", "D"].flatMap((p) =>
      Array.from({ length: 100 }, (_, i) => `${p}${i}`).filter((k, i) => env.get(k) !== String(i)),
    );
    expect(lost).toEqual([]);
  }, 60_000);

  it("stops before any AWS call when the env file's folder cannot be written", async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.statusCode = 500;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const path = tempEnvFile(INPUTS);
    chmodSync(path, 0o644);
    chmodSync(dirname(path), 0o555);
    const before = readText(path);
    // Root writes anywhere: run the binary as an unprivileged user, as a user would be.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [...NODE_ARGS, "create", "alb", "-f", path, "--endpoint-url", endpoint], {
        env: isolatedEnv({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" }),
        ...asUser,
      });
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.on("close", (code) => resolve({ code, stderr }));
    });
    server.close();

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: cannot write .* \(EACCES\)/m);
    expect(result.stderr).not.toMatch(/locked/);
    expect(requests).toBe(0);
    expect(readText(path)).toBe(before);
  });
});
