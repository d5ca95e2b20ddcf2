import { paginationOptsValidator, paginationResultValidator } from "convex/server";
import { v } from "convex/values";
import { billingOf, currentPlans, vBilling, vPlan } from "../shared/billing.js";
import { paymentAttempt, vPaymentAttempt } from "../shared/kinds/paymentAttempt.js";
import { payerOf, type Payer } from "../shared/kinds/payer.js";
import { CURRENT_STATUSES, subscriptionItem, vSubscriptionItem } from "../shared/kinds/subscriptionItem.js";
import type { Doc } from "./_generated/dataModel.js";
import { query, type QueryCtx } from "./_generated/server.js";
import { awaitsCascade } from "./cascades.js";
import { pageByKey } from "./lists.js";

/**
 * Reads of Clerk Billing: a payer's billing, who is on a plan, the plan catalog, a payer's
 * payment attempts. Rows of a deleted user or organization are never returned, even while the
 * cascade that removes them (cascades.ts) is still running: what every read hides (`awaitsCascade`).
 */

/**
 * A payer as a query names it: exactly one of a user and an organization. Two optional fields, not
 * a union of two objects: Convex takes only an object as a component function's arguments.
 */
const payerArgs = { userId: v.optional(v.string()), orgId: v.optional(v.string()) };

/** Most items of one status one payer is read with: Clerk keeps a handful per payer (the free item, a paid one, a scheduled change). */
const MAX_ITEMS_PER_STATUS = 100;

/** The statuses `getByPayer` reads: what the payer has now, and what is scheduled. Ended, abandoned and incomplete items are never read. */
const READ_STATUSES = [...CURRENT_STATUSES, "upcoming"];

/** The one payer `names` names, or an error when it names both or neither. */
function payerNamed(names: { userId?: string; orgId?: string }): Payer {
  const payer = names.userId !== undefined && names.orgId !== undefined ? null : payerOf(names);
  if (!payer) throw new Error("billing: name exactly one payer, { userId } or { orgId }.");
  return payer;
}

/**
 * The billing of a user or an organization (`{ userId }` or `{ orgId }`), from its current
 * (`active`, `past_due`, `canceled`) and `upcoming` items and the synced plans of the current
 * ones; or null when the payer has none of those items (never subscribed, all ended, or not
 * synced yet) or was deleted. Reads only those items and their plans, by index.
 */
export const getByPayer = query({
  args: payerArgs,
  returns: v.union(vBilling, v.null()),
  handler: async (ctx, names) => {
    const payer = payerNamed(names);
    if (await awaitsCascade(ctx, subscriptionItem.name, payer)) return null;
    const items: Doc<typeof subscriptionItem.table>[] = [];
    for (const status of READ_STATUSES) items.push(...(await itemsOf(ctx, payer, status).take(MAX_ITEMS_PER_STATUS)));
    if (items.length === 0) return null;
    const plans = [];
    for (const slug of currentPlans(items)) {
      const plan = await ctx.db
        .query("billingPlans")
        .withIndex("by_slug", (q) => q.eq("slug", slug))
        .first();
      if (plan) plans.push(plan);
    }
    return billingOf(payer, items, plans);
  },
});

/** A payer's items of one status, by `by_user` or `by_org`. */
function itemsOf(ctx: QueryCtx, payer: Payer, status: string) {
  const items = ctx.db.query(subscriptionItem.table);
  return "userId" in payer
    ? items.withIndex("by_user", (q) => q.eq("userId", payer.userId).eq("status", status))
    : items.withIndex("by_org", (q) => q.eq("orgId", payer.orgId).eq("status", status));
}

/**
 * Pages through the subscription items on plan `planSlug` (who is on plan X), of status `status`,
 * or both, up to 1,000 a page: by status, then in the order the component first stored them.
 * Items of a deleted payer are left out.
 * ```ts
 * const page = await ctx.runQuery(components.clerkUsers.billing.listItems, { planSlug: "pro", status: "active", paginationOpts });
 * ```
 */
