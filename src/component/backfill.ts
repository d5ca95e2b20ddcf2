import { paginator } from "convex-helpers/server/pagination";
import { v } from "convex/values";
import { MAX_PAGE_SIZE, START_CURSOR, vListCursor } from "../shared/paging.js";
import { vSyncErrorCode, vSyncStatus, type SyncStatus } from "../shared/syncStatus.js";
import { vUserFields, type ApplyOutcome } from "../shared/validators.js";
import { mutation, query, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import type { Doc, Id } from "./_generated/dataModel.js";
import schema from "./schema.js";
import { applyOne, applyTo } from "./sync.js";
import { lookUpMany } from "./pageLookup.js";
import { HookEvents } from "./hooks.js";

/**
 * The component's side of a resync (the action is `makeSyncUsersAction` in the app, which alone
 * holds Clerk's secret key). A run moves through:
 *
 *   start ─▶ listing: commitPage × N ─▶ reconciling: (nextCandidates ─▶ applyRecheck) × M ─▶ completed
 *                  └────────────── fail ─▶ failed ─▶ start resumes it ─┘
 *
 * Every write carries the run's `lease`: one action step owns a run at a time, and a step that
 * lost it (another took over a stale run) gets `null` back and stops, having written nothing.
 */

/** Runs kept for the status history; older ones are deleted when a run starts. */
export const KEPT_RUNS = 10;
/** Rows read per reconcile call; the candidates found are applied in one mutation. */
export const RECONCILE_BATCH = MAX_PAGE_SIZE;
/** Invalid user ids kept in the status, to look up in Clerk's dashboard. */
const KEPT_INVALID_IDS = 10;

const vStatusOrNull = v.union(vSyncStatus, v.null());
/** What a step needs to work on a run it holds: its progress and where its listing stands. */
const vStep = v.object({ status: vSyncStatus, cursor: vListCursor });
const vStepOrNull = v.union(vStep, v.null());

/** The latest run's progress, or null if the users were never resynced. */
export const status = query({
  args: {},
  returns: vStatusOrNull,
  handler: async (ctx) => {
    const run = await latestRun(ctx);
    return run ? toStatus(run) : null;
  },
});

/**
 * Starts a run for the action step holding `lease`, or resumes the latest one:
 * - the latest run is running and has made progress within `staleAfterMs`: it is left to its
 *   owner (`acquired: false`), so two syncs never run at once;
 * - it is running but stale (its step crashed or timed out), or it failed: this step takes it
 *   over and continues from its last committed page;
 * - otherwise (none yet, or the latest completed): a new run starts from the first page.
 */
export const start = mutation({
  args: { lease: v.string(), staleAfterMs: v.number() },
  returns: v.object({ acquired: v.boolean(), status: vSyncStatus, cursor: vListCursor }),
  handler: async (ctx, { lease, staleAfterMs }) => {
    const now = Date.now();
    const latest = await latestRun(ctx);
    if (latest && latest.state === "running" && now - latest.heartbeatAt < staleAfterMs) {
      return { acquired: false, ...toStep(latest) };
    }
    if (latest && latest.state !== "completed") {
      await ctx.db.patch(latest._id, { state: "running", lease, heartbeatAt: now, steps: latest.steps + 1 });
      return { acquired: true, ...toStep((await ctx.db.get(latest._id))!) };
    }
    const newestRow = await ctx.db.query("users").order("desc").first();
    const id = await ctx.db.insert("syncRuns", {
      state: "running",
      phase: "listing",
      lease,
      startedAt: now,
      heartbeatAt: now,
      existingUpTo: newestRow?._creationTime ?? 0,
      cursor: START_CURSOR,
      pagesDone: 0,
      usersSeen: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      tombstoned: 0,
      invalidUsers: 0,
      invalidUserIds: [],
      removed: 0,
      requests: 0,
      steps: 1,
    });
    const old = await ctx.db.query("syncRuns").order("desc").collect();
    for (const run of old.slice(KEPT_RUNS)) await ctx.db.delete(run._id);
    return { acquired: true, ...toStep((await ctx.db.get(id))!) };
  },
});

/** A scheduled continuation of the step that held `lease`: it goes on only if it still holds it. */
export const continueRun = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string() },
  returns: vStepOrNull,
  handler: async (ctx, { runId, lease }) => {
    const run = await owned(ctx, runId, lease);
    if (!run) return null;
    await ctx.db.patch(run._id, { heartbeatAt: Date.now(), steps: run.steps + 1 });
    return toStep((await ctx.db.get(run._id))!);
  },
});

