import { ConvexError, v } from "convex/values";
import { MAX_PAGE_SIZE, START_CURSOR, vListCursor } from "../shared/paging.js";
import { vSyncErrorCode, vSyncStatus, type SyncStatus } from "../shared/syncStatus.js";
import { vUserFields, type ApplyOutcome } from "../shared/validators.js";
import { mutation, query, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import type { Doc, Id } from "./_generated/dataModel.js";
import { applyOne, applyTo } from "./apply.js";
import { lookUpMany } from "./pageLookup.js";
import { HookEvents } from "./hooks.js";
import { judgeWindowChunk, windowOf } from "./windows.js";

/**
 * The component's side of a resync (the action is `makeSyncUsersAction` in the app, which alone
 * holds Clerk's secret key). A run moves through:
 *
 *   start ─▶ listing: (commitPage ─▶ judgeWindow × 0..k) × N ─▶ reconciling: (nextCandidates ─▶ applyRecheck) × M ─▶ completed
 *                  └───────────────────── fail ─▶ failed ─▶ start resumes it ─┘
 *
 * Listing applies each page and finds the candidates for removal in its window (windows.ts);
 * reconciling asks Clerk about the candidates by id and removes those it no longer has.
 *
 * Every write carries the run's `lease`: one action step owns a run at a time, and a step that
 * lost it (another took over a stale run) gets `null` back and stops, having written nothing.
 */

/** Runs kept for the status history; older ones are deleted when a run starts. */
export const KEPT_RUNS = 10;
/** Candidates per reconcile call; Clerk's answers about them are applied in one mutation. */
export const RECONCILE_BATCH = MAX_PAGE_SIZE;
/** Invalid user ids kept in the status, to look up in Clerk's dashboard. */
const KEPT_INVALID_IDS = 10;

const vStatusOrNull = v.union(vSyncStatus, v.null());
/**
 * What a step needs to work on a run it holds: its progress, where its listing stands, and
 * whether the last page's window is still being judged (`judgeWindow`, before the next page).
 */
const vStep = v.object({ status: vSyncStatus, cursor: vListCursor, windowLeft: v.boolean() });
const vStepOrNull = v.union(vStep, v.null());
/** A page or window chunk written: the run's progress, and whether its window is still being judged. */
const vProgressOrNull = v.union(v.object({ status: vSyncStatus, windowLeft: v.boolean() }), v.null());

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
  returns: v.object({ acquired: v.boolean(), status: vSyncStatus, cursor: vListCursor, windowLeft: v.boolean() }),
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
 * the webhook path's `applyTo` (same ordering, tombstones and hooks); rows it leaves unchanged
 * are not written. The page's window (windows.ts) starts being judged in the same transaction.
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
    /** Ids of every user on the page, storable or not, in the page's order: all exist in Clerk. */
    seen: v.array(v.string()),
    /** How many of `seen`, from the start, earlier pages listed already (the overlap, or a page read again). */
    repeated: v.number(),
    /** Ids of the users on the page that could not be stored. */
    invalid: v.array(v.string()),
    /** Requests made to Clerk since the last write. */
    requests: v.number(),
    /** A function handle to the app's hooks mutation (`defineUserHooks`). */
    hooks: v.optional(v.string()),
  },
  returns: vProgressOrNull,
  handler: async (ctx, args) => {
    assertPageSize(args.users.length, args.seen.length, args.invalid.length);
    const run = await owned(ctx, args.runId, args.lease);
    if (!run) return null;
    if (run.phase !== "listing" || run.cursor.offset !== args.from || run.window) {
      throw new Error(`commitPage: run is at ${run.phase} offset ${run.cursor.offset}, the page continues from ${args.from}`);
    }
    const hooks = new HookEvents(args.hooks, "resync");
    const firstSeen = new Set(args.seen.slice(args.repeated));
    const tally = newTally();
    // The window first, before this page writes: its rows are mostly the page's own.
    const window = await judgeWindowChunk(ctx, run, windowOf(run.cursor, args.next, args.done, args.seen));
    const lookUp = await lookUpMany(ctx, args.seen, window.rows);
    for (const user of args.users) {
      const outcome = await applyTo(ctx, { kind: "user", op: "upsert", row: user }, await lookUp(user.clerkId), hooks);
      // A user listed before (the overlap) counts once, unless it changed in between.
      if (firstSeen.has(user.clerkId) || outcome === "created" || outcome === "updated") count(tally, outcome);
    }
    await hooks.flush(ctx);
    const newInvalid = args.invalid.filter((id) => firstSeen.has(id));
    await ctx.db.patch(run._id, {
      cursor: args.next,
      window: window.rest ?? undefined,
      pagesDone: run.pagesDone + 1,
      usersSeen: run.usersSeen + firstSeen.size,
      ...addTally(run, tally),
      invalidUsers: run.invalidUsers + newInvalid.length,
      invalidUserIds: [...run.invalidUserIds, ...newInvalid].slice(0, KEPT_INVALID_IDS),
      requests: run.requests + args.requests,
      heartbeatAt: Date.now(),
      ...(args.done && !window.rest ? { phase: "reconciling" as const } : {}),
    });
    return progress(ctx, run._id);
  },
});

