import type { Auth, UserIdentity } from "convex/server";
import { clerkUsersError } from "../shared/errors.js";
import { has, type ClaimsOptions, type HasParams } from "./claims.js";
import { requireIdentity } from "./session.js";

/**
 * The identity, if it passes every criterion (Clerk's `has()` semantics), else a `ConvexError`
 * with `data.code` `"UNAUTHENTICATED"` or `"FORBIDDEN"`. Reads token claims only: no DB read.
 * ```ts
 * await requireAuthorization(ctx, { role: "org:admin", plan: "pro" });
 * ```
 */
export async function requireAuthorization(ctx: { auth: Auth }, params: HasParams, options?: ClaimsOptions): Promise<UserIdentity> {
  const identity = await requireIdentity(ctx, options);
  if (!has(identity, params, options)) {
    const wanted = Object.entries(params)
      .filter(([, value]) => value !== undefined)
      .map(([kind, value]) => `${kind} "${value}"`)
      .join(" and ");
    throw clerkUsersError("FORBIDDEN", `This needs ${wanted || "a role, permission, plan or feature"}.`);
  }
  return identity;
}

/** The identity if it has this role (`"admin"` or `"org:admin"`), else UNAUTHENTICATED / FORBIDDEN. */
export const requireRole = (ctx: { auth: Auth }, role: string, options?: ClaimsOptions) => requireAuthorization(ctx, { role }, options);

/** The identity if it has this permission (`"org:posts:edit"`), else UNAUTHENTICATED / FORBIDDEN. */
export const requirePermission = (ctx: { auth: Auth }, permission: string, options?: ClaimsOptions) => requireAuthorization(ctx, { permission }, options);

/** The identity if it is on this plan (`"pro"`, `"u:pro"`, `"o:team"`), else UNAUTHENTICATED / FORBIDDEN. */
export const requirePlan = (ctx: { auth: Auth }, plan: string, options?: ClaimsOptions) => requireAuthorization(ctx, { plan }, options);

/** The identity if it has this feature (`"export"`, `"u:export"`), else UNAUTHENTICATED / FORBIDDEN. */
export const requireFeature = (ctx: { auth: Auth }, feature: string, options?: ClaimsOptions) => requireAuthorization(ctx, { feature }, options);
