import type { UserIdentity } from "convex/server";
import type { ComponentApi } from "../component/_generated/component.js";
import { billingHas, type Billing, type BillingRequirement } from "../shared/billing.js";
import { clerkUsersError } from "../shared/errors.js";
import type { RunQueryCtx } from "./auth.js";
import { activeOrgId, requireIdentity, signedInIdentity, type SessionOptions } from "./session.js";

/**
 * Clerk Billing checks from the database, for any payer. Clerk's session token carries the plans
 * and features of the active context only (`hasPlan` reads it: the active organization's, or the
 * user's when none is active); these read the synced billing (one component query: any user or
 * organization, in a cron too, and what the token never says: past due, canceled at period end).
 *
 * They say what a payer has, not whether the caller may act for it: to let a user use an
 * organization's plan, check the membership too.
 * ```ts
 * await requireMembership(ctx, components.clerkUsers, { orgId });
 * await requireBilling(ctx, components.clerkUsers, { orgId, feature: "exports" });
 * ```
 */

/** Whose billing to read: a user or an organization (`org_...`). Default: the token's. */
export type PayerSelector = { userId: string; orgId?: undefined } | { orgId: string; userId?: undefined };

/** What `requireBilling` checks: a payer (default: the token's) and a plan or feature, named as in Clerk's `has()`. */
export type BillingCheck = Partial<PayerSelector> & BillingRequirement & SessionOptions;

/**
 * The billing of `payer`, or by default of the signed-in identity's active organization, else of
 * the user. Null when signed out (a pending session too, by default) and no payer is given, and
 * when the payer has no current or upcoming item, or was deleted. A given payer needs no identity:
 * it works in a cron.
 * ```ts
 * const mine = await getBilling(ctx, components.clerkUsers);           // the active org's, else the user's
 * const acme = await getBilling(ctx, components.clerkUsers, { orgId }); // any organization's
 * if (billingHas(acme, { plan: "team" })) { ... }
 * ```
 */
export async function getBilling(ctx: RunQueryCtx, component: ComponentApi, options: Partial<PayerSelector> & SessionOptions = {}): Promise<Billing | null> {
  let payer = selected(options);
  if (!payer) {
    const identity = await signedInIdentity(ctx, options);
    if (!identity) return null;
    payer = tokenPayer(identity);
  }
  return ctx.runQuery(component.billing.getByPayer, payer);
}

/**
 * The billing of a payer (default: the token's, as `getBilling`), checked for a plan or feature,
 * or a `ConvexError` whose `data.code` is `"UNAUTHENTICATED"` (no payer given, and signed out or
 * pending), `"FORBIDDEN"` (the plan or feature is missing, or the payer has no billing) or
 * `"PLANS_NOT_SYNCED"` (a feature was asked and the payer's plans were never synced).
 * ```ts
 * await requireBilling(ctx, components.clerkUsers, { plan: "pro" });
 * const billing = await requireBilling(ctx, components.clerkUsers, { orgId, feature: "exports" });
 * ```
 */
export async function requireBilling(ctx: RunQueryCtx, component: ComponentApi, check: BillingCheck = {}): Promise<Billing> {
  const payer = selected(check) ?? tokenPayer(await requireIdentity(ctx, check));
  const billing = await ctx.runQuery(component.billing.getByPayer, payer);
  const { plan, feature } = check;
  if (!billing || !billingHas(billing, { plan, feature })) {
    const wanted = [plan !== undefined && `plan "${plan}"`, feature !== undefined && `feature "${feature}"`].filter(Boolean).join(" and ");
    const has = billing && billing.plans.length > 0 ? `it is on ${billing.plans.join(", ")}` : "it has no current plan";
    throw clerkUsersError("FORBIDDEN", `This needs ${wanted || "a current plan"} for ${nameOf(payer)}: ${has}.`);
  }
  return billing;
}

type PayerArgs = { userId: string } | { orgId: string };

function selected({ userId, orgId }: Partial<PayerSelector>): PayerArgs | null {
  if (userId !== undefined && orgId !== undefined) throw new Error("getBilling: name one payer, { userId } or { orgId }, not both.");
  if (orgId !== undefined) return { orgId };
  if (userId !== undefined) return { userId };
  return null;
}

/** The payer a token speaks for, as Clerk's `has({ plan })` does: the active organization if any, else the user. */
function tokenPayer(identity: UserIdentity): PayerArgs {
  const orgId = activeOrgId(identity);
  return orgId ? { orgId } : { userId: identity.subject };
}

function nameOf(payer: PayerArgs) {
  return "orgId" in payer ? `organization ${payer.orgId}` : `user ${payer.userId}`;
}
