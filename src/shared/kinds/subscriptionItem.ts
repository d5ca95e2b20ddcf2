import { v, type Infer } from "convex/values";
import { isClerkObject, nullable, withoutUndefined } from "../clerkJson.js";
import { defineKind, docValidator, type KindChange } from "./define.js";
import { organization } from "./organization.js";
import { payerFields, payerFromClerk, payerParents, vPayer, type PayerFields } from "./payer.js";
import { user } from "./user.js";

/**
 * A Clerk Billing subscription item: one payer's period on one plan (`csub_item_...`). A payer's
 * subscription is its items (active, past due, canceled, upcoming, ended...), so the items are
 * what is stored; a subscription's own status is derived by Clerk from them. Clerk never deletes
 * an item (the free default plan's item keeps its id for life: active, ended, upcoming, active
 * again), so items have no delete event and no tombstone: they go only with their payer.
 */
export const subscriptionItemFields = {
  clerkId: v.string(),
  ...payerFields,
  /**
   * As Clerk sends it: `active`, `past_due`, `canceled` (features kept until `periodEnd`),
   * `upcoming` (a scheduled change), `ended`, `abandoned`, `incomplete`, or one Clerk adds later.
   */
  status: v.string(),
  /** The subscription it is part of (`csub_...`); the Backend API's item list leaves it out. */
  subscriptionId: v.optional(v.string()),
  planId: v.optional(v.string()),
  /** The plan's slug, as `has({ plan })` and the token's `pla` name it. */
  planSlug: v.optional(v.string()),
  planName: v.optional(v.string()),
  /** `month` or `annual`. */
  interval: v.optional(v.string()),
  isFreeTrial: v.boolean(),
  periodStart: v.optional(v.number()),
  /** Absent on the free default plan's item, which has no end. */
  periodEnd: v.optional(v.number()),
  /** Seats bought, for a plan priced per seat; absent when unlimited or not per seat. */
  seats: v.optional(v.number()),
  createdAt: v.optional(v.number()),
  updatedAt: v.number(),
};
export const vSubscriptionItemFields = v.object(subscriptionItemFields);
export type SubscriptionItemFields = Infer<typeof vSubscriptionItemFields>;
export const vSubscriptionItem = docValidator(subscriptionItemFields);
export type SubscriptionItem = Infer<typeof vSubscriptionItem>;

/** Statuses whose plan the payer has now: `canceled` keeps its features until Clerk ends it; `past_due` is a failed renewal Clerk still counts as the plan. */
export const CURRENT_STATUSES: readonly string[] = ["active", "past_due", "canceled"];

/**
 * The parts of an item's JSON read here, in both of Clerk's shapes: the webhook's
 * (`interval`, `payer`, `subscription_id`) and the Backend API's (`plan_period`, `payer_id`).
 * `plan` and `plan_id` may be null, `period_end` is null on the free default item, and an item
 * nested in a subscription event has no payer or subscription id of its own.
 */
export const vClerkSubscriptionItemJSON = v.object({
  id: v.string(),
  status: v.string(),
  updated_at: v.number(),
  created_at: nullable(v.number()),
  is_free_trial: nullable(v.boolean()),
  period_start: nullable(v.number()),
  period_end: nullable(v.number()),
  interval: nullable(v.string()),
  plan_period: nullable(v.string()),
  plan_id: nullable(v.string()),
  plan: nullable(v.object({ id: nullable(v.string()), slug: v.string(), name: nullable(v.string()) })),
  seats: nullable(v.object({ quantity: nullable(v.number()) })),
  payer: nullable(v.any()),
  payer_id: nullable(v.string()),
  subscription_id: nullable(v.string()),
});
type ClerkItemJSON = Infer<typeof vClerkSubscriptionItemJSON>;

/** What an item nested in a subscription takes from it: its payer and the subscription's id. */
type Parent = { payer: PayerFields; subscriptionId?: string };

/** The stored row of an item's JSON, or null when it is not one (or names no payer, its own or `parent`'s). */
export function subscriptionItemFromClerk(json: unknown, parent?: Parent): SubscriptionItemFields | null {
  if (!isClerkObject(vClerkSubscriptionItemJSON, json)) return null;
  const item = json as ClerkItemJSON;
  const payer = item.payer ? payerFromClerk(item.payer, item.payer_id) : parent?.payer;
  if (!payer) return null;
  return withoutUndefined({
    clerkId: item.id,
    ...payer,
    status: item.status,
    subscriptionId: item.subscription_id || parent?.subscriptionId || undefined,
    planId: item.plan_id || item.plan?.id || undefined,
    planSlug: item.plan?.slug || undefined,
    planName: item.plan?.name || undefined,
    interval: item.interval || item.plan_period || undefined,
    isFreeTrial: item.is_free_trial ?? false,
    periodStart: item.period_start ?? undefined,
    periodEnd: item.period_end ?? undefined,
    seats: item.seats?.quantity ?? undefined,
    createdAt: item.created_at ?? undefined,
    updatedAt: item.updated_at,
  });
}

