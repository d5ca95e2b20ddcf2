/**
 * The resync of bench/sync.ts, run by the example app's `clerk:resync`, whose hooks write a
 * profile per user in the page's transaction: app work, shown for what it costs. It runs after
 * bench/sync.ts, in a process of its own. `BENCH_HOOKS=0` skips it.
 */
import { test } from "vitest";
import { internal } from "../example/convex/_generated/api";
import { HOOKS, USERS, benchmark } from "./lib/syncBench";

test.skipIf(!HOOKS)(`resync of ${USERS.toLocaleString("en-US")} users: the example app's clerk:resync, with its hooks`, async () => {
  await benchmark(
    "with the example app's hooks (a profile per user)",
    internal.clerk.resync,
    {},
    {
      limiter: { instance: "development", model: "window" },
      appWritesPerUser: 1,
      // Its organizations, memberships, plans and subscription items (read twice: newest first, the head again), all empty.
      otherLists: 5,
    },
  );
});
