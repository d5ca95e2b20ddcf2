import { getMembership, listMyOrganizations, requireMembership } from "convex-clerk-users";
import { v } from "convex/values";
import { components } from "./_generated/api";
import { query } from "./_generated/server";

/** Bench probe: one membership check in a query, the README's `requireMembership`. */
export const requireAdmin = query({
  args: { orgId: v.string() },
  handler: async (ctx, { orgId }) => (await requireMembership(ctx, components.clerkUsers, { orgId, role: "org:admin" })).clerkId,
});

/**
 * Bench probe: what every membership read of the package returns for the signed-in user in
 * `orgId` (the helpers, and the component's queries an app calls directly).
 */
export const whatHelpersSee = query({
  args: { orgId: v.string() },
  handler: async (ctx, { orgId }) => {
    const identity = await ctx.auth.getUserIdentity();
    const userId = identity!.subject;
    const paginationOpts = { numItems: 1000, cursor: null };
    return {
      getMembership: (await getMembership(ctx, components.clerkUsers, orgId)) !== null,
      requireMembership: await requireMembership(ctx, components.clerkUsers, { orgId }).then(
        () => true,
        () => false,
      ),
      listMyOrganizations: (await listMyOrganizations(ctx, components.clerkUsers)).filter((o) => o.organization.clerkId === orgId).length,
      get: (await ctx.runQuery(components.clerkUsers.memberships.get, { orgId, userId })) !== null,
      listByOrganization: (await ctx.runQuery(components.clerkUsers.memberships.listByOrganization, { orgId, paginationOpts })).page.length,
      listByUser: (await ctx.runQuery(components.clerkUsers.memberships.listByUser, { userId, paginationOpts })).page.filter((m) => m.orgId === orgId).length,
    };
  },
});