export const listItems = query({
  args: { planSlug: v.optional(v.string()), status: v.optional(v.string()), paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(vSubscriptionItem),
  handler: async (ctx, { planSlug, status, paginationOpts }) =>
    pageByKey(
      paginationOpts,
      (after, limit) => itemsAfter(ctx, { planSlug, status }, after === undefined ? undefined : (JSON.parse(after) as ItemKey), limit),
      (row) => JSON.stringify([row.status, row._creationTime] satisfies ItemKey),
      async (row) => !(await awaitsCascade(ctx, subscriptionItem.name, row)),
    ),
});

/** Where an item sits in `by_plan` or `by_status` past the fields a list fixes: its status, then `_creationTime`. */
type ItemKey = [status: string, creationTime: number];

/**
 * The next `limit` items of the list after `after`, in index order. With a status fixed, one range
 * past `after`'s creation time; without, the rest of `after`'s status, then the statuses after it.
 */
async function itemsAfter(ctx: QueryCtx, list: { planSlug?: string; status?: string }, after: ItemKey | undefined, limit: number) {
  const items = () => ctx.db.query(subscriptionItem.table);
  const { planSlug } = list;
  const ofStatus = (status: string, createdAfter?: number) =>
    planSlug !== undefined
      ? items().withIndex("by_plan", (q) => {
          const range = q.eq("planSlug", planSlug).eq("status", status);
          return createdAfter === undefined ? range : range.gt("_creationTime", createdAfter);
        })
      : items().withIndex("by_status", (q) => {
          const range = q.eq("status", status);
          return createdAfter === undefined ? range : range.gt("_creationTime", createdAfter);
        });
  if (list.status !== undefined) return ofStatus(list.status, after?.[1]).take(limit);
  if (after === undefined) {
    return (planSlug !== undefined ? items().withIndex("by_plan", (q) => q.eq("planSlug", planSlug)) : items().withIndex("by_status")).take(limit);
  }
  const [lastStatus, lastCreated] = after;
  const tied = await ofStatus(lastStatus, lastCreated).take(limit);
  if (tied.length >= limit) return tied;
  const later =
    planSlug !== undefined
      ? items().withIndex("by_plan", (q) => q.eq("planSlug", planSlug).gt("status", lastStatus))
      : items().withIndex("by_status", (q) => q.gt("status", lastStatus));
  return [...tied, ...(await later.take(limit - tied.length))];
}

/** Most plans returned: a Clerk instance's catalog is a few plans. */
const MAX_PLANS = 1000;

/** Every synced plan (the last resync with `billing: true`), ordered by slug. */
export const plans = query({
  args: {},
  returns: v.array(vPlan),
  handler: async (ctx) => ctx.db.query("billingPlans").withIndex("by_slug").take(MAX_PLANS),
});

/**
 * Pages through a payer's payment attempts, newest first, up to 1,000 a page. Newest is the
 * order the component first stored them (`_creationTime`, descending): an attempt's place never
 * moves while it goes from `pending` to `paid` or `failed`, so pages neither repeat nor skip one
 * (an order by `updatedAt` would move it to the front under a reader's cursor). Attempts are
 * synced from webhooks only, first stored when their first event lands, so the order is Clerk's
 * but for deliveries that cross. Attempts of a deleted payer are left out.
 */
export const payments = query({
  args: { ...payerArgs, paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(vPaymentAttempt),
  handler: async (ctx, { paginationOpts, ...names }) => {
    const payer = payerNamed(names);
    if (await awaitsCascade(ctx, paymentAttempt.name, payer)) return { page: [], isDone: true, continueCursor: "" };
    return pageByKey(
      paginationOpts,
      (after, limit) => {
        const before = after === undefined ? undefined : Number(after);
        const attempts = ctx.db.query(paymentAttempt.table);
        const range =
          "userId" in payer
            ? attempts.withIndex("by_user", (q) =>
                before === undefined ? q.eq("userId", payer.userId) : q.eq("userId", payer.userId).lt("_creationTime", before),
              )
            : attempts.withIndex("by_org", (q) => (before === undefined ? q.eq("orgId", payer.orgId) : q.eq("orgId", payer.orgId).lt("_creationTime", before)));
        return range.order("desc").take(limit);
      },
      (row) => String(row._creationTime),
    );
  },
});
