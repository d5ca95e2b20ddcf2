import { v } from "convex/values";
import { PROVISIONAL_UPDATED_AT, user, vUser, vUserFields } from "../shared/kinds/user.js";
import { vApplyOutcome, vChange } from "../shared/validators.js";
import { mutation } from "./_generated/server.js";
import { applyOne, lookUp } from "./apply.js";
import { recordApplied } from "./health.js";
import { HookEvents } from "./hooks.js";
import { wakePruning } from "./prune.js";
import { asDoc } from "./rows.js";

/**
 * Applies one Clerk event in one transaction: its changes in order (a membership event's
 * embedded organization, then the membership), and the app's hooks for each real change.
 * Returns the outcome of the last change, the event's own.
 */
export const applyEvent = mutation({
  args: {
    changes: v.array(vChange),
    /** A function handle to the app's hooks mutation (`defineClerkHooks`). */
    hooks: v.optional(v.string()),
    /** The delivery's svix id: its outcome is counted in the webhook's health (health.ts). */
    svixId: v.optional(v.string()),
    /** The app's `tombstoneRetentionDays`, in ms, for pruning (prune.ts). */
    tombstoneRetentionMs: v.optional(v.number()),
    /** Ask for a pruning run (the webhook does at most once an hour: `shouldWakePruning`). */
    wakePruning: v.optional(v.boolean()),
  },
  returns: vApplyOutcome,
  handler: async (ctx, { changes, hooks, svixId, tombstoneRetentionMs, wakePruning: wake }) => {
    if (changes.length === 0) throw new Error("applyEvent: an event has at least one change");
    const events = new HookEvents(hooks, "webhook");
    let outcome: Awaited<ReturnType<typeof applyOne>> = "duplicate";
    for (const change of changes) {
      outcome = await applyOne(ctx, change, events);
      events.addNotice(change);
    }
    await events.flush(ctx);
    // Last, so a hook that throws rolls this back too: the endpoint then records the failure.
    if (svixId !== undefined) await recordApplied(ctx, svixId, outcome);
    if (wake) await wakePruning(ctx, tombstoneRetentionMs);
    return outcome;
  },
});

/**
 * Creates a provisional row from the signed-in identity when the webhook has not landed yet.
 * It is marked `provisional`, so Clerk's first real version always replaces it; a tombstoned
 * user is not brought back. Returns the stored row (provisional or not), or null if deleted.
 */
export const ensureUser = mutation({
  args: { user: vUserFields },
  returns: v.union(vUser, v.null()),
  handler: async (ctx, { user: fields }) => {
    const stored = await lookUp(ctx, user.name, fields.clerkId);
    // Any stored row is at least as new as a provisional one, and a tombstone is final.
    if (stored.row) return asDoc(vUser, stored.row);
    if (stored.deleted) return null;
    const id = await ctx.db.insert(user.table, { ...fields, updatedAt: PROVISIONAL_UPDATED_AT, provisional: true });
    return ctx.db.get(user.table, id);
  },
});
