import { clerkId } from "../random.js";
import {
  freePlan,
  isDefaultFree,
  type ClerkNestedSubscriptionItemJSON,
  type ClerkPayerJSON,
  type ClerkSubscriptionItemJSON,
  type ClerkSubscriptionJSON,
  type SubscriptionItemStatus,
} from "./billing.js";
import { clerkEvent, nextVersionAt, now, type ClerkEvent } from "./envelope.js";

/** How Clerk spells the past-due events: `pastDue`, or `past_due` as early deliveries did. */
export type PastDueSpelling = "pastDue" | "past_due";

export type SubscriptionItemEventType = `subscriptionItem.${
  "created" | "updated" | "active" | "canceled" | "upcoming" | "ended" | "abandoned" | "incomplete" | PastDueSpelling | "freeTrialEnding"}`;
export type SubscriptionEventType = `subscription.${"created" | "updated" | "active" | PastDueSpelling}`;

/** A `subscriptionItem.*` event: the one item, with its payer and subscription id. */
export type SubscriptionItemEvent = ClerkEvent<SubscriptionItemEventType, ClerkSubscriptionItemJSON>;
/** A `subscription.*` event: the payer's subscription with every item, each under its own `updated_at`. */
export type SubscriptionEvent = ClerkEvent<SubscriptionEventType, ClerkSubscriptionJSON>;

/** What an item is built from: its payer, and any item field. */
export type SubscriptionItemInput = Partial<Omit<ClerkSubscriptionItemJSON, "payer">> & { payer: ClerkPayerJSON };

let items = 0;

/** The end of the period of `interval` that starts at `start`. */
export function periodEndOf(start: number, interval: "month" | "annual"): number {
  const end = new Date(start);
  if (interval === "annual") end.setUTCFullYear(end.getUTCFullYear() + 1);
  else end.setUTCMonth(end.getUTCMonth() + 1);
  return end.getTime();
}

/**
 * A subscription item as a `subscriptionItem.*` event sends it: a `csub_item_` id, the payer's
 * subscription (`csub_`, one per payer), on the payer's free default plan unless `plan` is given
 * (`period_end: null` then; else a month or a year after `period_start`), `active`, not a trial.
 *
 * ```ts
 * const free = clerkSubscriptionItem({ payer });
 * const pro = clerkSubscriptionItem({ payer, plan: clerkPlan({ slug: "pro" }), seats: { quantity: 5 } });
 * ```
 */
export function clerkSubscriptionItem(input: SubscriptionItemInput): ClerkSubscriptionItemJSON {
  const { payer, ...fields } = input;
  const plan = fields.plan !== undefined ? fields.plan : freePlan(payer);
  const createdAt = fields.created_at ?? fields.updated_at ?? now();
  const periodStart = fields.period_start ?? createdAt;
  const interval = fields.interval ?? "month";
  return {
    object: "subscription_item",
    id: clerkId("csub_item", `kit-${++items}`),
    status: "active",
    is_free_trial: false,
    created_at: createdAt,
    updated_at: createdAt,
    period_start: periodStart,
    period_end: isDefaultFree(plan) ? null : periodEndOf(periodStart, interval),
    interval,
    plan_id: plan?.id ?? null,
    plan,
    payer,
    subscription_id: subscriptionIdOf(payer),
    ...fields,
  };
}

/** The id of a payer's subscription: Clerk keeps one per payer. */
export const subscriptionIdOf = (payer: Pick<ClerkPayerJSON, "id">) => clerkId("csub", payer.id);

/** The next version of `item`: `changes`, a second later (or at `changes.updated_at`). */
function nextItem(item: ClerkSubscriptionItemJSON, changes: Partial<ClerkSubscriptionItemJSON>): ClerkSubscriptionItemJSON {
  return { ...item, ...changes, updated_at: nextVersionAt(item.updated_at, changes.updated_at) };
}

function itemEvent(type: SubscriptionItemEventType, item: ClerkSubscriptionItemJSON): SubscriptionItemEvent {
  return clerkEvent(type, item, item.updated_at);
}

/**
 * `subscriptionItem.created`: a new item (see `clerkSubscriptionItem` for the defaults). A
 * scheduled one is created `upcoming`, a checkout that needs more from the payer `incomplete`.
 *
 * ```ts
 * const pro = subscriptionItemCreated({ payer, plan: clerkPlan({ slug: "pro" }) });
 * ```
 */
export function subscriptionItemCreated(input: SubscriptionItemInput): SubscriptionItemEvent {
  return itemEvent("subscriptionItem.created", clerkSubscriptionItem(input));
}

/**
 * `subscriptionItem.updated`: the next version with `changes` (a renewal's new period, seats),
 * a second later or at `changes.updated_at`.
 *
 * ```ts
 * const renewed = subscriptionItemUpdated(pro.data, { period_start: end, period_end: periodEndOf(end, "month") });
 * ```
 */
