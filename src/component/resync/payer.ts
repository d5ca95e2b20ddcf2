import { v, type Infer } from "convex/values";
import { clerkUsersError } from "../../shared/errors.js";
import { checkParentAnswer } from "../../shared/paging.js";
import type { PayerResyncResult } from "../../shared/resync.js";
import { subscriptionItem, vSubscriptionItemFields } from "../../shared/kinds/subscriptionItem.js";
import type { MutationCtx } from "../_generated/server.js";
import { applyTo } from "../apply.js";
import type { HookEvents } from "../hooks.js";
import { count, newTally } from "./counts.js";
import { KEPT_INVALID_IDS, upsert } from "./listing.js";
import { lookUpMany } from "./pageLookup.js";
import { assertBatchSize } from "./runs.js";

/**
 * One payer's refresh (the client's `resyncPayer`): the items of the subscription Clerk answered
 * for it, applied like a resync page, through the webhook's ordering rules and hooks. It is not
 * part of a run and removes nothing: an item the answer lacks is left to a run's reconcile, which
 * removes only behind its mass-removal guard.
 */

/** The payer refreshed: a user or an organization. */
export const vPayerRef = v.union(v.object({ userId: v.string() }), v.object({ orgId: v.string() }));
export type PayerRef = Infer<typeof vPayerRef>;

/** What the client hands over: the subscription's items, sorted out (`sortOut`). */
export const vPayerAnswer = v.object({
  payer: vPayerRef,
  /** Every item in the subscription, storable or not, by id. */
  listed: v.array(v.string()),
  rows: v.array(vSubscriptionItemFields),
  /** Ids of the items that could not be stored. */
  invalid: v.array(v.string()),
});
type PayerAnswer = Infer<typeof vPayerAnswer>;

/**
 * Applies one payer's items in one transaction. An item of another payer means the answer was not
 * this payer's subscription: refused (`BAD_RESPONSE`) before anything is written.
 */
export async function applyPayerItems(ctx: MutationCtx, { payer, listed, rows, invalid }: PayerAnswer, hooks: HookEvents): Promise<PayerResyncResult> {
  assertBatchSize(listed.length, rows.length, invalid.length);
  const [field, id] = "orgId" in payer ? (["orgId", payer.orgId] as const) : (["userId", payer.userId] as const);
  const answer = checkParentAnswer(id, field, rows);
  if (!answer.ok) {
    throw clerkUsersError("BAD_RESPONSE", `Clerk's subscription of ${id} holds ${answer.strangers} subscription items of another payer: nothing was written.`);
  }
  const tally = newTally();
  const lookUp = await lookUpMany(
    ctx,
    subscriptionItem.name,
    rows.map((row) => row.clerkId),
  );
  for (const row of rows) count(tally, await applyTo(ctx, upsert(subscriptionItem.name, row), await lookUp(row.clerkId), hooks));
  await hooks.flush(ctx);
  return { found: true, seen: listed.length, ...tally, invalid: invalid.length, invalidIds: invalid.slice(0, KEPT_INVALID_IDS) };
}
