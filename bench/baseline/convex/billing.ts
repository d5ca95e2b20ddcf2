// Clerk Billing as an app would hand-write it, in the guide's pattern: one `items` table, a blind
// upsert by Clerk's item id on every event that carries an item (`subscriptionItem.*`, and each
// item nested in `subscription.*`), in arrival order, nothing compared. Payment attempts and
// organizations are not stored (the pattern has nothing for them).
import type { BillingSubscriptionItemWebhookEvent, BillingSubscriptionWebhookEvent } from "@clerk/backend";
import { v, type Validator } from "convex/values";
import { internalMutation, type MutationCtx } from "./_generated/server";

// @clerk/backend's billing types leave out `updated_at`, which Clerk sends: the fields read here.
type ClerkPayer = { id?: string; user_id?: string; organization_id?: string };
type ClerkItem = {
  id: string;
  status: string;
  is_free_trial?: boolean | null;
  created_at?: number | null;
  updated_at: number;
  period_start?: number | null;
  period_end?: number | null;
  interval?: string | null;
  plan_id?: string | null;
  plan?: { id?: string | null; slug: string; name?: string | null } | null;
  seats?: { quantity?: number | null } | null;
  payer?: ClerkPayer | null;
  subscription_id?: string | null;
};
type ClerkSubscription = { id: string; payer: ClerkPayer; payer_id?: string | null; items: ClerkItem[] };

/**
 * What the package stores of an item, under the guide's naming (`externalId`); every field present,
 * `undefined` when Clerk has none (`patch` then removes it). A nested item takes its subscription's
 * payer and id.
 */
export function itemAttributes(item: ClerkItem, subscription?: ClerkSubscription) {
  const payer = item.payer ?? subscription?.payer;
  return {
    externalId: item.id,
    payerId: payer?.id || subscription?.payer_id || undefined,
    userId: payer?.organization_id ? undefined : payer?.user_id || undefined,
    orgId: payer?.organization_id || undefined,
    status: item.status,
    subscriptionId: item.subscription_id || subscription?.id || undefined,
    planId: item.plan_id || item.plan?.id || undefined,
    planSlug: item.plan?.slug || undefined,
    planName: item.plan?.name || undefined,
    interval: item.interval || undefined,
    isFreeTrial: item.is_free_trial ?? false,
    periodStart: item.period_start ?? undefined,
    periodEnd: item.period_end ?? undefined,
    seats: item.seats?.quantity ?? undefined,
    createdAt: item.created_at ?? undefined,
    updatedAt: item.updated_at,
  };
}

async function upsert(ctx: MutationCtx, attributes: ReturnType<typeof itemAttributes>) {
  const item = await ctx.db
    .query("items")
    .withIndex("byExternalId", (q) => q.eq("externalId", attributes.externalId))
    .unique();
  if (item === null) await ctx.db.insert("items", attributes);
  else await ctx.db.patch(item._id, attributes);
}

export const upsertItem = internalMutation({
  args: { data: v.any() as Validator<BillingSubscriptionItemWebhookEvent["data"]> }, // no runtime validation for Clerk payloads
  handler: (ctx, { data }) => upsert(ctx, itemAttributes(data as unknown as ClerkItem)),
});

export const upsertSubscription = internalMutation({
  args: { data: v.any() as Validator<BillingSubscriptionWebhookEvent["data"]> },
  async handler(ctx, { data }) {
    const subscription = data as unknown as ClerkSubscription;
    for (const item of subscription.items) await upsert(ctx, itemAttributes(item, subscription));
  },
});
