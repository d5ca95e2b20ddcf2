import { getBilling, requireBilling, requireMembership } from "convex-clerk-users";
import { v } from "convex/values";
import { components } from "./_generated/api";
import { internalQuery, query } from "./_generated/server";

/** The signed-in payer's billing: the active organization's, else the user's own (null when signed out). */
export const mine = query({
  args: {},
  handler: (ctx) => getBilling(ctx, components.clerkUsers),
});

/**
 * An organization's export, for its members, if the organization's plan has the `exports`
 * feature: any organization, active or not. The membership says the caller may act for it;
 * the billing says what it pays for.
 */
export const exportProjects = query({
  args: { orgId: v.string() },
  handler: async (ctx, { orgId }) => {
    await requireMembership(ctx, components.clerkUsers, { orgId });
    const billing = await requireBilling(ctx, components.clerkUsers, { orgId, feature: "exports" });
    const projects = await ctx.db
      .query("projects")
      .withIndex("by_org", (q) => q.eq("orgId", orgId))
      .collect();
    return { projects: projects.map((project) => project.name), pastDue: billing.pastDue, cancelsAtPeriodEnd: billing.cancelsAtPeriodEnd };
  },
});

/** Any payer's billing with no token, as a cron or an email job reads it: `npx convex run billing:of '{"orgId":"org_..."}'`. */
export const of = internalQuery({
  args: { userId: v.optional(v.string()), orgId: v.optional(v.string()) },
  handler: (ctx, { userId, orgId }) =>
    orgId !== undefined ? getBilling(ctx, components.clerkUsers, { orgId }) : getBilling(ctx, components.clerkUsers, { userId: userId ?? "" }),
});
