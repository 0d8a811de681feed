import { defineConfig } from "vitest/config";

// The browser journey (e2e/), run by tests/frontend against a stack it started.
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