/**
 * The watchdog: takes a running run over for `lease` if no step has made progress within
 * `staleAfterMs` (its step died without scheduling the next). A failed run is left alone:
 * it needs a fix (a key, a hook) and a new call, not a retry loop.
 */
export const takeOver = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string(), staleAfterMs: v.number() },
  returns: vStepOrNull,
  handler: async (ctx, { runId, lease, staleAfterMs }) => {
    const run = await ctx.db.get(runId);
    const now = Date.now();
    if (!run || run.state !== "running" || now - run.heartbeatAt < staleAfterMs) return null;
    await ctx.db.patch(run._id, { lease, heartbeatAt: now, steps: run.steps + 1 });
    return toStep((await ctx.db.get(run._id))!);
  },
});

/**
 * Writes one page of Clerk's user list and advances the run's cursor past it, in one
 * transaction: a crash resumes exactly after the last committed page. Each user goes through
 * the webhook path's `applyTo` (same ordering, tombstones and hooks), which records the
 * sighting (`resyncSeenAt`) in the same write as the row.
 * Returns null, writing nothing, if the caller no longer owns the run.
 */
export const commitPage = mutation({
  args: {
    runId: v.id("syncRuns"),
    lease: v.string(),
    /** The cursor offset this page continues from: it must still be the run's. */
    from: v.number(),
    next: vListCursor,
    /** The page was the last (shorter than the limit): the listing is complete. */
    done: v.boolean(),
    /** Storable users of the page, mapped by `userFromClerk`. */
    users: v.array(vUserFields),
    /** Ids of every user on the page, storable or not: all exist in Clerk. */
    seen: v.array(v.string()),
    /** Ids of the users on the page that could not be stored. */
    invalid: v.array(v.string()),
    /** Requests made to Clerk since the last write. */
    requests: v.number(),
    /** A function handle to the app's hooks mutation (`defineUserHooks`). */
    hooks: v.optional(v.string()),
  },
  returns: vStatusOrNull,
  handler: async (ctx, args) => {
    assertPageSize(args.users.length, args.seen.length, args.invalid.length);
    const run = await owned(ctx, args.runId, args.lease);
    if (!run) return null;
    if (run.phase !== "listing" || run.cursor.offset !== args.from) {
      throw new Error(`commitPage: run is at ${run.phase} offset ${run.cursor.offset}, the page continues from ${args.from}`);
    }
    const now = Date.now();
    const hooks = new HookEvents(args.hooks);
    // Users without a row have nowhere to record a sighting: those the last page ended with
    // (the one-user overlap) were listed already.
    const lastListed = new Set(run.cursor.boundary?.ids ?? []);
    const firstSeen = new Set<string>();
    const tally = newTally();
    const lookUp = await lookUpMany(ctx, args.seen);
    for (const user of args.users) {
      const stored = await lookUp(user.clerkId);
      const first = isFirstSighting(stored.row, user.clerkId, run.startedAt, lastListed);
      if (first) firstSeen.add(user.clerkId);
      const outcome = await applyTo(ctx, { kind: "upsert", user }, stored, hooks, now);
      // A user on two pages (the overlap) counts once, unless it changed in between.
      if (first || outcome === "created" || outcome === "updated") count(tally, outcome);
    }
    // Listed users this package cannot store: Clerk still has them, so a row stored from an
    // earlier version stays out of reconcile.
    const storable = new Set(args.users.map((user) => user.clerkId));
    for (const clerkId of new Set(args.seen)) {
      if (storable.has(clerkId)) continue;
      const { row } = await lookUp(clerkId);
      if (isFirstSighting(row, clerkId, run.startedAt, lastListed)) firstSeen.add(clerkId);
      if (row) await ctx.db.patch(row._id, { resyncSeenAt: now });
    }
    const newInvalid = args.invalid.filter((id) => firstSeen.has(id) || !args.seen.includes(id));
    await hooks.flush(ctx);
    await ctx.db.patch(run._id, {
      cursor: args.next,
      pagesDone: run.pagesDone + 1,
      usersSeen: run.usersSeen + firstSeen.size,
      ...addTally(run, tally),
      invalidUsers: run.invalidUsers + newInvalid.length,
      invalidUserIds: [...run.invalidUserIds, ...newInvalid].slice(0, KEPT_INVALID_IDS),
      requests: run.requests + args.requests,
      heartbeatAt: now,
      ...(args.done ? { phase: "reconciling" as const, unseenCursor: null } : {}),
    });
    return toStatus((await ctx.db.get(run._id))!);
  },
});

