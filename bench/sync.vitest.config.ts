import { defineConfig } from "vitest/config";
import base from "../vitest.config";
import { CONVEX_TEST_INDEX, EXPORT_INTERNALS } from "./convexTestInternals.mjs";

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
        return CONVEX_TEST_INDEX.test(id) ? `${code}${EXPORT_INTERNALS}` : null;
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