export function subscriptionItemUpdated(item: ClerkSubscriptionItemJSON, changes: Partial<ClerkSubscriptionItemJSON> = {}): SubscriptionItemEvent {
  return itemEvent("subscriptionItem.updated", nextItem(item, changes));
}

/** The builder of the event that moves an item to `status` (the type is a hint: the status is what counts). */
const toStatus =
  (type: SubscriptionItemEventType, status: SubscriptionItemStatus) =>
  (item: ClerkSubscriptionItemJSON, changes: Partial<ClerkSubscriptionItemJSON> = {}): SubscriptionItemEvent =>
    itemEvent(type, nextItem(item, { status, ...changes }));

/**
 * `subscriptionItem.active`: the item is the payer's plan now (a checkout paid, an upcoming item
 * started, the free default item back after a paid one ended).
 * ```ts
 * const started = subscriptionItemActive(free.data);
 * ```
 */
export const subscriptionItemActive = toStatus("subscriptionItem.active", "active");
/**
 * `subscriptionItem.canceled`: canceled, but the payer keeps the plan until `period_end`, when
 * Clerk ends it.
 * ```ts
 * const canceled = subscriptionItemCanceled(pro.data);
 * ```
 */
export const subscriptionItemCanceled = toStatus("subscriptionItem.canceled", "canceled");
/**
 * `subscriptionItem.upcoming`: scheduled to start later (the free default item, once a paid one
 * is canceled, starts at its `period_end`).
 * ```ts
 * const next = subscriptionItemUpcoming(free.data, { period_start: pro.data.period_end! });
 * ```
 */
export const subscriptionItemUpcoming = toStatus("subscriptionItem.upcoming", "upcoming");
/**
 * `subscriptionItem.ended`: no longer the payer's plan.
 * ```ts
 * const ended = subscriptionItemEnded(free.data);
 * ```
 */
export const subscriptionItemEnded = toStatus("subscriptionItem.ended", "ended");
/**
 * `subscriptionItem.abandoned`: scheduled, then superseded before it started.
 * ```ts
 * const dropped = subscriptionItemAbandoned(upcoming.data);
 * ```
 */
export const subscriptionItemAbandoned = toStatus("subscriptionItem.abandoned", "abandoned");
/**
 * `subscriptionItem.incomplete`: waiting on the payer (a card to confirm) before it can start.
 * ```ts
 * const waiting = subscriptionItemIncomplete(pro.data);
 * ```
 */
export const subscriptionItemIncomplete = toStatus("subscriptionItem.incomplete", "incomplete");

/**
 * `subscriptionItem.pastDue` (or `subscriptionItem.past_due`): a renewal's payment failed; Clerk
 * still counts the plan as the payer's while it retries.
 *
 * ```ts
 * const unpaid = subscriptionItemPastDue(pro.data);
 * const legacy = subscriptionItemPastDue(pro.data, {}, "past_due");
 * ```
 */
export function subscriptionItemPastDue(
  item: ClerkSubscriptionItemJSON,
  changes: Partial<ClerkSubscriptionItemJSON> = {},
  spelling: PastDueSpelling = "pastDue",
): SubscriptionItemEvent {
  return toStatus(`subscriptionItem.${spelling}`, "past_due")(item, changes);
}

/**
 * `subscriptionItem.freeTrialEnding`: a notice a few days before a trial's `period_end`. The item
 * itself has not changed, so its `updated_at` stays unless `changes` gives one: delivered after the
 * item, it is a duplicate that writes nothing.
 *
 * ```ts
 * const ending = subscriptionItemFreeTrialEnding(trial.data, {}, trial.data.period_end! - 3 * DAY);
 * ```
 */
export function subscriptionItemFreeTrialEnding(
  item: ClerkSubscriptionItemJSON,
  changes: Partial<ClerkSubscriptionItemJSON> = {},
  at: number = now(),
): SubscriptionItemEvent {
  return clerkEvent("subscriptionItem.freeTrialEnding", { ...item, ...changes }, at);
}

/** An item as a subscription nests it: without its payer, `subscription_id: null`. */
export function nestedItem(item: ClerkSubscriptionItemJSON | ClerkNestedSubscriptionItemJSON): ClerkNestedSubscriptionItemJSON {
  if (item.object === "commerce_subscription_item") return item;
  const { payer: _payer, subscription_id: _subscriptionId, object: _object, ...fields } = item;
  return { object: "commerce_subscription_item", ...fields, subscription_id: null };
}

/** What a subscription is built from: its payer and items (in either shape), and any subscription field. */
export type SubscriptionInput = Partial<Omit<ClerkSubscriptionJSON, "payer" | "items">> & {
  payer: ClerkPayerJSON;
  items: (ClerkSubscriptionItemJSON | ClerkNestedSubscriptionItemJSON)[];
};

