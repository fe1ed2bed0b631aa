import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // The CLI tests spawn the built binary, several processes at once on 2 cores: a sandbox create all takes 5-15 s
    // alone and was seen past 20 s under load. The limit catches a hang, not slowness (the bench measures that).
    testTimeout: 60_000,
    // The end-to-end kills run as concurrent tests, each a sandbox and two infra processes: a few at a time keep a
    // 2-core machine from starving the other suites' waits on the real clock.
    maxConcurrency: 3,
  },
});
