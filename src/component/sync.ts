import type { FunctionHandle } from "convex/server";
import { v } from "convex/values";
import {
  PROVISIONAL_UPDATED_AT,
  vApplyOutcome,
  vHookHandles,
  vUser,
  vUserChange,
  vUserFields,
  type ApplyOutcome,
  type HookHandles,
  type UserChange,
} from "../shared/validators.js";
import { mutation, type MutationCtx } from "./_generated/server.js";
import type { Doc } from "./_generated/dataModel.js";
import { decide, type Stored } from "./ordering.js";

/**
 * Applies one change from Clerk (a webhook event or a resync row) in one transaction:
 * read what is stored by index, decide, write, and run the app's hook for a real change.
 */
export const applyChange = mutation({
  args: { change: vUserChange, hooks: v.optional(vHookHandles) },
  returns: vApplyOutcome,
  handler: (ctx, { change, hooks }) => applyOne(ctx, change, hooks ?? {}),
});

/** Applies several changes in one transaction (a resync page). Returns each outcome in order. */
export const applyChanges = mutation({
  args: { changes: v.array(vUserChange), hooks: v.optional(vHookHandles) },
  returns: v.array(vApplyOutcome),
  handler: async (ctx, { changes, hooks }) => {
    const outcomes: ApplyOutcome[] = [];
    for (const change of changes) outcomes.push(await applyOne(ctx, change, hooks ?? {}));
    return outcomes;
  },
});

export async function applyOne(ctx: MutationCtx, change: UserChange, hooks: HookHandles): Promise<ApplyOutcome> {
  const clerkId = change.kind === "delete" ? change.clerkId : change.user.clerkId;
  const row = await ctx.db
    .query("users")
    .withIndex("by_clerk_id", (q) => q.eq("clerkId", clerkId))
    .unique();
  // A live row means no tombstone (a delete removes the row), so the second read
  // is only paid for users not in the table.
  const tombstone = row
    ? null
    : await ctx.db
        .query("deletedUsers")
        .withIndex("by_clerk_id", (q) => q.eq("clerkId", clerkId))
        .unique();
  const stored: Stored = row ?? (tombstone ? "deleted" : null);
  const decision = decide(change, stored);

  switch (decision.write) {
    case "none":
      return decision.why;
    case "insert": {
      const id = await ctx.db.insert("users", (change as Extract<UserChange, { kind: "upsert" }>).user);
      if (hooks.onUserCreated) await runHook(ctx, hooks.onUserCreated, { user: (await ctx.db.get("users", id))! });
      return "created";
    }
    case "replace": {
      const previous = row!;
      await ctx.db.replace(previous._id, (change as Extract<UserChange, { kind: "upsert" }>).user);
      // A provisional row (made by requireUser before the webhook landed) is not a Clerk
      // version: its first real version is the user's creation, for hooks as for callers.
      const wasProvisional = previous.updatedAt === PROVISIONAL_UPDATED_AT;
      const hook = wasProvisional ? hooks.onUserCreated : hooks.onUserUpdated;
      if (hook) {
        const user = (await ctx.db.get("users", previous._id))!;
        await runHook(ctx, hook, wasProvisional ? { user } : { user, previous });
      }
      return wasProvisional ? "created" : "updated";
    }
    case "delete":
    case "tombstone": {
      if (row) await ctx.db.delete(row._id);
      await ctx.db.insert("deletedUsers", { clerkId, deletedAt: Date.now() });
      await runHook(ctx, hooks.onUserDeleted, { clerkId, user: row });
      return "deleted";
    }
  }
}

/** Runs an app hook inside this transaction: if it throws, the sync rolls back and Clerk retries. */
async function runHook(
  ctx: MutationCtx,
  handle: string | undefined,
  args: { user: Doc<"users"> | null; previous?: Doc<"users">; clerkId?: string },
) {
  if (!handle) return;
  await ctx.runMutation(handle as FunctionHandle<"mutation">, args);
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
    await applyOne(ctx, { kind: "upsert", user: { ...user, updatedAt: PROVISIONAL_UPDATED_AT } }, {});
    return await ctx.db
      .query("users")
      .withIndex("by_clerk_id", (q) => q.eq("clerkId", user.clerkId))
      .unique();
  },
});
