import { v } from "convex/values";
import { vUser } from "convex-clerk-users";
import { internalMutation } from "./_generated/server";

/** Runs in the same transaction as the sync: a profile exists exactly when the user does. */
export const onUserCreated = internalMutation({
  args: { user: vUser },
  handler: async (ctx, { user }) => {
    await ctx.db.insert("profiles", { clerkId: user.clerkId, displayName: user.name ?? user.email ?? user.clerkId, versions: 1 });
  },
});

export const onUserUpdated = internalMutation({
  args: { user: vUser, previous: vUser },
  handler: async (ctx, { user }) => {
    const profile = await ctx.db
      .query("profiles")
      .withIndex("by_clerk_id", (q) => q.eq("clerkId", user.clerkId))
      .unique();
    const displayName = user.name ?? user.email ?? user.clerkId;
    if (profile) await ctx.db.patch(profile._id, { displayName, versions: profile.versions + 1 });
    else await ctx.db.insert("profiles", { clerkId: user.clerkId, displayName, versions: 1 });
  },
});

export const onUserDeleted = internalMutation({
  args: { clerkId: v.string(), user: v.union(vUser, v.null()) },
  handler: async (ctx, { clerkId }) => {
    const profile = await ctx.db
      .query("profiles")
      .withIndex("by_clerk_id", (q) => q.eq("clerkId", clerkId))
      .unique();
    if (profile) await ctx.db.delete(profile._id);
  },
});
