import { v } from "convex/values";
import { getMembership, listMyOrganizations, requireMembership } from "convex-clerk-users";
import { components } from "./_generated/api";
import { action, mutation, query } from "./_generated/server";

/** Every organization the signed-in user belongs to, with their membership, from the database. */
export const mine = query({
  args: {},
  handler: (ctx) => listMyOrganizations(ctx, components.clerkUsers),
});

/** The signed-in user's membership in an organization (default: the active one), or null. */
export const membership = query({
  args: { orgId: v.optional(v.string()) },
  handler: (ctx, { orgId }) => getMembership(ctx, components.clerkUsers, orgId),
});

/** An organization's projects, for its members: any org, active or not. */
export const projects = query({
  args: { orgId: v.string() },
  handler: async (ctx, { orgId }) => {
    await requireMembership(ctx, components.clerkUsers, { orgId });
    return ctx.db
      .query("projects")
      .withIndex("by_org", (q) => q.eq("orgId", orgId))
      .collect();
  },
});

export const createProject = mutation({
  args: { orgId: v.string(), name: v.string() },
  handler: async (ctx, { orgId, name }) => {
    await requireMembership(ctx, components.clerkUsers, { orgId, permission: "org:projects:create" });
    return ctx.db.insert("projects", { orgId, name });
  },
});

export const removeProject = mutation({
  args: { orgId: v.string(), projectId: v.id("projects") },
  handler: async (ctx, { orgId, projectId }) => {
    // Any org, active or not. Throws UNAUTHENTICATED, or FORBIDDEN when not a member or not an admin.
    await requireMembership(ctx, components.clerkUsers, { orgId, role: "org:admin" });
    const project = await ctx.db.get("projects", projectId);
    if (project?.orgId !== orgId) throw new Error("No such project in this organization");
    await ctx.db.delete("projects", projectId);
  },
});

/** The signed-in user's role in an organization, from an action (no token org needed). */
export const roleIn = action({
  args: { orgId: v.string() },
  handler: async (ctx, { orgId }): Promise<string | null> => (await getMembership(ctx, components.clerkUsers, orgId))?.role ?? null,
});
