import type { GenericActionCtx, GenericDataModel } from "convex/server";
import { clerkUsersError } from "../../shared/errors.js";
import type { PayerResyncResult } from "../../shared/resync.js";
import type { RetryPolicy } from "../../shared/retry.js";
import { apiOf } from "../../shared/kinds/registry.js";
import { subscriptionItem } from "../../shared/kinds/subscriptionItem.js";
import type { ComponentApi } from "../../component/_generated/component.js";
import { hookHandle, type ClerkHooks } from "../hooks.js";
import { itemsWithPayer, sortOut } from "../resyncKinds.js";
import { ClerkApi, ClerkApiError, isPostponed } from "./clerkApi.js";
import { apiUrlOf, missingSecretKeyMessage, secretKeyOf } from "./config.js";

/** The payer to refresh: a user or an organization, by Clerk id. */
export type PayerToResync = { userId: string } | { orgId: string };

export type ResyncPayerOptions = ClerkHooks & {
  /** Clerk's secret key (`sk_...`). Default: the `CLERK_SECRET_KEY` env var, read each call. Never stored. */
  secretKey?: string;
  /** Clerk's Backend API. Default: the `CLERK_API_URL` env var, else `https://api.clerk.com`. */
  apiUrl?: string;
  /** Retries of the request to Clerk: see `RetryPolicy`. */
  retry?: Partial<RetryPolicy>;
};

/**
 * Refreshes one payer's Clerk Billing now, from Clerk's Backend API: for a "refresh" button, or
 * the page a checkout returns to, where the webhook may not have landed yet. One request
 * (`GET /v1/users/{id}/billing/subscription`, or `/v1/organizations/{id}/...`), whose items are
 * applied in one component mutation through the webhook's ordering rules (a newer version a
 * webhook stored stays) and the app's hooks (source `"resync"`). A payer Clerk has no
 * subscription for (a 404) changes nothing (`found: false`). Nothing is removed: an item Clerk no
 * longer has goes with the next resync's reconcile. Plans are not refreshed (the resync's).
 * ```ts
 * // convex/billing.ts
 * import { resyncPayer } from "convex-clerk-users";
 * import { action } from "./_generated/server";
 * import { components } from "./_generated/api";
 *
 * export const refreshMyBilling = action({
 *   args: {},
 *   handler: async (ctx) => {
 *     const identity = await ctx.auth.getUserIdentity();
 *     if (!identity) throw new Error("Not signed in");
 *     return await resyncPayer(ctx, components.clerkUsers, { userId: identity.subject });
 *   },
 * });
 * ```
 * Errors are `ConvexError`s with the resync's codes (`MISSING_SECRET_KEY`, `UNAUTHORIZED`,
 * `RATE_LIMITED`, `CLERK_UNAVAILABLE`, ...: `isResyncError`).
 */
export async function resyncPayer(
  ctx: Pick<GenericActionCtx<GenericDataModel>, "runMutation">,
  component: ComponentApi,
  payer: PayerToResync,
  options: ResyncPayerOptions = {},
): Promise<PayerResyncResult> {
  const who = "orgId" in payer && payer.orgId ? { orgId: payer.orgId } : "userId" in payer && payer.userId ? { userId: payer.userId } : null;
  if (!who) throw new Error("resyncPayer: pass { userId } or { orgId }, a non-empty Clerk id");
  const secretKey = secretKeyOf(options.secretKey);
  if (!secretKey) throw clerkUsersError("MISSING_SECRET_KEY", missingSecretKeyMessage("refresh again"));
  // The same request a resync's reconcile makes of the payer (the kind's `recheck`).
  const { recheck } = apiOf(subscriptionItem);
  if (recheck.by !== "payer") throw new Error("Subscription items are not rechecked per payer");
  const path = recheck.path(who);
  const api = new ClerkApi({ apiUrl: apiUrlOf(options.apiUrl), secretKey, retry: options.retry, rateLimit: null });
  let answer: unknown[];
  try {
    const got = await api.get(path, {}, { notFound: "empty", single: true });
    // With no deadline, every wait is waited.
    if (isPostponed(got)) throw new Error(`GET ${path} was postponed`);
    answer = got;
  } catch (error) {
    if (error instanceof ClerkApiError) throw clerkUsersError(error.code, error.message);
    throw error;
  } finally {
    api.abort();
  }
  if (answer.length === 0) return { found: false, seen: 0, created: 0, updated: 0, unchanged: 0, tombstoned: 0, invalid: 0, invalidIds: [] };
  const { page, seen, invalid } = sortOut(subscriptionItem.name, itemsWithPayer(answer[0], who));
  if (page.kind !== subscriptionItem.name) throw new Error(`sortOut made ${page.kind}s of subscription items`);
  return ctx.runMutation(component.resync.applyPayer, { payer: who, listed: seen, rows: page.rows, invalid, hooks: await hookHandle(options.hooks) });
}
