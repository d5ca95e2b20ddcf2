import { defineClerkHooks } from "convex-clerk-users";
import { internalMutation, type MutationCtx } from "./_generated/server";

/**
 * Runs in the same transaction as the sync: a profile exists exactly when the user does, and an
 * organization's projects go when Clerk deletes the organization.
 */
export const clerkHooks = defineClerkHooks(internalMutation, {
  onUserCreated: async (ctx, { user }) => {
    await ctx.db.insert("profiles", { clerkId: user.clerkId, displayName: user.name ?? user.email ?? user.clerkId, versions: 1 });
  },
  onUserUpdated: async (ctx, { user }) => {
    const profile = await profileOf(ctx, user.clerkId);
    const displayName = user.name ?? user.email ?? user.clerkId;
    if (profile) await ctx.db.patch("profiles", profile._id, { displayName, versions: profile.versions + 1 });
    else await ctx.db.insert("profiles", { clerkId: user.clerkId, displayName, versions: 1 });
  },
  onUserDeleted: async (ctx, { clerkId }) => {
    const profile = await profileOf(ctx, clerkId);
    if (profile) await ctx.db.delete("profiles", profile._id);
  },
  onOrganizationDeleted: async (ctx, { clerkId }) => {
    const projects = await ctx.db
      .query("projects")
      .withIndex("by_org", (q) => q.eq("orgId", clerkId))
      .collect();
    for (const project of projects) await ctx.db.delete("projects", project._id);
  },
});

function profileOf(ctx: MutationCtx, clerkId: string) {
  return ctx.db
    .query("profiles")
    .withIndex("by_clerk_id", (q) => q.eq("clerkId", clerkId))
    .unique();
}
