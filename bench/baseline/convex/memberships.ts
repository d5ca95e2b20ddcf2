// Convex's Clerk guide's pattern applied to memberships, as an app would hand-write it: one
// table, a blind upsert by Clerk's membership id, a delete by id, and a membership check that
// reads that table. Organizations are not stored (the guide has no pattern for them).
import type { OrganizationMembershipJSON } from "@clerk/backend";
import { v, type Validator } from "convex/values";
import { internalMutation, query, type QueryCtx } from "./_generated/server";

/**
 * What the package stores of a membership, under the guide's naming (`externalId`). Every field is
 * present, `undefined` when Clerk has none: `patch` then removes it, as for users.
 */
export function membershipAttributes(data: OrganizationMembershipJSON) {
  const user = data.public_user_data;
  return {
    externalId: data.id,
    orgId: data.organization.id,
    userId: user.user_id,
    role: data.role,
    permissions: data.permissions ?? [],
    publicMetadata: Object.keys(data.public_metadata ?? {}).length > 0 ? data.public_metadata : undefined,
    identifier: user.identifier || undefined,
    firstName: user.first_name || undefined,
    lastName: user.last_name || undefined,
    imageUrl: user.image_url || undefined,
    createdAt: data.created_at ?? undefined,
    updatedAt: data.updated_at,
  };
}

export const upsertFromClerk = internalMutation({
  args: { data: v.any() as Validator<OrganizationMembershipJSON> }, // no runtime validation for Clerk payloads
  async handler(ctx, { data }) {
    const attributes = membershipAttributes(data);
    const membership = await membershipByExternalId(ctx, data.id);
    if (membership === null) {
      await ctx.db.insert("memberships", attributes);
    } else {
      await ctx.db.patch(membership._id, attributes);
    }
  },
});

export const deleteFromClerk = internalMutation({
  args: { clerkMembershipId: v.string() },
  async handler(ctx, { clerkMembershipId }) {
    const membership = await membershipByExternalId(ctx, clerkMembershipId);
    if (membership !== null) {
      await ctx.db.delete(membership._id);
    } else {
      console.warn(`Can't delete membership, there is none for Clerk membership ID: ${clerkMembershipId}`);
    }
  },
});

/** The signed-in user's membership of `orgId` with `role`, or an error: the hand-written `requireMembership`. */
export async function requireMembershipOrThrow(ctx: QueryCtx, orgId: string, role: string) {
  const identity = await ctx.auth.getUserIdentity();
  if (identity === null) throw new Error("Not signed in");
  const membership = await ctx.db
    .query("memberships")
    .withIndex("byOrgUser", (q) => q.eq("orgId", orgId).eq("userId", identity.subject))
    .unique();
  if (membership === null || membership.role !== role) throw new Error(`Not ${role} of ${orgId}`);
  return membership;
}

async function membershipByExternalId(ctx: QueryCtx, externalId: string) {
  return await ctx.db
    .query("memberships")
    .withIndex("byExternalId", (q) => q.eq("externalId", externalId))
    .unique();
}

/** Bench probe: one membership check in a query. */
export const requireAdmin = query({
  args: { orgId: v.string() },
  handler: async (ctx, { orgId }) => (await requireMembershipOrThrow(ctx, orgId, "org:admin")).externalId,
});
