import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Pulumi's runtime keeps global state (the mock monitor, config): one file per fork.
    pool: "forks",
    // The property tests' seed (fixed unless GATELOCK_FC_SEED says otherwise).
    setupFiles: ["test/harness/fast-check-seed.ts"],
  },
});
