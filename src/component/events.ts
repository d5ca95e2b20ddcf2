import type { FunctionHandle } from "convex/server";
import { v, type Infer } from "convex/values";
import { HOUR_MS } from "../shared/health.js";
import { vUnsyncedEvent, type ChangeSource, type HooksResult, type UnsyncedEvent } from "../shared/validators.js";
import { mutation, type MutationCtx } from "./_generated/server.js";
import { recordHandOver } from "./health.js";
import { wakePruning } from "./prune.js";

/**
 * Svix ids `onEvent` handled are remembered this long: Svix retries a message for about 28 hours,
 * and a replay from Clerk's dashboard within it is answered as a duplicate too. A replay after it
 * reaches `onEvent` again.
 */
export const HANDLED_KEPT_MS = 3 * 24 * HOUR_MS;

/** What handing an event over came to: `handled` by `onEvent`, a `duplicate` of one it handled, or `ignored` (the app takes no events). */
export const vHandOverOutcome = v.union(v.literal("handled"), v.literal("duplicate"), v.literal("ignored"));
export type HandOverOutcome = Infer<typeof vHandOverOutcome>;

/**
 * Hands a verified event the package does not sync to the app's hooks mutation (its `onEvent`),
 * once per svix id, in one transaction: if it throws, its writes and the id roll back together,
 * and Svix's retry hands it over again. Reads one index range of `handledDeliveries`; writes the id
 * only when the app handled it, and the delivery's health record. The synced events' path
 * (`sync.applyEvent`) never reads this table.
 */
export const handOver = mutation({
  args: {
    event: vUnsyncedEvent,
    /** A function handle to the app's hooks mutation (`defineClerkHooks`). */
    hooks: v.string(),
    /** The app's `tombstoneRetentionMs`, for pruning (prune.ts). */
    tombstoneRetentionMs: v.optional(v.number()),
    /** Ask for a pruning run (the webhook does at most once an hour: `shouldWakePruning`). */
    wakePruning: v.optional(v.boolean()),
  },
  returns: vHandOverOutcome,
  handler: async (ctx, { event, hooks, tombstoneRetentionMs, wakePruning: wake }) => {
    const outcome = await handOverOnce(ctx, event, hooks as HooksHandle);
    await recordHandOver(ctx, event.svixId, outcome);
    if (wake) await wakePruning(ctx, tombstoneRetentionMs);
    return outcome;
  },
});

/** The app's hooks mutation, called with no changes and the one event. */
type HooksHandle = FunctionHandle<"mutation", { source: ChangeSource; events: []; event: UnsyncedEvent }, HooksResult>;

async function handOverOnce(ctx: MutationCtx, event: UnsyncedEvent, hooks: HooksHandle): Promise<HandOverOutcome> {
  const seen = await ctx.db
    .query("handledDeliveries")
    .withIndex("by_svix_id", (q) => q.eq("svixId", event.svixId))
    .first();
  if (seen) return "duplicate";
  const answer = await ctx.runMutation(hooks, { source: "webhook", events: [], event });
  if (answer !== "handled") return "ignored";
  await ctx.db.insert("handledDeliveries", { svixId: event.svixId, at: Date.now() });
  return "handled";
}
