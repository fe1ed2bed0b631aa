import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    // The CLI tests spawn the built binary; give them room on a slow CI machine.
    testTimeout: 20_000,
  },
});
