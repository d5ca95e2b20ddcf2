import { v } from "convex/values";
import { user } from "../shared/kinds/user.js";
import { subscriptionItem } from "../shared/kinds/subscriptionItem.js";
import {
  deliveryRecord,
  DELIVERIES_READ,
  foldDeliveries,
  hourOf,
  openHour,
  recordOutcome,
  REJECTIONS_SHARD,
  shouldRecordRejection,
  SILENT_AFTER_MS,
  BILLING_OVERDUE_AFTER_MS,
  SILENT_LOOKBACK_MS,
  summarize,
  verdictOf,
  vFailureReason,
  vHealthStatus,
  vRejectionReason,
  HOURS_KEPT_MS,
  type DeliveryOutcome,
  type HealthHour,
} from "../shared/health.js";
import type { ApplyOutcome } from "../shared/validators.js";
import type { HandOverOutcome } from "./events.js";
import type { Doc } from "./_generated/dataModel.js";
import { mutation, query, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import { ensurePruning, wakePruning } from "./prune.js";

/**
 * "Is my webhook working?": what every delivery came to, kept cheap enough to record on every
 * one. The decisions are pure (shared/health.ts); these functions store and read what they need.
 *
 * Cost per verified delivery: one insert, its own record, and no read: concurrent deliveries
 * share no health document, so health never makes a sync write conflict. The pruning run
 * (prune.ts) folds the records into hours; `status` folds those it has not yet. A rejection
 * (anyone can send one) reads its shard's newest hour and writes only if none was recorded in
 * the last second.
 *
 * `status` reads a bounded number of documents whatever the delivery rate: the hours of the
 * last 25 (at most one per shard per hour, 9 shards), each shard's newest, the `DELIVERIES_READ`
 * newest records not yet folded, and at most 100 waiting users and 2 resync runs. Records past
 * the newest `DELIVERIES_READ` (more than the run folds between two of its passes) count once
 * it has folded them.
 */

/**
 * Statuses Clerk moves on when the period ends (renewed, past due, or ended). A free item has no
 * period end; a past-due one keeps its end while Clerk retries the charge.
 */
const OVERDUE_STATUSES = ["active", "canceled"] as const;

/** Users waiting (and overdue items) past this many are reported as this many. */
const WAITING_COUNTED = 100;

/**
 * The webhook's health: a verdict (`ok`, `noDeliveriesYet`, `misconfigured`, `rejecting`, `failing`, `silent`)
 * and one line of advice, counts per outcome for the last hour and day, the last delivery,
 * rejection and failure, and the last resync's state.
 * ```ts
 * export const webhookHealth = internalQuery({ args: {}, handler: (ctx) => ctx.runQuery(components.clerkUsers.health.status, {}) });
 * // npx convex run clerk:webhookHealth
 * ```
 */
export const status = query({
  args: {},
  returns: vHealthStatus,
  handler: async (ctx) => {
    const now = Date.now();
    const recent = await ctx.db
      .query("webhookHealth")
      .withIndex("by_hour", (q) => q.gte("hourStart", hourOf(now) - HOURS_KEPT_MS))
      .collect();
    const newest: HealthHour[] = [];
    for (let shard = 0; shard <= REJECTIONS_SHARD; shard++) {
      const hour = await newestHour(ctx, shard);
      if (hour) newest.push(fieldsOf(hour));
    }
    const records = await ctx.db.query("webhookDeliveries").withIndex("by_at").order("desc").take(DELIVERIES_READ);
    // The hours the records change come first: `summarize` counts the first of each hour it meets.
    const folded = foldDeliveries(newest, records.map(recordFieldsOf));
    const summary = summarize([...folded, ...recent.map(fieldsOf), ...newest], now);
    const usersWaiting = (
      await ctx.db
        .query(user.table)
        .withIndex("by_provisional", (q) =>
          q
            .eq("provisional", true)
            .gt("_creationTime", now - SILENT_LOOKBACK_MS)
            .lt("_creationTime", now - SILENT_AFTER_MS),
        )
        .take(WAITING_COUNTED)
    ).length;
    const billingOverdue = (
      await Promise.all(
        OVERDUE_STATUSES.map((status) =>
          ctx.db
            .query(subscriptionItem.table)
            .withIndex("by_status_period_end", (q) =>
              q
                .eq("status", status)
                .gte("periodEnd", 0)
                .lt("periodEnd", now - BILLING_OVERDUE_AFTER_MS),
            )
            .take(WAITING_COUNTED),
        ),
      )
    ).flat().length;
    const lastRun = await ctx.db.query("resyncRuns").order("desc").first();
    const lastCompleted = await ctx.db
      .query("resyncRuns")
      .withIndex("by_state", (q) => q.eq("state", "completed"))
      .order("desc")
      .first();
    const { verdict, advice } = verdictOf({ ...summary, usersWaiting, billingOverdue, resyncRepairedUpTo: lastCompleted?.startedAt ?? null }, now);
    return {
      verdict,
      advice,
      at: now,
      ...summary,
      usersWaiting,
      billingOverdue,
      lastResync: lastRun ? resyncSummary(lastRun) : null,
    };
  },
});

/**
 * Records a verified delivery that did not go through `applyEvent` or `events.handOver`: an event
 * type this package ignores, or one that failed (a body it cannot read, or `applyEvent` or
 * `handOver` threw and rolled back).
 */
export const recordVerified = mutation({
  args: {
    svixId: v.string(),
    outcome: v.union(
      v.object({ kind: v.literal("ignored") }),
      v.object({ kind: v.literal("failed"), status: v.number(), reason: vFailureReason, eventType: v.optional(v.string()) }),
    ),
    tombstoneRetentionMs: v.optional(v.number()),
    /** Ask for a pruning run (the webhook does at most once an hour: `shouldWakePruning`). */
    wakePruning: v.optional(v.boolean()),
  },
  returns: v.null(),
  handler: async (ctx, { svixId, outcome, tombstoneRetentionMs, wakePruning: wake }) => {
    await ctx.db.insert("webhookDeliveries", deliveryRecord({ ...outcome, svixId }, Date.now()));
    if (wake) await wakePruning(ctx, tombstoneRetentionMs);
    return null;
  },
});

/**
 * Records a request refused before verification, unless one was recorded in the last second:
 * a flood of forged requests writes at most one document a second, always the same few (one
 * per hour, pruned), and none a verified delivery writes. Returns whether it was recorded.
 */
export const recordRejection = mutation({
  args: { status: v.number(), reason: vRejectionReason, svixId: v.optional(v.string()) },
  returns: v.boolean(),
  handler: async (ctx, { status, reason, svixId }) => {
    const now = Date.now();
    const newest = await newestHour(ctx, REJECTIONS_SHARD);
    if (!shouldRecordRejection(newest?.lastRejection?.at ?? null, now)) return false;
    await write(ctx, REJECTIONS_SHARD, newest, { kind: "rejected", status, reason, svixId }, now, undefined);
    return true;
  },
});

/**
 * Records what `applyEvent` did with a delivery, in its transaction (so a rollback records
 * nothing: the endpoint then records the failure). One insert, nothing read.
 */
export async function recordApplied(ctx: MutationCtx, svixId: string, outcome: ApplyOutcome) {
  const kind = outcome === "duplicate" ? "duplicate" : outcome === "stale" || outcome === "tombstoned" ? "stale" : "applied";
  await ctx.db.insert("webhookDeliveries", deliveryRecord({ kind, svixId }, Date.now()));
}

/**
 * Records what handing an event to the app's `onEvent` did, in its transaction: counted as
 * `applied` when it handled it, a `duplicate` when it had already, `ignored` when the app takes
 * no events. One insert, nothing read.
 */
export async function recordHandOver(ctx: MutationCtx, svixId: string, outcome: HandOverOutcome) {
  await ctx.db.insert("webhookDeliveries", deliveryRecord({ kind: outcome === "handled" ? "applied" : outcome, svixId }, Date.now()));
}

async function write(
  ctx: MutationCtx,
  shard: number,
  newest: Doc<"webhookHealth"> | null,
  outcome: DeliveryOutcome,
  now: number,
  tombstoneRetentionMs: number | undefined,
) {
  const hour = recordOutcome(openHour(shard, now, newest && fieldsOf(newest)), outcome, now);
  if (newest && newest.hourStart === hour.hourStart) {
    await ctx.db.replace("webhookHealth", newest._id, hour);
    return;
  }
  await ctx.db.insert("webhookHealth", hour);
  // A new hour makes the shard's previous one prunable a day from now.
  await ensurePruning(ctx, now + HOURS_KEPT_MS, tombstoneRetentionMs);
}

export function newestHour(ctx: QueryCtx, shard: number) {
  return ctx.db
    .query("webhookHealth")
    .withIndex("by_shard", (q) => q.eq("shard", shard))
    .order("desc")
    .first();
}

function recordFieldsOf({ _id, _creationTime, ...record }: Doc<"webhookDeliveries">) {
  return record;
}

export function fieldsOf({ _id, _creationTime, ...hour }: Doc<"webhookHealth">): HealthHour {
  return hour;
}

function resyncSummary(run: Doc<"resyncRuns">) {
  const { state, phase, startedAt, finishedAt, lastError } = run;
  return { state, phase, startedAt, ...(finishedAt !== undefined ? { finishedAt } : {}), ...(lastError ? { lastError } : {}) };
}
