/**
 * Times a full resync against a local server playing Clerk's Backend API, and counts what it
 * did, each figure beside its floor (the least any client could do) and each goal PASS/FAIL.
 *
 *   npm run bench:sync                          # 100,000 users: every run below, each in a fresh process
 *   BENCH_USERS=2000 npm run bench:sync         # quick smoke run (CI): fails if a count goal regresses
 *   BENCH_HOOKS=0 npm run bench:sync            # without the run with the example app's hooks
 *
 * The runs (one file each): this one, the package alone at Clerk's development limit under the
 * documented fixed window, then a second pass over the same unchanged users (the run the goals
 * judge); sync.bucket.ts, the same limit as a token bucket; sync.production.ts, the production
 * limit; sync.hooks.ts, the example app's clerk:resync with its hooks (app work, shown for
 * what it costs).
 *
 * Requests are counted by the server; mutations and the documents each one wrote by
 * instrumenting convex-test's per-transaction metrics (so also the app's hook writes, which
 * run inside the page's transaction). Timings are convex-test's in-process backend with hash
 * indexes (bench/syncIndexes.ts), not a deployment: they show whether the sync keeps up with
 * the rate limit, and where the time goes when it does not. Counts are deterministic; wall
 * times are printed and judged against the limiter's floor, never enforced.
 */
import { test } from "vitest";
import { CLERK_RATE_LIMITS, makeResyncAction, type ResyncStatus, type ResyncArgs } from "convex-clerk-users";
import { makeFunctionReference } from "convex/server";
import { components } from "../example/convex/_generated/api";
import { USERS, benchmark } from "./lib/syncBench";

test(`resync of ${USERS.toLocaleString("en-US")} users: the package alone, development limit, fixed window`, async () => {
  const bare = { resync: makeResyncAction(components.clerkUsers, { rateLimit: CLERK_RATE_LIMITS.development }) };
  await benchmark(
    "the package alone (makeResyncAction, no hooks)",
    makeFunctionReference<"action", ResyncArgs, ResyncStatus>("benchBare:resync"),
    { "../example/convex/benchBare.ts": async () => bare },
    { limiter: { instance: "development", model: "window" }, secondPass: true },
  );
});