/**
 * The next users to re-check with Clerk before reconcile removes them, from at most
 * `RECONCILE_BATCH` rows. Only runs after a complete listing. They are the rows this run has not
 * seen (`resyncSeenAt` older than its start, or absent: a row only webhooks wrote), one range of
 * `by_resync_seen_at` per call, never a read per user. Rows created during the run are left out:
 * a webhook wrote them after the run started, so Clerk had them then.
 * A user missing from the listing may still exist (an offset shifted, a row written by a
 * webhook mid-pass), so nothing is removed on absence alone: the action asks Clerk by id.
 * `last` says this batch is the final one; the run completes when it is applied.
 */
export const nextCandidates = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string() },
  returns: v.union(v.null(), v.object({ candidates: v.array(v.string()), unseenCursor: v.string(), last: v.boolean() })),
  handler: async (ctx, { runId, lease }) => {
    const run = await owned(ctx, runId, lease);
    if (!run) return null;
    if (run.phase !== "reconciling") throw new Error("nextCandidates: the run's listing is not complete");
    // Re-checked rows leave this range (seen now, or deleted); the cursor steps past those left out.
    const page = await paginator(ctx.db, schema)
      .query("users")
      .withIndex("by_resync_seen_at", (q) => q.lt("resyncSeenAt", run.startedAt))
      .paginate({ cursor: run.unseenCursor ?? null, numItems: RECONCILE_BATCH });
    const candidates = page.page.filter((row) => row._creationTime <= run.existingUpTo).map((row) => row.clerkId);
    return { candidates, unseenCursor: page.continueCursor, last: page.isDone };
  },
});

/**
 * Applies what Clerk said about a batch of candidates, in one transaction: those it still has
 * are written like a page (and marked seen); those it no longer has are deleted through the
 * webhook path's `user.deleted` handling (tombstone and `onUserDeleted` hook).
 */
export const applyRecheck = mutation({
  args: {
    runId: v.id("syncRuns"),
    lease: v.string(),
    /** Storable users Clerk returned for the candidates. */
    found: v.array(vUserFields),
    /** Ids of every candidate Clerk returned, storable or not. */
    foundIds: v.array(v.string()),
    /** Candidates Clerk no longer has. */
    missing: v.array(v.string()),
    unseenCursor: v.string(),
    last: v.boolean(),
    requests: v.number(),
    /** A function handle to the app's hooks mutation (`defineUserHooks`). */
    hooks: v.optional(v.string()),
  },
  returns: vStatusOrNull,
  handler: async (ctx, args) => {
    assertPageSize(args.found.length, args.foundIds.length, args.missing.length);
    const run = await owned(ctx, args.runId, args.lease);
    if (!run) return null;
    if (run.phase !== "reconciling") throw new Error("applyRecheck: the run's listing is not complete");
    const now = Date.now();
    const hooks = new HookEvents(args.hooks);
    const tally = newTally();
    const lookUp = await lookUpMany(ctx, args.foundIds);
    for (const user of args.found) {
      const outcome = await applyTo(ctx, { kind: "upsert", user }, await lookUp(user.clerkId), hooks, now);
      if (outcome === "created" || outcome === "updated") count(tally, outcome);
    }
    const storable = new Set(args.found.map((user) => user.clerkId));
    for (const clerkId of args.foundIds) {
      if (storable.has(clerkId)) continue;
      const { row } = await lookUp(clerkId);
      if (row) await ctx.db.patch(row._id, { resyncSeenAt: now });
    }
    let removed = 0;
    for (const clerkId of args.missing) {
      if ((await applyOne(ctx, { kind: "delete", clerkId }, hooks)) === "deleted") removed++;
    }
    await hooks.flush(ctx);
    await ctx.db.patch(run._id, {
      ...addTally(run, tally),
      removed: run.removed + removed,
      requests: run.requests + args.requests,
      heartbeatAt: now,
      unseenCursor: args.unseenCursor,
      ...(args.last ? { state: "completed" as const, finishedAt: now } : {}),
    });
    return toStatus((await ctx.db.get(run._id))!);
  },
});

