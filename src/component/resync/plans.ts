import type { PlanFields } from "../../shared/billing.js";
import type { Handback, KindCounts } from "../../shared/resync.js";
import { kindNamed } from "../../shared/kinds/registry.js";
import type { MutationCtx } from "../_generated/server.js";
import { emptyCounts } from "./counts.js";
import { KEPT_INVALID_IDS } from "./listing.js";
import { BATCH_SIZE, assertBatchSize, write, type RunDoc } from "./runs.js";

/**
 * Clerk Billing's plans in a resync run with `billing: true`. Plans are a catalog, not a kind:
 * no webhook event tells of them and they have no `updated_at` to order two copies by, so the
 * ordering rules and the spans of the kinds' listings have nothing to work with. What Clerk lists
 * now, whole, is the truth, and the `billingPlans` table is made that list.
 *
 * The run syncs them once, as its first billing kind's listing starts (before the subscription
 * items: `plansDue`). Plans are few, so the action reads every page of `GET /v1/billing/plans`
 * in one instruction and hands them all back (client resync/plans.ts proves the pages continue
 * each other), and one transaction here writes only what changed (`planChanges`). A listing that
 * failed is never handed back, so a plan is removed only by a complete listing that no longer
 * holds it. The plans' counts (`status.counts.plan`) are written in the same transaction: their
 * presence is what says this run's plans are synced, and a resumed run does not read them again.
 */

/** Whether the step holding `run` syncs the plans next: the run is at its first billing kind's listing and has not synced them. */
export function plansDue(run: Pick<RunDoc, "state" | "phase" | "kind" | "span" | "counts">): boolean {
  return run.state === "running" && run.phase === "listing" && !run.span && kindNamed(run.kind).resyncOption === "billing" && run.counts.plan === undefined;
}

/** The writes that make `stored` the listing (`listed`: every listed id; `plans`: the storable ones). */
export type PlanChanges<Id> = {
  insert: PlanFields[];
  replace: { id: Id; plan: PlanFields }[];
  /** Stored plans the listing does not hold: Clerk no longer has them. */
  remove: Id[];
  unchanged: number;
};

/**
 * What to write so the stored plans are Clerk's complete listing: new plans inserted, changed ones
 * replaced, those Clerk no longer lists removed, the rest left alone (no write). A listed plan
 * that cannot be stored keeps its stored row: Clerk still has it.
 */
export function planChanges<Id>(stored: readonly (PlanFields & { _id: Id })[], listed: readonly string[], plans: readonly PlanFields[]): PlanChanges<Id> {
  const byId = new Map(stored.map((row) => [row.clerkId, row]));
  const changes: PlanChanges<Id> = { insert: [], replace: [], remove: [], unchanged: 0 };
  const seen = new Set<string>();
  for (const plan of plans) {
    if (seen.has(plan.clerkId)) throw new Error(`The plans' listing holds ${plan.clerkId} twice`);
    seen.add(plan.clerkId);
    const row = byId.get(plan.clerkId);
    if (!row) changes.insert.push(plan);
    else if (samePlan(row, plan)) changes.unchanged++;
    else changes.replace.push({ id: row._id, plan });
  }
  const kept = new Set(listed);
  for (const row of stored) if (!kept.has(row.clerkId)) changes.remove.push(row._id);
  return changes;
}

/** Whether a stored plan holds exactly these fields (a field absent on one side is absent on the other). */
function samePlan(row: PlanFields, plan: PlanFields): boolean {
  const keys = new Set([...Object.keys(plan), ...Object.keys(row).filter((key) => !key.startsWith("_"))]);
  return [...keys].every((key) => JSON.stringify(row[key as keyof PlanFields]) === JSON.stringify(plan[key as keyof PlanFields]));
}

/** Makes the stored plans the complete listing handed back, in one transaction, and records their counts in the run. */
export async function replacePlans(ctx: MutationCtx, run: RunDoc, listing: Extract<Handback, { op: "plans" }>, fields: Partial<RunDoc>): Promise<RunDoc> {
  if (!plansDue(run)) throw new Error(`Plans handed back, but the run ${run.counts.plan ? "has synced them already" : `lists ${run.kind}s`}`);
  assertBatchSize(listing.listed.length, listing.plans.length);
  const stored = await ctx.db.query("billingPlans").take(BATCH_SIZE + 1);
  if (stored.length > BATCH_SIZE) throw new Error(`More than ${BATCH_SIZE} plans are stored: the catalog is replaced in one transaction`);
  const changes = planChanges(stored, listing.listed, listing.plans);
  for (const plan of changes.insert) await ctx.db.insert("billingPlans", plan);
  for (const { id, plan } of changes.replace) await ctx.db.replace("billingPlans", id, plan);
  for (const id of changes.remove) await ctx.db.delete("billingPlans", id);
  const counts: KindCounts = {
    ...emptyCounts(),
    seen: listing.listed.length,
    created: changes.insert.length,
    updated: changes.replace.length,
    unchanged: changes.unchanged,
    invalid: listing.invalid.length,
    invalidIds: listing.invalid.slice(0, KEPT_INVALID_IDS),
    removed: changes.remove.length,
  };
  return write(ctx, run, { heartbeatAt: Date.now() }, { ...fields, counts: { ...run.counts, plan: counts } });
}
