/**
 * bench/sync.ts's run at Clerk's production limit (1,000 requests per 10 s, a fixed window),
 * with the sync told so (`rateLimit: CLERK_RATE_LIMITS.production`): 201 requests fit in one
 * window, so the rate limit forces no wait and the sync runs at the pace of its page mutations.
 * Its floor is theirs: the first request, then the run's mutations one after another (each a
 * transaction over the run's cursor), as measured in this run (bench/syncProfile.ts).
 */
import { test } from "vitest";
import { CLERK_RATE_LIMITS, makeResyncAction, type ResyncStatus, type ResyncArgs } from "convex-clerk-users";
import { makeFunctionReference } from "convex/server";
import { components } from "../example/convex/_generated/api";
import { USERS, benchmark } from "./lib/syncBench";

test(`resync of ${USERS.toLocaleString("en-US")} users: the package alone, production limit, fixed window`, async () => {
  const bare = { resync: makeResyncAction(components.clerkUsers, { rateLimit: CLERK_RATE_LIMITS.production }) };
  await benchmark(
    "the package alone (makeResyncAction, no hooks), rateLimit: CLERK_RATE_LIMITS.production",
    makeFunctionReference<"action", ResyncArgs, ResyncStatus>("benchBare:resync"),
    { "../example/convex/benchBare.ts": async () => bare },
    { limiter: { instance: "production", model: "window" } },
  );
});
