/**
 * Times a full resync against a local server playing Clerk's Backend API at Clerk's
 * development rate limit (100 requests per 10 s), and counts what it did.
 *
 *   npm run bench:sync                          # 100,000 users: the package alone, then with the example app's hooks
 *   BENCH_USERS=2000 npm run bench:sync         # quick smoke run
 *   BENCH_HOOKS=0 npm run bench:sync            # the package alone only
 *
 * The goal (requests = ceil(users / 500), wall time under 1.2x what the rate limit forces) is
 * the package's: this run has no hooks. bench/sync.hooks.ts then runs the example app's, which
 * write a profile per user in the page's transaction: app work, shown for what it costs.
 *
 * Requests are counted by the server; mutations and the documents each one wrote by
 * instrumenting convex-test's per-transaction metrics (so also the app's hook writes, which
 * run inside the page's transaction). Timings are convex-test's in-process backend with hash
 * indexes (bench/syncIndexes.ts), not a deployment: they show whether the sync keeps up with
 * the rate limit, and where the time goes when it does not.
 */
import { test } from "vitest";
import { makeSyncUsersAction, type SyncStatus, type SyncUsersArgs } from "convex-clerk-users";
import { makeFunctionReference } from "convex/server";
import { components } from "../example/convex/_generated/api";
import { USERS, benchmark } from "./lib/syncBench";

test(`resync of ${USERS.toLocaleString("en-US")} users: the package alone (makeSyncUsersAction, no hooks)`, async () => {
  const bare = { syncUsers: makeSyncUsersAction(components.clerkUsers) };
  await benchmark(
    "the package alone",
    makeFunctionReference<"action", SyncUsersArgs, SyncStatus>("benchBare:syncUsers"),
    { "../example/convex/benchBare.ts": async () => bare },
    true,
  );
});

