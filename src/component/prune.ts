import { v } from "convex/values";
import { FOLD_EVERY_MS, foldDeliveries, HOUR_MS, REJECTIONS_SHARD, HOURS_KEPT_MS, WAKE_PRUNING_EVERY_MS, type HealthHour } from "../shared/health.js";
import { internal } from "./_generated/api.js";
import type { Doc } from "./_generated/dataModel.js";
import { internalMutation, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import { forgetCascade, hasChildren } from "./cascades.js";
import { HANDLED_KEPT_MS } from "./events.js";
import { fieldsOf, newestHour } from "./health.js";

/**
 * Keeps storage bounded without a cron in the app: one scheduled run at a time, that prunes in
 * batches and schedules itself again for the next moment something becomes old enough (every
 * `FOLD_EVERY_MS` while deliveries arrive), or not at all when nothing will. Deliveries read
 * nothing to know whether a run is pending: the webhook asks for one at most once an hour
 * (`wakePruning`), and a run that finds another pending replaces it, so one chain is left. A
 * rejection's new hour still brings it forward (`ensurePruning`). What it does:
 * - folds the records of verified deliveries into their shards' hours, and deletes them;
 * - health hours older than `HOURS_KEPT_MS`, except each shard's newest (it carries the last
 *   times and open failures forward);
 * - tombstones older than the retention (default 90 days; `tombstoneRetentionDays` on
 *   `registerRoutes`). Longer than any Svix redelivery: a replay of a delete older than that
 *   followed by a late upsert could bring the object back;
 * - finished resync runs beyond the `KEPT_RUNS` newest, with their candidates (a new run's
 *   `start` also does this; here it holds for apps that stop resyncing);
 * - the svix ids of deliveries the app's `onEvent` handled, older than `HANDLED_KEPT_MS` (events.ts).
 */

const DAY_MS = 24 * HOUR_MS;
export const DEFAULT_TOMBSTONE_RETENTION_MS = 90 * DAY_MS;
/** Svix retries a message for about 28 hours: a tombstone must outlive every retry. */
export const MIN_TOMBSTONE_RETENTION_MS = 3 * DAY_MS;
/** Documents deleted per kind per run; a full batch continues in the next run right away. */
export const PRUNE_BATCH = 500;
/** A scheduled run this late is taken for lost (it threw), and a new one is scheduled. */
const LOST_AFTER_MS = HOUR_MS;
/**
 * The longest a run sleeps: a tombstone due in 90 days wakes it a few times on the way. Timers
 * past 2^31 ms (24.8 days) fire at once in Node, so convex-test's scheduler would loop.
 */
export const MAX_SLEEP_MS = 20 * DAY_MS;

/**
 * Makes sure a run is scheduled at or before `dueAt`, in the caller's transaction. Reads one
 * document; writes only when no run is scheduled, one was lost, or the retention changed.
 */
export async function ensurePruning(ctx: MutationCtx, dueAt: number, tombstoneRetentionMs: number | undefined) {
  const now = Date.now();
  const state = await ctx.db.query("pruneState").first();
  // A caller that does not know the app's retention (a rejection, refused before verification:
  // anyone's to send) keeps the one stored: only the app's own deliveries set it.
  const retention = retentionOf(tombstoneRetentionMs ?? state?.tombstoneRetentionMs);
  const pending = state?.runAt !== undefined && state.runAt > now - LOST_AFTER_MS;
  if (state && pending && state.runAt! <= dueAt && state.tombstoneRetentionMs === retention) return;
  const fields: Partial<Doc<"pruneState">> = { tombstoneRetentionMs: retention };
  if (!pending || state!.runAt! > dueAt) {
    if (pending && state?.scheduledId) await ctx.scheduler.cancel(state.scheduledId);
    // The time it runs: a run that finds a later one pending takes its place (`run`).
    fields.runAt = Math.min(dueAt, now + MAX_SLEEP_MS);
    fields.scheduledId = await ctx.scheduler.runAt(fields.runAt, internal.prune.run, {});
  }
  if (state) await ctx.db.patch("pruneState", state._id, fields);
  else await ctx.db.insert("pruneState", fields as Doc<"pruneState">);
}

/**
 * Asks for a pruning run `WAKE_PRUNING_EVERY_MS` from now, reading nothing: one scheduled
 * function, in the caller's transaction. The run folds, prunes and takes over the chain.
 */
export async function wakePruning(ctx: MutationCtx, tombstoneRetentionMs: number | undefined) {
  await ctx.scheduler.runAfter(WAKE_PRUNING_EVERY_MS, internal.prune.run, tombstoneRetentionMs === undefined ? {} : { tombstoneRetentionMs });
}

/** One pruning run: a batch of each, then the next run (now if a batch was full) or none. */
export const run = internalMutation({
  args: { tombstoneRetentionMs: v.optional(v.number()) },
  returns: v.object({ folded: v.number(), hours: v.number(), tombstones: v.number(), runs: v.number(), handled: v.number() }),
  handler: async (ctx, args) => {
    const now = Date.now();
    const state = await ctx.db.query("pruneState").first();
    const retention = retentionOf(args.tombstoneRetentionMs ?? state?.tombstoneRetentionMs);
    const folded = await foldRecords(ctx);
    const hours = await pruneHours(ctx, now);
    const tombstones = await pruneTombstones(ctx, now - retention);
    const runs = await pruneRuns(ctx);
    const handled = await pruneHandled(ctx, now - HANDLED_KEPT_MS);
    const full = folded.full || hours.full || tombstones.full || runs.full || handled.full;
    const due = full ? now : minOf(folded.folded > 0 ? now + FOLD_EVERY_MS : null, await nextDue(ctx, now, retention));
    const next = due === null ? null : Math.min(due, now + MAX_SLEEP_MS);
    // A run asked for by a delivery (`wakePruning`) finds the chain's next run pending: it takes its place.
    if (state?.scheduledId && state.runAt !== undefined && state.runAt > now) await ctx.scheduler.cancel(state.scheduledId);
    const fields =
      next === null ? { scheduledId: undefined, runAt: undefined } : { scheduledId: await ctx.scheduler.runAt(next, internal.prune.run, {}), runAt: next };
    if (state) await ctx.db.patch("pruneState", state._id, { ...fields, tombstoneRetentionMs: retention });
    else await ctx.db.insert("pruneState", { ...fields, tombstoneRetentionMs: retention });
    return { folded: folded.folded, hours: hours.deleted, tombstones: tombstones.deleted, runs: runs.deleted, handled: handled.deleted };
  },
});

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

/** Folds a batch of delivery records, oldest first, into their shards' hours, and deletes them. */
async function foldRecords(ctx: MutationCtx) {
  const records = await ctx.db.query("webhookDeliveries").withIndex("by_at").take(PRUNE_BATCH);
  if (records.length === 0) return { folded: 0, full: false };
  const stored = new Map<string, Doc<"webhookHealth">>();
  const newest: HealthHour[] = [];
  for (let shard = 0; shard < REJECTIONS_SHARD; shard++) {
    const hour = await newestHour(ctx, shard);
    if (!hour) continue;
    stored.set(`${shard}:${hour.hourStart}`, hour);
    newest.push(fieldsOf(hour));
  }
  for (const hour of foldDeliveries(
    newest,
    records.map(({ _id, _creationTime, ...record }) => record),
  )) {
    const doc = stored.get(`${hour.shard}:${hour.hourStart}`);
    if (doc) await ctx.db.replace("webhookHealth", doc._id, hour);
    else await ctx.db.insert("webhookHealth", hour);
  }
  for (const record of records) await ctx.db.delete("webhookDeliveries", record._id);
  return { folded: records.length, full: records.length === PRUNE_BATCH };
}

function retentionOf(ms: number | undefined) {
  return Math.max(MIN_TOMBSTONE_RETENTION_MS, ms ?? DEFAULT_TOMBSTONE_RETENTION_MS);
}

/** The newest hour of each shard, which is never pruned. */
async function newestHours(ctx: QueryCtx) {
  const newest = new Map<number, number>();
  for (let shard = 0; shard <= REJECTIONS_SHARD; shard++) {
    const hour = await ctx.db
      .query("webhookHealth")
      .withIndex("by_shard", (q) => q.eq("shard", shard))
      .order("desc")
      .first();
    if (hour) newest.set(shard, hour.hourStart);
  }
  return newest;
}

async function pruneHours(ctx: MutationCtx, now: number) {
  const old = await ctx.db
    .query("webhookHealth")
    .withIndex("by_hour", (q) => q.lt("hourStart", now - HOURS_KEPT_MS))
    .take(PRUNE_BATCH);
  const newest = await newestHours(ctx);
  let deleted = 0;
  for (const hour of old) {
    if (hour.hourStart === newest.get(hour.shard)) continue;
    await ctx.db.delete("webhookHealth", hour._id);
    deleted++;
  }
  return { deleted, full: old.length === PRUNE_BATCH };
}

async function pruneTombstones(ctx: MutationCtx, before: number) {
  const old = await ctx.db
    .query("tombstones")
    .withIndex("by_deleted_at", (q) => q.lt("deletedAt", before))
    .take(PRUNE_BATCH);
  let deleted = 0;
  for (const tombstone of old) {
    // Rows that still belong to it (a cascade that gave up) stay hidden only while it stays. Only
    // a redelivered deletion (or a resync) removes them, so it is looked at again when a run comes
    // for something else, and nothing is scheduled for it: a run for it alone would find it the
    // same, and wake again forever (convex-test's finishAllScheduledFunctions would never end).
    if (await hasChildren(ctx, tombstone.kind, tombstone.clerkId)) continue;
    // Nothing belongs to it: a cascade mark left by one that gave up and was finished by events goes too.
    await forgetCascade(ctx, tombstone.kind, tombstone.clerkId);
    await ctx.db.delete("tombstones", tombstone._id);
    deleted++;
  }
  // A full batch of tombstones that all still hold rows is no progress: running again at once would loop.
  return { deleted, full: old.length === PRUNE_BATCH && deleted > 0 };
}

/** Forgets a batch of the svix ids `onEvent` handled before `before`, oldest first. */
async function pruneHandled(ctx: MutationCtx, before: number) {
  const old = await ctx.db
    .query("handledDeliveries")
    .withIndex("by_at", (q) => q.lt("at", before))
    .take(PRUNE_BATCH);
  for (const handled of old) await ctx.db.delete("handledDeliveries", handled._id);
  return { deleted: old.length, full: old.length === PRUNE_BATCH };
}

/** Resync runs kept for the status history; older finished ones go, here and when a run starts. */
export const KEPT_RUNS = 10;

/** Deletes finished runs beyond the `KEPT_RUNS` newest, with their left-over candidates, a batch at a time. */
export async function pruneRuns(ctx: MutationCtx) {
  const beyond = (
    await ctx.db
      .query("resyncRuns")
      .order("desc")
      .take(KEPT_RUNS + 10)
  )
    .slice(KEPT_RUNS)
    .filter((run) => run.state !== "running");
  let candidates = 0;
  let deleted = 0;
  for (const run of beyond) {
    const left = await ctx.db
      .query("resyncCandidates")
      .withIndex("by_run", (q) => q.eq("runId", run._id))
      .take(PRUNE_BATCH - candidates);
    for (const candidate of left) await ctx.db.delete("resyncCandidates", candidate._id);
    candidates += left.length;
    if (candidates >= PRUNE_BATCH) return { deleted, full: true };
    await ctx.db.delete("resyncRuns", run._id);
    deleted++;
  }
  return { deleted, full: beyond.length === 10 };
}

/**
 * When the oldest hour, tombstone or handled svix id becomes old enough to prune, or null if none
 * will. Tombstones already old enough are left by a run only while rows still belong to them: no
 * run is due for them.
 */
async function nextDue(ctx: QueryCtx, now: number, retention: number): Promise<number | null> {
  const newest = await newestHours(ctx);
  const oldest = await ctx.db
    .query("webhookHealth")
    .withIndex("by_hour")
    .take(REJECTIONS_SHARD + 2);
  const hour = oldest.find((w) => w.hourStart !== newest.get(w.shard));
  const tombstone = await ctx.db
    .query("tombstones")
    .withIndex("by_deleted_at", (q) => q.gte("deletedAt", now - retention))
    .first();
  const handled = await ctx.db.query("handledDeliveries").withIndex("by_at").first();
  const due: number[] = [];
  if (hour) due.push(hour.hourStart + HOURS_KEPT_MS + 1);
  if (tombstone) due.push(tombstone.deletedAt + retention + 1);
  if (handled) due.push(handled.at + HANDLED_KEPT_MS + 1);
  return due.length === 0 ? null : Math.min(...due);
}
