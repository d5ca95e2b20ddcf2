/**
 * The convex-test internals bench/syncIndexes.ts needs (its hash indexes for the in-memory
 * database), exported by appending one line to convex-test's dist/index.js as it loads: under
 * vitest by a transform (bench/sync.vitest.config.ts), under tsx by a module hook
 * (`exposeConvexTestInternals`, registered by bench/cost.ts's `--import`).
 */
export const CONVEX_TEST_INDEX = /convex-test[\\/]dist[\\/]index\.js$/;
export const EXPORT_INTERNALS =
  "\nexport { DatabaseFake as __DatabaseFake, evaluateRangeFilter as __evaluateRangeFilter, evaluateFilter as __evaluateFilter, tableNameFromId as __tableNameFromId, evaluateFieldPath as __evaluateFieldPath };\n";

/** A module `load` hook (node:module `register`) that appends EXPORT_INTERNALS to convex-test's entry. */
export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  if (!CONVEX_TEST_INDEX.test(url) || loaded.source === undefined) return loaded;
  return { ...loaded, source: `${String(loaded.source)}${EXPORT_INTERNALS}` };
}
