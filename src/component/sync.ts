import { v } from "convex/values";
import {
  PROVISIONAL_UPDATED_AT,
  vApplyOutcome,
  vUser,
  vUserChange,
  vUserFields,
  type ApplyOutcome,
  type UserChange,
} from "../shared/validators.js";
import { mutation, type MutationCtx } from "./_generated/server.js";
import type { Doc } from "./_generated/dataModel.js";
import { decide, type Stored } from "./ordering.js";
import { HookEvents } from "./hooks.js";

/**
 * Applies one change from Clerk (a webhook event or a resync row) in one transaction:
 * read what is stored by index, decide, write, and run the app's hook for a real change.
 */
export const applyChange = mutation({
  args: {
    change: vUserChange,
    /** A function handle to the app's hooks mutation (`defineUserHooks`). */
    hooks: v.optional(v.string()),
  },
  returns: vApplyOutcome,
  handler: async (ctx, { change, hooks }) => {
    const events = new HookEvents(hooks, "webhook");
    const outcome = await applyOne(ctx, change, events);
    await events.flush(ctx);
    return outcome;
  },
});

/** What is stored for one Clerk id: its live row, or whether a tombstone says it was deleted. */
export type StoredUser = { row: Doc<"users"> | null; deleted: boolean };

/** Reads what is stored for `clerkId`: its row by index, and its tombstone only when there is no row. */
export async function lookUp(ctx: MutationCtx, clerkId: string): Promise<StoredUser> {
  const row = await ctx.db
    .query("users")
    .withIndex("by_clerk_id", (q) => q.eq("clerkId", clerkId))
    .unique();
  // A live row means no tombstone (a delete removes the row), so the second read
  // is only paid for users not in the table.
  if (row) return { row, deleted: false };
  const tombstone = await ctx.db
    .query("deletedUsers")
    .withIndex("by_clerk_id", (q) => q.eq("clerkId", clerkId))
    .unique();
  return { row: null, deleted: tombstone !== null };
}

/** Applies one change to what is stored for its user (`lookUp`, then `applyTo`): the webhook's path. */
export async function applyOne(ctx: MutationCtx, change: UserChange, hooks: HookEvents): Promise<ApplyOutcome> {
  const clerkId = change.kind === "delete" ? change.clerkId : change.user.clerkId;
  return applyTo(ctx, change, await lookUp(ctx, clerkId), hooks);
}

/**
 * Applies `change` to what `lookUp` found, in the caller's transaction, and adds a real change
 * to `hooks` (the caller flushes them).
 */
export async function applyTo(ctx: MutationCtx, change: UserChange, { row, deleted }: StoredUser, hooks: HookEvents): Promise<ApplyOutcome> {
  const clerkId = change.kind === "delete" ? change.clerkId : change.user.clerkId;
  const stored: Stored = row ?? (deleted ? "deleted" : null);
  const decision = decide(change, stored);

  switch (decision.write) {
    case "none":
      return decision.why;
    case "insert": {
      const user = (change as Extract<UserChange, { kind: "upsert" }>).user;
      const id = await ctx.db.insert("users", user);
      if (hooks.wanted) hooks.add({ type: "created", user: (await ctx.db.get("users", id))! });
      return "created";
    }
    case "replace": {
      const previous = row!;
      const user = (change as Extract<UserChange, { kind: "upsert" }>).user;
      await ctx.db.replace(previous._id, user);
      // A provisional row (made by requireUser before the webhook landed) is not a Clerk
      // version: its first real version is the user's creation, for hooks as for callers.
      const wasProvisional = previous.updatedAt === PROVISIONAL_UPDATED_AT;
      if (hooks.wanted) {
        const updated = (await ctx.db.get("users", previous._id))!;
        hooks.add(wasProvisional ? { type: "created", user: updated } : { type: "updated", user: updated, previous });
      }
      return wasProvisional ? "created" : "updated";
    }
    case "delete":
    case "tombstone": {
      if (row) await ctx.db.delete(row._id);
      await ctx.db.insert("deletedUsers", { clerkId, deletedAt: Date.now() });
      hooks.add({ type: "deleted", clerkId, user: row });
      return "deleted";
    }
  }
}

/**
 * Creates a provisional row from the signed-in identity when the webhook has not landed yet.
 * It carries `updatedAt: 0`, so Clerk's first real version always replaces it; a tombstoned
 * user is not brought back. Returns the stored row (provisional or not), or null if deleted.
 */
export const ensureUser = mutation({
  args: { user: vUserFields },
  returns: v.union(vUser, v.null()),
  handler: async (ctx, { user }) => {
    const stored = await lookUp(ctx, user.clerkId);
    // Any stored row is at least as new as a provisional one, and a tombstone is final.
    if (stored.row || stored.deleted) return stored.row;
    const id = await ctx.db.insert("users", { ...user, updatedAt: PROVISIONAL_UPDATED_AT });
    return ctx.db.get("users", id);
  },
});