/** Counts requests made since the last write and records progress, e.g. before a step hands over. */
export const checkpoint = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string(), requests: v.number() },
  returns: vStatusOrNull,
  handler: async (ctx, { runId, lease, requests }) => {
    const run = await owned(ctx, runId, lease);
    if (!run) return null;
    await ctx.db.patch(run._id, { requests: run.requests + requests, heartbeatAt: Date.now() });
    return toStatus((await ctx.db.get(run._id))!);
  },
});

/** Stops the run with an error; it keeps its cursor, and the next `start` resumes it. */
export const fail = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string(), code: vSyncErrorCode, message: v.string(), requests: v.number() },
  returns: vStatusOrNull,
  handler: async (ctx, { runId, lease, code, message, requests }) => {
    const run = await owned(ctx, runId, lease);
    if (!run) return null;
    const now = Date.now();
    await ctx.db.patch(run._id, {
      state: "failed",
      finishedAt: now,
      heartbeatAt: now,
      requests: run.requests + requests,
      lastError: { code, message, at: now },
    });
    return toStatus((await ctx.db.get(run._id))!);
  },
});

function assertPageSize(...lengths: number[]) {
  // Keeps one mutation inside Convex's per-transaction limits (16,000 writes, 4,096 index reads):
  // per batch 2 index ranges of at most 2 rows per user (`lookUpMany`), and per user at most
  // 2 more index reads (ids past those ranges) and 1 write, plus what the app's hooks do.
  if (lengths.some((n) => n > MAX_PAGE_SIZE)) {
    throw new Error(`A resync batch holds at most ${MAX_PAGE_SIZE} users (Clerk's largest page), got ${Math.max(...lengths)}`);
  }
}

async function latestRun(ctx: QueryCtx) {
  return ctx.db.query("syncRuns").order("desc").first();
}

async function owned(ctx: MutationCtx, runId: Id<"syncRuns">, lease: string) {
  const run = await ctx.db.get(runId);
  return run && run.state === "running" && run.lease === lease ? run : null;
}

/**
 * Whether this run lists `clerkId` for the first time: its row was not seen since the run
 * started; without a row, it was not among the last page's final users (the overlap).
 */
function isFirstSighting(row: Doc<"users"> | null, clerkId: string, runStartedAt: number, lastListed: Set<string>) {
  if (row) return row.resyncSeenAt === undefined || row.resyncSeenAt < runStartedAt;
  return !lastListed.has(clerkId);
}

type Tally = Pick<Doc<"syncRuns">, "created" | "updated" | "unchanged" | "tombstoned">;

function newTally(): Tally {
  return { created: 0, updated: 0, unchanged: 0, tombstoned: 0 };
}

function count(tally: Tally, outcome: ApplyOutcome) {
  if (outcome === "created") tally.created++;
  else if (outcome === "updated") tally.updated++;
  else if (outcome === "duplicate" || outcome === "stale") tally.unchanged++;
  else if (outcome === "tombstoned") tally.tombstoned++;
}

function addTally(run: Doc<"syncRuns">, tally: Tally): Tally {
  return {
    created: run.created + tally.created,
    updated: run.updated + tally.updated,
    unchanged: run.unchanged + tally.unchanged,
    tombstoned: run.tombstoned + tally.tombstoned,
  };
}

function toStatus(run: Doc<"syncRuns">): SyncStatus {
  const { _id, _creationTime, lease, existingUpTo, cursor, unseenCursor, ...status } = run;
  return { runId: _id, ...status };
}

function toStep(run: Doc<"syncRuns">) {
  return { status: toStatus(run), cursor: run.cursor };
}
