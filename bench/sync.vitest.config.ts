import { defineConfig } from "vitest/config";
import base from "../vitest.config";

/**
 * Runs bench/sync.ts (`npm run bench:sync`) with the tests' aliases and environment, plus one
 * bench-only change: convex-test's in-memory database gets hash indexes (bench/syncIndexes.ts),
 * which needs a few of its internals exported. Without them every indexed lookup scans every
 * document, and a 100,000-user sync would measure convex-test's scans instead of the sync.
 */
export default defineConfig({
  ...base,
  plugins: [
    {
      name: "expose-convex-test-internals",
      transform(code: string, id: string) {
        if (!/convex-test[\\/]dist[\\/]index\.js$/.test(id)) return null;
        return `${code}\nexport { DatabaseFake as __DatabaseFake, evaluateRangeFilter as __evaluateRangeFilter, evaluateFilter as __evaluateFilter, tableNameFromId as __tableNameFromId, evaluateFieldPath as __evaluateFieldPath };\n`;
      },
    },
  ],
  test: {
    ...base.test,
    include: ["bench/sync.ts", "bench/sync.bucket.ts", "bench/sync.production.ts", "bench/sync.hooks.ts"],
    // One run at a time, each file in a fresh process: runs must not share CPUs or a heap.
    fileParallelism: false,
    sequence: { shuffle: false },
    testTimeout: 60 * 60_000,
    hookTimeout: 60_000,
  },
});
