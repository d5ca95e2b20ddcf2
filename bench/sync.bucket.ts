/**
 * bench/sync.ts's run against the other model of the same limit: a token bucket (a burst of
 * 100, then 10 per second), which admits up to twice a window's requests in one window's span.
 * The sync still paces to the documented window, so it is judged against the bucket's floor.
 */
import { test } from "vitest";
import { CLERK_RATE_LIMITS, makeResyncAction, type ResyncStatus, type ResyncArgs } from "convex-clerk-users";
import { makeFunctionReference } from "convex/server";
import { components } from "../example/convex/_generated/api";
import { USERS, benchmark } from "./lib/syncBench";

test(`resync of ${USERS.toLocaleString("en-US")} users: the package alone, development limit, token bucket`, async () => {
  const bare = { resync: makeResyncAction(components.clerkUsers, { rateLimit: CLERK_RATE_LIMITS.development }) };
  await benchmark(
    "the package alone (makeResyncAction, no hooks)",
    makeFunctionReference<"action", ResyncArgs, ResyncStatus>("benchBare:resync"),
    { "../example/convex/benchBare.ts": async () => bare },
    { limiter: { instance: "development", model: "bucket" } },
  );
});