/** The status Clerk derives for a subscription from its items. */
export function subscriptionStatusOf(items: readonly { status: SubscriptionItemStatus }[]): ClerkSubscriptionJSON["status"] {
  const has = (status: SubscriptionItemStatus) => items.some((item) => item.status === status);
  if (has("past_due")) return "past_due";
  if (has("active") || has("canceled")) return "active";
  if (has("incomplete")) return "incomplete";
  if (has("upcoming")) return "active";
  return items.length > 0 && items.every((item) => item.status === "abandoned") ? "abandoned" : "ended";
}

/**
 * A payer's subscription as a `subscription.*` event sends it: the payer's `csub_` id, its
 * items nested (each keeping its own `updated_at`), a status derived from them, `updated_at`
 * the latest item's.
 *
 * ```ts
 * const subscription = clerkSubscription({ payer, items: [free, pro] });
 * ```
 */
export function clerkSubscription(input: SubscriptionInput): ClerkSubscriptionJSON {
  const { payer, items: given, ...fields } = input;
  const nested = given.map(nestedItem);
  const status = fields.status ?? subscriptionStatusOf(nested);
  const createdAt = fields.created_at ?? (nested.length > 0 ? Math.min(...nested.map((item) => item.created_at)) : (fields.updated_at ?? now()));
  const updatedAt = fields.updated_at ?? Math.max(createdAt, ...nested.map((item) => item.updated_at));
  const paid = nested.some((item) => !isDefaultFree(item.plan));
  return {
    object: "commerce_subscription",
    id: subscriptionIdOf(payer),
    status,
    active_at: status === "incomplete" ? null : createdAt,
    canceled_at: null,
    created_at: createdAt,
    ended_at: status === "ended" ? updatedAt : null,
    past_due_at: status === "past_due" ? updatedAt : null,
    updated_at: updatedAt,
    latest_payment_id: null,
    payer_id: payer.id,
    payer,
    payment_source_id: paid ? clerkId("cps", payer.id) : null,
    ...fields,
    items: nested,
  };
}

/** What changes in a subscription's next version: any field, and its items (in either shape). */
export type SubscriptionChanges = Partial<Omit<ClerkSubscriptionJSON, "items">> & { items?: SubscriptionInput["items"] };

/**
 * The next version of `subscription` with `changes`: a new `items` list re-derives the status,
 * and `updated_at` is a second later, or the latest item's if later, or `changes.updated_at`.
 */
function nextSubscription(subscription: ClerkSubscriptionJSON, changes: SubscriptionChanges): ClerkSubscriptionJSON {
  const items = (changes.items ?? subscription.items).map(nestedItem);
  const updatedAt = changes.updated_at ?? Math.max(nextVersionAt(subscription.updated_at), ...items.map((item) => item.updated_at));
  const status = changes.status ?? (changes.items ? subscriptionStatusOf(items) : subscription.status);
  const pastDueAt = status === "past_due" ? (subscription.past_due_at ?? updatedAt) : null;
  return { ...subscription, past_due_at: pastDueAt, ...changes, status, items, updated_at: updatedAt };
}

function subscriptionEvent(type: SubscriptionEventType, subscription: ClerkSubscriptionJSON): SubscriptionEvent {
  return clerkEvent(type, subscription, subscription.updated_at);
}

/**
 * `subscription.created`: a payer's subscription, with its first items (Clerk creates one on the
 * free default plan for every payer).
 *
 * ```ts
 * const created = subscriptionCreated({ payer, items: [clerkSubscriptionItem({ payer })] });
 * ```
 */
export function subscriptionCreated(input: SubscriptionInput): SubscriptionEvent {
  return subscriptionEvent("subscription.created", clerkSubscription(input));
}

/**
 * `subscription.updated`: the next version (see `nextSubscription`), e.g. with the items as they
 * are after a plan change.
 *
 * ```ts
 * const changed = subscriptionUpdated(created.data, { items: [ended.data, pro.data] });
 * ```
 */
export function subscriptionUpdated(subscription: ClerkSubscriptionJSON, changes: SubscriptionChanges = {}): SubscriptionEvent {
  return subscriptionEvent("subscription.updated", nextSubscription(subscription, changes));
}

/**
 * `subscription.active`: the subscription is active (again).
 * ```ts
 * const active = subscriptionActive(created.data, { items: [paid.data] });
 * ```
 */
export function subscriptionActive(subscription: ClerkSubscriptionJSON, changes: SubscriptionChanges = {}): SubscriptionEvent {
  return subscriptionEvent("subscription.active", nextSubscription(subscription, { status: "active", ...changes }));
}

/**
 * `subscription.pastDue` (or `subscription.past_due`): an item's payment is overdue.
 * ```ts
 * const overdue = subscriptionPastDue(active.data, { items: [unpaid.data] });
 * ```
 */
export function subscriptionPastDue(
  subscription: ClerkSubscriptionJSON,
  changes: SubscriptionChanges = {},
  spelling: PastDueSpelling = "pastDue",
): SubscriptionEvent {
  return subscriptionEvent(`subscription.${spelling}`, nextSubscription(subscription, { status: "past_due", ...changes }));
}
