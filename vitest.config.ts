import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // The CLI tests spawn the built binary; give them room on a slow CI machine.
    testTimeout: 20_000,
    // The end-to-end kills run as concurrent tests, each a sandbox and two infra processes: a few at a time keep a
    // 2-core machine from starving the other suites' waits on the real clock.
    maxConcurrency: 3,
  },
});
