import { currentPlans, isCurrent } from "../shared/billing.js";
import { payerOf, type Payer, type PayerFields } from "../shared/kinds/payer.js";
import type { PaymentAttempt } from "../shared/kinds/paymentAttempt.js";
import { CURRENT_STATUSES, TRIAL_ENDING_EVENT, type SubscriptionItem } from "../shared/kinds/subscriptionItem.js";
import { reachedStatus } from "../shared/kinds/define.js";
import type { HookEvent } from "../shared/validators.js";
import type { MutationCtx } from "./_generated/server.js";
import { isOrphaned, rowOf } from "./apply.js";
import { rowsWhere, type Derivers, type Transaction } from "./hooks.js";
import type { KindSpec } from "./kinds.js";
import { kindReader, withKey } from "./rows.js";

/**
 * The billing kinds' derived hooks (kinds/subscriptionItem.ts and kinds/paymentAttempt.ts declare
 * them): `onPlansChanged`, `onTrialEnding` and `onPaymentAttempt`, worked out when a transaction's
 * hooks are flushed, from its hook events and what is stored after it. Each is called with the
 * kind that declares it, so the tables and payer fields it reads are that kind's.
 */

/** A hook event as read here: its type, and its fields by name. */
type EventFields = { type: string } & Record<string, unknown>;
const fieldsOf = (events: readonly HookEvent[]) => events as readonly EventFields[];

/**
 * `plansChanged`: each payer whose current plans the transaction changed, once, with the net
 * `before` and `after` (items applied in any order, several in one subscription event). The
 * payer's plans before the transaction are its current items now, each item the transaction
 * touched taken as it was before its first event here (absent if created, the replaced row if
 * updated, the removed row if deleted).
 *
 * A payer's deletion (a user's or an organization's) changes its plans to none, in the deletion's
 * transaction: its items are hidden from then on, and removed by its cascade, whose later batches
 * announce nothing more.
 */
async function plansChanged(ctx: MutationCtx, kind: KindSpec, { events }: Transaction) {
  const payers = new Map<string, PayerTouched>();
  const touched = (parent: KindSpec["parents"][number], id: string) => {
    const key = `${parent.field}:${id}`;
    let payer = payers.get(key);
    if (!payer) payers.set(key, (payer = { parent, id, deleted: false, before: new Map() }));
    return payer;
  };
  for (const event of fieldsOf(events)) {
    const [name, what] = event.type.split(".");
    if (name === kind.name) {
      const row = event[kind.name] as SubscriptionItem | null;
      const previous = event.previous as SubscriptionItem | undefined;
      const clerkId = row?.clerkId ?? (event.clerkId as string);
      const before = what === "created" ? null : what === "updated" ? previous! : row;
      for (const version of [previous, row]) {
        for (const parent of kind.parents) {
          const id = version?.[parent.field as keyof SubscriptionItem];
          if (typeof id !== "string") continue;
          const payer = touched(parent, id);
          if (!payer.before.has(clerkId)) payer.before.set(clerkId, before);
        }
      }
    } else if (what === "deleted") {
      for (const parent of kind.parents) if (parent.kind === name) touched(parent, event.clerkId as string).deleted = true;
    }
  }
  const changed: { payer: Payer; before: string[]; after: string[] }[] = [];
  for (const { parent, id, deleted, before } of payers.values()) {
    const payer = payerOf({ [parent.field]: id } as PayerFields);
    // Deleted before this transaction: the plans went with the payer (a cascade's later batch).
    if (!payer || (!deleted && (await isOrphaned(ctx, kind.name, { [parent.field]: id })))) continue;
    const current = await currentItems(ctx, kind, parent, id);
    const plans = {
      before: currentPlans([...current.filter((item) => !before.has(item.clerkId)), ...[...before.values()].filter((item) => item !== null)]),
      after: deleted ? [] : currentPlans(current),
    };
    if (!samePlans(plans.before, plans.after)) changed.push({ payer, ...plans });
  }
  return changed;
}