/** Judges the next chunk of the last committed page's window, for the step holding `lease`. */
export const judgeWindow = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string() },
  returns: vProgressOrNull,
  handler: async (ctx, { runId, lease }) => {
    const run = await owned(ctx, runId, lease);
    if (!run) return null;
    if (!run.window) throw new Error("judgeWindow: the run has no window left to judge");
    const { rest } = await judgeWindowChunk(ctx, run, run.window);
    await ctx.db.patch(run._id, {
      window: rest ?? undefined,
      heartbeatAt: Date.now(),
      // The last page's window judged: the listing is complete.
      ...(run.window.last && !rest ? { phase: "reconciling" as const } : {}),
    });
    return progress(ctx, run._id);
  },
});

/**
 * The next users to re-check with Clerk before reconcile removes them: at most
 * `RECONCILE_BATCH` of the candidates the listing's windows found. Only runs after a complete
 * listing. A user missing from the listing may still exist (a webhook wrote its row mid-pass,
 * a listing missed it), so nothing is removed on absence alone: the action asks Clerk by id.
 * `last` says this batch is the final one; the run completes when it is applied.
 */
export const nextCandidates = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string() },
  returns: v.union(v.null(), v.object({ candidates: v.array(v.string()), last: v.boolean() })),
  handler: async (ctx, { runId, lease }) => {
    const run = await owned(ctx, runId, lease);
    if (!run) return null;
    if (run.phase !== "reconciling") throw new Error("nextCandidates: the run's listing is not complete");
    const batch = await candidateBatch(ctx, run._id);
    const candidates = [...new Set(batch.slice(0, RECONCILE_BATCH).map((candidate) => candidate.clerkId))];
    return { candidates, last: batch.length <= RECONCILE_BATCH };
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
    last: v.boolean(),
    requests: v.number(),
    /** Remove however many Clerk no longer has (see `MASS_REMOVAL_FLOOR`). */
    allowMassRemoval: v.optional(v.boolean()),
    /** A function handle to the app's hooks mutation (`defineUserHooks`). */
    hooks: v.optional(v.string()),
  },
  returns: vStatusOrNull,
  handler: async (ctx, args) => {
    assertPageSize(args.found.length, args.foundIds.length, args.missing.length);
    const run = await owned(ctx, args.runId, args.lease);
    if (!run) return null;
    if (run.phase !== "reconciling") throw new Error("applyRecheck: the run's listing is not complete");
    assertFewRemovals(run, args.missing.length, args.allowMassRemoval ?? false);
    const now = Date.now();
    const hooks = new HookEvents(args.hooks, "resync");
    const tally = newTally();
    const lookUp = await lookUpMany(ctx, args.foundIds);
    for (const user of args.found) {
      const outcome = await applyTo(ctx, { kind: "user", op: "upsert", row: user }, await lookUp(user.clerkId), hooks);
      if (outcome === "created" || outcome === "updated") count(tally, outcome);
    }
    let removed = 0;
    for (const clerkId of args.missing) {
      if ((await applyOne(ctx, { kind: "user", op: "delete", clerkId }, hooks)) === "deleted") removed++;
    }
    await hooks.flush(ctx);
    // The batch is answered: its candidates (the first of the run's, as nextCandidates read them) go.
    const answered = new Set([...args.foundIds, ...args.missing]);
    for (const candidate of (await candidateBatch(ctx, run._id)).slice(0, RECONCILE_BATCH)) {
      if (answered.has(candidate.clerkId)) await ctx.db.delete(candidate._id);
    }
    await ctx.db.patch(run._id, {
      ...addTally(run, tally),
      removed: run.removed + removed,
      requests: run.requests + args.requests,
      heartbeatAt: now,
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

/** Removals a pass may always make, however few users it found still in Clerk. */
export const MASS_REMOVAL_FLOOR = 10;

/**
 * Refuses, before a single one is removed, to remove more users than the pass found still in
 * Clerk (and more than `MASS_REMOVAL_FLOOR`). A secret key of another Clerk instance (a
 * development key on production) lists none of the stored users and would remove them all,
 * and a removal is final: their tombstones would ignore Clerk's later events about them.
 */
function assertFewRemovals(run: Doc<"syncRuns">, missing: number, allowMassRemoval: boolean) {
  const stillInClerk = run.unchanged + run.updated;
  const removals = run.removed + missing;
  if (allowMassRemoval || removals <= Math.max(MASS_REMOVAL_FLOOR, stillInClerk)) return;
  throw new ConvexError({
    code: "TOO_MANY_REMOVALS" as const,
    message:
      `Reconcile stopped before removing ${removals} users Clerk says it no longer has: this pass found only ${stillInClerk} of the stored users in Clerk. ` +
      `Check that CLERK_SECRET_KEY is the secret key of this app's Clerk instance. If Clerk really deleted them, run a sync made with { allowMassRemoval: true }.`,
  });
}

function assertPageSize(...lengths: number[]) {
  // Keeps one mutation inside Convex's per-transaction limits (16,000 writes, 4,096 index reads):
  // per batch a window chunk of at most 500 rows and 2 index ranges of at most 2 rows per user
  // (`lookUpMany`), per user at most 2 more index reads (ids past those ranges) and 1 write
  // (the row, or a candidate), plus what the app's hooks do.
  if (lengths.some((n) => n > MAX_PAGE_SIZE)) {
    throw new Error(`A resync batch holds at most ${MAX_PAGE_SIZE} users (Clerk's largest page), got ${Math.max(...lengths)}`);
  }
}

/** The run's first candidates: a batch, and one more to tell whether it is the last. */
function candidateBatch(ctx: MutationCtx, runId: Id<"syncRuns">) {
  return ctx.db
    .query("resyncCandidates")
    .withIndex("by_run", (q) => q.eq("runId", runId))
    .take(RECONCILE_BATCH + 1);
}

async function progress(ctx: MutationCtx, runId: Id<"syncRuns">) {
  const run = (await ctx.db.get(runId))!;
  return { status: toStatus(run), windowLeft: run.window !== undefined };
}

async function latestRun(ctx: QueryCtx) {
  return ctx.db.query("syncRuns").order("desc").first();
}

async function owned(ctx: MutationCtx, runId: Id<"syncRuns">, lease: string) {
  const run = await ctx.db.get(runId);
  return run && run.state === "running" && run.lease === lease ? run : null;
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
  const { _id, _creationTime, lease, existingUpTo, cursor, window, ...status } = run;
  return { runId: _id, ...status };
}

function toStep(run: Doc<"syncRuns">) {
  return { status: toStatus(run), cursor: run.cursor, windowLeft: run.window !== undefined };
}
