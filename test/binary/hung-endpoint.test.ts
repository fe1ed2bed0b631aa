// An AWS endpoint that takes the connection and never answers (a broken proxy, a stuck emulator) must not hold infra
// past --timeout: each call is bounded, its retries included, and the run ends with AWS failing (exit 3), saying what
// did not answer.
import { afterEach, describe, expect, it } from "vitest";
import { tempEnvFile } from "../helpers.js";
import { isolatedEnv, runBinary, silentEndpoints } from "./support.js";

const silent = silentEndpoints();
afterEach(() => silent.close());

const CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "not-a-secret" };

describe("an endpoint that never answers", () => {
  it.each([["verify", "alb"], ["status"]])(
    "ends infra %s within --timeout, exit 3, naming the call that got no answer",
    async (...args) => {
      const endpoint = await silent.open();
      const started = Date.now();

      const result = await runBinary([...args, "-f", tempEnvFile(), "--endpoint-url", endpoint, "--timeout", "3s"], {
        env: isolatedEnv(CREDENTIALS),
        killAfterMs: 30_000,
      });
      const took = Date.now() - started;

      expect(result.signal).toBeNull();
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/\w+: no answer within 3 s \(--timeout\), retries included/);
      expect(took).toBeLessThan(15_000);
    },
  );
});
