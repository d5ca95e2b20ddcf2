import type { UserIdentity } from "convex/server";
import { createCheckAuthorization } from "@clerk/shared/authorization";
import type { ComponentApi } from "../component/_generated/component.js";
import { clerkUsersError } from "../shared/errors.js";
import type { Membership, Organization } from "../shared/validators.js";
import type { RunQueryCtx } from "./auth.js";
import { readClaims, type AuthorizationClaims } from "./claims.js";
import { activeOrgId, requireIdentity, signedInIdentity, type SessionOptions } from "./session.js";

/**
 * Membership checks from the database, for any organization. Clerk's session token carries the
 * active organization only (`requireRole` reads it: no database read, active org only); these
 * read the synced membership (one component query: any org, always as current as the webhook,
 * and usable where there is no token's org at all, e.g. for an org the user is not viewing).
 */

/** What `requireMembership` checks. Role and permission names mean what they mean in Clerk's `has()`: `"admin"` is `"org:admin"`. */
export type MembershipRequirement = SessionOptions & {
  /** The organization (`org_...`). Default: the token's active organization. */
  orgId?: string;
  role?: string;
  permission?: string;
};

/**
 * The signed-in user's membership in `orgId` (default: the token's active organization), or
 * null when signed out (a pending session too, by default), not a member, or no organization is given or active.
 * ```ts
 * const membership = await getMembership(ctx, components.clerkUsers, args.orgId);
 * ```
 */
export async function getMembership(ctx: RunQueryCtx, component: ComponentApi, orgId?: string, options?: SessionOptions): Promise<Membership | null> {
  const identity = await signedInIdentity(ctx, options);
  const org = identity ? (orgId ?? activeOrgId(identity)) : undefined;
  if (!identity || !org) return null;
  return ctx.runQuery(component.memberships.get, { orgId: org, userId: identity.subject });
}

/**
 * The signed-in user's membership in `orgId` (default: the token's active organization), checked
 * for a role or permission, or a `ConvexError` whose `data.code` is `"UNAUTHENTICATED"` (signed
 * out, or a pending session) or `"FORBIDDEN"` (not a member, or the role or permission is missing).
 * ```ts
 * const membership = await requireMembership(ctx, components.clerkUsers, { orgId, role: "org:admin" });
 * ```
 */
export async function requireMembership(ctx: RunQueryCtx, component: ComponentApi, requirement: MembershipRequirement = {}): Promise<Membership> {
  const identity = await requireIdentity(ctx, requirement);
  const orgId = requirement.orgId ?? activeOrgId(identity);
  if (!orgId) throw clerkUsersError("FORBIDDEN", "This needs an organization: none was given and none is active.");
  const membership = await ctx.runQuery(component.memberships.get, { orgId, userId: identity.subject });
  if (!membership) throw clerkUsersError("FORBIDDEN", notMemberMessage(orgId, claimsOf(identity)));
  const { role, permission } = requirement;
  if ((role !== undefined || permission !== undefined) && !membershipHas(membership, { role, permission })) {
    const wanted = [role !== undefined && `role "${role}"`, permission !== undefined && `permission "${permission}"`].filter(Boolean).join(" and ");
    throw clerkUsersError("FORBIDDEN", `This needs ${wanted} in organization ${orgId}.`);
  }
  return membership;
}

/**
 * Every organization the signed-in user is a member of, with the membership, from the database
 * (empty when signed out or pending).
 * ```ts
 * export const mine = query({ args: {}, handler: (ctx) => listMyOrganizations(ctx, components.clerkUsers) });
 * ```
 */
export async function listMyOrganizations(
  ctx: RunQueryCtx,
  component: ComponentApi,
  options?: SessionOptions,
): Promise<Array<{ organization: Organization; membership: Membership }>> {
  const identity = await signedInIdentity(ctx, options);
  if (!identity) return [];
  return ctx.runQuery(component.memberships.organizationsOf, { userId: identity.subject });
}

/** Whether a membership has the role and the permission asked for, as Clerk's `has()` decides for the active org. */
export function membershipHas(membership: Membership, params: { role?: string; permission?: string }): boolean {
  const check = createCheckAuthorization({
    userId: membership.userId,
    orgId: membership.orgId,
    orgRole: membership.role,
    orgPermissions: membership.permissions,
    factorVerificationAge: null,
    features: null,
    plans: null,
  });
  // Clerk ANDs the criteria: asked one at a time, an absent one is not a denial.
  return (["role", "permission"] as const).every((key) => params[key] === undefined || check({ [key]: params[key] } as Parameters<typeof check>[0]));
}

/**
 * Why the signed-in user is not a member of `orgId`. When their token names `orgId` as the active
 * organization with a role, Clerk says they are a member and the database has no row: the likely
 * cause is on the deployment's side (organization events not subscribed, or not landed yet), and
 * only the message can say so, since the code stays `FORBIDDEN` for callers that branch on it.
 */
function notMemberMessage(orgId: string, claims: AuthorizationClaims | null): string {
  if (claims?.orgId !== orgId || claims.orgRole === null) return `You are not a member of organization ${orgId}.`;
  return (
    `You are not a member of organization ${orgId} in the synced memberships, though your session token says you are (role "${claims.orgRole}"). ` +
    "The webhook endpoint may not be subscribed to organization events yet (organization.*, organizationMembership.*: subscribe them, then run a resync with { organizations: true }), " +
    "or its webhook has not landed yet (or Clerk removed the membership after the token was issued)."
  );
}

/** The identity's claims. It was admitted by the session rule already: a pending session let in keeps its active organization. */
function claimsOf(identity: UserIdentity) {
  return readClaims(identity, { treatPendingAsSignedOut: false });
}