/** The parts of a subscription's JSON read here: its payer and its items (`items` in webhooks, `subscription_items` in the Backend API). */
const vClerkSubscriptionJSON = v.object({
  id: v.string(),
  payer: nullable(v.any()),
  payer_id: nullable(v.string()),
  items: nullable(v.array(v.any())),
  subscription_items: nullable(v.array(v.any())),
});

/**
 * The items of a subscription's JSON, each under its own `updated_at` (a stale subscription copy
 * never overwrites a newer standalone item), with the subscription's payer and id; or why not.
 */
export function itemsOfSubscription(json: unknown): SubscriptionItemFields[] | { error: string } {
  if (!isClerkObject(vClerkSubscriptionJSON, json)) return { error: "is not a Clerk subscription (needs a non-empty id and its items)" };
  const subscription = json as Infer<typeof vClerkSubscriptionJSON>;
  const payer = payerFromClerk(subscription.payer, subscription.payer_id);
  if (!payer) return { error: "names no payer (neither payer.user_id nor payer.organization_id)" };
  const items = subscription.items ?? subscription.subscription_items ?? [];
  const rows = items.map((item) => subscriptionItemFromClerk(item, { payer, subscriptionId: subscription.id }));
  const bad = rows.findIndex((row) => row === null);
  if (bad >= 0) return { error: `item ${bad} is not a Clerk subscription item (needs an id, a status and a finite updated_at)` };
  return rows as SubscriptionItemFields[];
}

/**
 * Clerk's billing events. The type is only a hint (`subscriptionItem.canceled`): the state is the
 * payload's `status`. Early deliveries spelled `pastDue` as `past_due`; both are accepted. There
 * are no delete events.
 */
const SUBSCRIPTION_EVENTS = ["created", "updated", "active", "pastDue", "past_due"].map((what) => `subscription.${what}`);
const ITEM_EVENTS = ["created", "updated", "active", "canceled", "upcoming", "ended", "abandoned", "incomplete", "pastDue", "past_due", "freeTrialEnding"].map(
  (what) => `subscriptionItem.${what}`,
);

type ItemChange = KindChange<"subscriptionItem", SubscriptionItemFields>;

/** Clerk's notice that a free trial ends soon: its change carries it (`notice`), for `onTrialEnding`. */
export const TRIAL_ENDING_EVENT = "subscriptionItem.freeTrialEnding";

function changes(type: string, data: unknown): ItemChange[] | { error: string } {
  if (type.startsWith("subscription.")) {
    const rows = itemsOfSubscription(data);
    if ("error" in rows) return { error: `${type} payload ${rows.error}.` };
    // Clerk's subscription always has an item (the free default one); with none there is nothing to apply.
    if (rows.length === 0) return { error: `${type} payload has no items.` };
    return rows.map((row) => ({ kind: "subscriptionItem", op: "upsert", row }));
  }
  const row = subscriptionItemFromClerk(data);
  if (!row)
    return {
      error: `${type} payload is not a Clerk subscription item (needs a non-empty id, a status, a finite updated_at and a user or organization payer).`,
    };
  return [type === TRIAL_ENDING_EVENT ? { kind: "subscriptionItem", op: "upsert", row, notice: type } : { kind: "subscriptionItem", op: "upsert", row }];
}

export const subscriptionItem = defineKind({
  name: "subscriptionItem",
  table: "subscriptionItems",
  fields: subscriptionItemFields,
  resyncOption: "billing",
  parents: payerParents({ user: user.name, organization: organization.name }),
  // The Backend API's item list does not say which subscription an item is part of.
  volatile: ["subscriptionId"],
  omittable: ["subscriptionId"],
  webhook: { events: [...SUBSCRIPTION_EVENTS, ...ITEM_EVENTS], changes },
  api: {
    path: "/v1/billing/subscription_items",
    // Without it Clerk leaves out every free default item: most payers' only one.
    params: { include_free: "true" },
    // Clerk lists items newest first only.
    order: { by: "newestFirst" },
    // No item can be read by id: a payer's subscription is read whole.
    recheck: {
      by: "payer",
      path: (payer) =>
        (payer.orgId ? `/v1/organizations/${encodeURIComponent(payer.orgId)}` : `/v1/users/${encodeURIComponent(payer.userId ?? "")}`) +
        "/billing/subscription",
    },
    toRow: (json) => subscriptionItemFromClerk(json),
  },
  // Worked out by component/billingHooks.ts.
  derivedHooks: {
    /**
     * `onPlansChanged`: the payer's current plans (`currentPlans`: its active, past due and
     * canceled items' slugs, sorted) are not what they were before the transaction.
     */
    plansChanged: { payer: vPayer, before: v.array(v.string()), after: v.array(v.string()) },
    /** `onTrialEnding`: Clerk's notice that this item's free trial ends at `trialEndsAt`, once per item and trial end. */
    trialEnding: { subscriptionItem: vSubscriptionItem, trialEndsAt: v.number() },
  },
});