type PayerTouched = {
  parent: KindSpec["parents"][number];
  id: string;
  /** The payer itself was deleted in this transaction. */
  deleted: boolean;
  /** Each item this transaction touched, as it was before (null: it did not exist). */
  before: Map<string, SubscriptionItem | null>;
};

/** A payer's stored items whose plan it has now, by its index (its id, then the status). */
async function currentItems(ctx: MutationCtx, kind: KindSpec, parent: KindSpec["parents"][number], id: string): Promise<SubscriptionItem[]> {
  const items: SubscriptionItem[] = [];
  for (const status of CURRENT_STATUSES) {
    const rows = await kindReader(ctx)
      .query(kind.table)
      .withIndex(parent.index, withKey([parent.field, "status"], { [parent.field]: id, status }))
      .collect();
    items.push(...(rows as unknown as SubscriptionItem[]));
  }
  return items;
}

/** Whether two sorted lists of plan slugs are the same. */
export function samePlans(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((slug, i) => slug === b[i]);
}

/**
 * `trialEnding`: for each `subscriptionItem.freeTrialEnding` the transaction applied, once per
 * item and trial end (`trialNotices` remembers what was announced), if the item stored now is
 * still a current free trial ending then: a notice older than a conversion to paid, or than a
 * trial extended, announces nothing. A removed item's announcements are forgotten with it.
 */
async function trialEnding(ctx: MutationCtx, kind: KindSpec, { events, notices }: Transaction) {
  for (const event of fieldsOf(events)) {
    if (event.type !== `${kind.name}.deleted`) continue;
    const announced = await ctx.db
      .query("trialNotices")
      .withIndex("by_item", (q) => q.eq("itemId", event.clerkId as string))
      .collect();
    for (const notice of announced) await ctx.db.delete("trialNotices", notice._id);
  }
  const announcements: { subscriptionItem: SubscriptionItem; trialEndsAt: number }[] = [];
  for (const notice of noticesOf(kind, TRIAL_ENDING_EVENT, { notices })) {
    const trialEndsAt = (notice.row as Partial<SubscriptionItem>).periodEnd;
    const item = (await rowOf(ctx, kind.name, notice.row.clerkId)) as SubscriptionItem | null;
    if (trialEndsAt === undefined || !item || !isTrialEndingAt(item, trialEndsAt) || (await isOrphaned(ctx, kind.name, item))) continue;
    const key = { itemId: item.clerkId, trialEndsAt };
    const announced = await ctx.db
      .query("trialNotices")
      .withIndex("by_item", (q) => q.eq("itemId", key.itemId).eq("trialEndsAt", key.trialEndsAt))
      .first();
    if (announced) continue;
    await ctx.db.insert("trialNotices", key);
    announcements.push({ subscriptionItem: item, trialEndsAt });
  }
  return announcements;
}

function noticesOf(kind: KindSpec, type: string, { notices }: Pick<Transaction, "notices">) {
  return notices.filter((notice) => notice.kind === kind.name && notice.notice === type);
}

/** Whether `item` is a current free trial ending at `at`: what a trial-ending notice announces. */
export function isTrialEndingAt(item: Pick<SubscriptionItem, "status" | "isFreeTrial" | "periodEnd">, at: number): boolean {
  return isCurrent(item) && item.isFreeTrial && item.periodEnd === at;
}

/**
 * `paymentAttempt`: an attempt reached a status, once per status: its creation, and each newer
 * version whose status is not the replaced row's. A duplicate or stale version is no event, so a
 * late `pending` after `paid` announces nothing.
 */
async function paymentAttempt(_ctx: MutationCtx, kind: KindSpec, { events }: Transaction) {
  return rowsWhere<PaymentAttempt>(kind, events, reachedStatus).map((attempt) => ({ paymentAttempt: attempt }));
}

export { reachedStatus };

/** The billing kinds' derivers, by derived hook type. */
export const BILLING_HOOKS = { plansChanged, trialEnding, paymentAttempt } satisfies Partial<Derivers>;
