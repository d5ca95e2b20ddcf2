import { v } from "convex/values";
import { clerkUsersError } from "../shared/errors.js";
import { MAX_PAGE_SIZE, START_CURSOR, vListCursor } from "../shared/paging.js";
import { vSyncErrorCode, vSyncStatus, type KindCounts, type SyncStatus } from "../shared/syncStatus.js";
import { KIND_ORDER, vKind, vKindRows, type ApplyOutcome, type Change, type Kind, type KindRows } from "../shared/validators.js";
import { mutation, query, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import type { Doc, Id } from "./_generated/dataModel.js";
import { applyOne, applyTo } from "./apply.js";
import { lookUpMany } from "./pageLookup.js";
import { pruneRuns } from "./prune.js";
import { HookEvents } from "./hooks.js";
import { KINDS } from "./kinds.js";
import { assertPhase, onContinue, onFailed, onListed, onReconciled, onStart, onTakeOver, owns, type RunPatch } from "./runLifecycle.js";
import { judgeWindowChunk, windowOf } from "./windows.js";

/**
 * The component's side of a resync (the action is `makeSyncUsersAction` in the app, which alone
 * holds Clerk's secret key). A run syncs its kinds in order (users; then organizations and
 * memberships if asked), each through:
 *
 *   listing: (commitPage ─▶ judgeWindow × 0..k) × N ─▶ reconciling: (nextCandidates ─▶ applyRecheck) × M
 *
 * then the next kind, then `completed`; `fail` stops it as `failed`, and `start` resumes it.
 * The transitions are pure functions (runLifecycle.ts, drawn in README.md); these mutations read
 * the run, call one, and write what it returns.
 *
 * Listing applies each page and finds the candidates for removal in its window (windows.ts);
 * reconciling asks Clerk about the candidates by id and removes those it no longer has.
 *
 * Every write carries the run's `lease`: one action step owns a run at a time, and a step that
 * lost it (another took over a stale run) gets `null` back and stops, having written nothing.
 */

/** Candidates per reconcile call; Clerk's answers about them are applied in one mutation. */
export const RECONCILE_BATCH = MAX_PAGE_SIZE;
/** Invalid ids kept in the status, to look up in Clerk's dashboard. */
const KEPT_INVALID_IDS = 10;

const vRows = vKindRows;
type Rows = KindRows;

const vStatusOrNull = v.union(vSyncStatus, v.null());
/**
 * What a step needs to work on a run it holds: its progress, where its listing stands, and
 * whether the last page's window is still being judged (`judgeWindow`, before the next page).
 */
const vStep = v.object({ status: vSyncStatus, cursor: vListCursor, windowLeft: v.boolean() });
const vStepOrNull = v.union(vStep, v.null());
/** A page or window chunk written: the run's progress, and whether its window is still being judged. */
const vProgressOrNull = v.union(v.object({ status: vSyncStatus, windowLeft: v.boolean() }), v.null());

/** The latest run's progress, or null if nothing was ever resynced. */
export const status = query({
  args: {},
  returns: vStatusOrNull,
  handler: async (ctx) => {
    const run = await latestRun(ctx);
    return run ? toStatus(run) : null;
  },
});

/**
 * Starts a run of `kinds` for the action step holding `lease`, or resumes the latest one
 * (`onStart`): a live run is left to its owner (`acquired: false`), a stale or failed one of the
 * same kinds is taken over from its last committed page, and otherwise a new run starts from the
 * first page of its first kind.
 */
export const start = mutation({
  args: { lease: v.string(), staleAfterMs: v.number(), kinds: v.optional(v.array(vKind)) },
  returns: v.object({ acquired: v.boolean(), status: vSyncStatus, cursor: vListCursor, windowLeft: v.boolean() }),
  handler: async (ctx, { lease, staleAfterMs, kinds = ["user"] }) => {
    const now = Date.now();
    const latest = await latestRun(ctx);
    const ordered = KIND_ORDER.filter((kind) => kind === KIND_ORDER[0] || kinds.includes(kind));
    const decision = onStart(latest, { lease, now, staleAfterMs }, ordered);
    if (decision.kind === "busy") return { acquired: false, ...toStep(latest!) };
    if (decision.kind === "resume") return { acquired: true, ...toStep(await write(ctx, latest!, decision.patch)) };
    const id = await ctx.db.insert("syncRuns", {
      state: "running",
      phase: "listing",
      kind: "user",
      kinds: ordered,
      lease,
      startedAt: now,
      heartbeatAt: now,
      existingUpTo: await newestCreation(ctx, "user"),
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
      ...(ordered.includes("organization") ? { organizations: emptyCounts(), memberships: emptyCounts() } : {}),
      requests: 0,
      steps: 1,
    });
    await pruneRuns(ctx);
    return { acquired: true, ...toStep((await ctx.db.get("syncRuns", id))!) };
  },
});

/** A scheduled continuation of the step that held `lease`: it goes on only if it still holds it. */
export const continueRun = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string() },
  returns: vStepOrNull,
  handler: async (ctx, { runId, lease }) => {
    const run = await ctx.db.get("syncRuns", runId);
    const patch = run && onContinue(run, { lease, now: Date.now() });
    return patch ? toStep(await write(ctx, run, patch)) : null;
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
    const run = await ctx.db.get("syncRuns", runId);
    const patch = run && onTakeOver(run, { lease, now: Date.now(), staleAfterMs });
    return patch ? toStep(await write(ctx, run, patch)) : null;
  },
});

/**
 * Writes one page of Clerk's list of the run's kind and advances the run's cursor past it, in
 * one transaction: a crash resumes exactly after the last committed page. Each row goes through
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
    /** Storable rows of the page, mapped from Clerk's JSON, of the kind being listed. */
    page: vRows,
    /** Ids of every object on the page, storable or not, in the page's order: all exist in Clerk. */
    seen: v.array(v.string()),
    /** How many of `seen`, from the start, earlier pages listed already (the overlap, or a page read again). */
    repeated: v.number(),
    /** Ids of the objects on the page that could not be stored. */
    invalid: v.array(v.string()),
    /** Requests made to Clerk since the last write. */
    requests: v.number(),
    /** A function handle to the app's hooks mutation (`defineClerkHooks`). */
    hooks: v.optional(v.string()),
  },
  returns: vProgressOrNull,
  handler: async (ctx, args) => {
    assertPageSize(args.page.rows.length, args.seen.length, args.invalid.length);
    const run = await ctx.db.get("syncRuns", args.runId);
    if (!run || !owns(run, args.lease)) return null;
    assertPhase(run, "listing", "commitPage");
    if (args.page.kind !== run.kind || run.cursor.offset !== args.from || run.window) {
      throw new Error(`commitPage: run is at ${run.kind}s offset ${run.cursor.offset}, the page (${args.page.kind}s) continues from ${args.from}`);
    }
    const hooks = new HookEvents(args.hooks, "resync");
    const firstSeen = new Set(args.seen.slice(args.repeated));
    const tally = newTally();
    // The window first, before this page writes: its rows are mostly the page's own.
    const window = await judgeWindowChunk(ctx, run, windowOf(run.cursor, args.next, args.done, args.seen));
    const lookUp = await lookUpMany(ctx, run.kind, args.seen, window.rows);
    for (const row of args.page.rows) {
      const outcome = await applyTo(ctx, upsert(args.page.kind, row), await lookUp(row.clerkId), hooks);
      // An object listed before (the overlap) counts once, unless it changed in between.
      if (firstSeen.has(row.clerkId) || outcome === "created" || outcome === "updated") count(tally, outcome);
    }
    await hooks.flush(ctx);
    const newInvalid = args.invalid.filter((id) => firstSeen.has(id));
    const counts = countsOf(run, run.kind);
    const listed = onListed(run, { done: args.done, windowLeft: window.rest !== null, now: Date.now() });
    const updated = await write(ctx, run, listed, {
      cursor: args.next,
      window: window.rest ?? undefined,
      pagesDone: run.pagesDone + 1,
      requests: run.requests + args.requests,
      ...withCounts(run.kind, {
        ...addTally(counts, tally),
        seen: counts.seen + firstSeen.size,
        invalid: counts.invalid + newInvalid.length,
        invalidIds: [...counts.invalidIds, ...newInvalid].slice(0, KEPT_INVALID_IDS),
      }),
    });
    return { status: toStatus(updated), windowLeft: updated.window !== undefined };
  },
});

/** Judges the next chunk of the last committed page's window, for the step holding `lease`. */
export const judgeWindow = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string() },
  returns: vProgressOrNull,
  handler: async (ctx, { runId, lease }) => {
    const run = await ctx.db.get("syncRuns", runId);
    if (!run || !owns(run, lease)) return null;
    if (!run.window) throw new Error("judgeWindow: the run has no window left to judge");
    const { rest } = await judgeWindowChunk(ctx, run, run.window);
    // The last page's window judged: the listing is complete.
    const updated = await write(ctx, run, onListed(run, { done: run.window.last, windowLeft: rest !== null, now: Date.now() }), { window: rest ?? undefined });
    return { status: toStatus(updated), windowLeft: updated.window !== undefined };
  },
});

/**
 * The next objects to re-check with Clerk before reconcile removes them: at most
 * `RECONCILE_BATCH` of the candidates the listing's windows found, with what each belonged to
 * (a membership's organization and user: how Clerk is asked about it). Only runs after a
 * complete listing. An object missing from the listing may still exist (a webhook wrote its row
 * mid-pass, a listing missed it), so nothing is removed on absence alone: the action asks Clerk.
 * `last` says this batch is the final one of the run's kind.
 */
export const nextCandidates = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string() },
  returns: v.union(
    v.null(),
    v.object({ kind: vKind, candidates: v.array(v.string()), belongsTo: v.array(v.record(v.string(), v.string())), last: v.boolean() }),
  ),
  handler: async (ctx, { runId, lease }) => {
    const run = await ctx.db.get("syncRuns", runId);
    if (!run || !owns(run, lease)) return null;
    assertPhase(run, "reconciling", "nextCandidates");
    const batch = await candidateBatch(ctx, run._id);
    const unique = new Map(batch.slice(0, RECONCILE_BATCH).map((candidate) => [candidate.clerkId, candidate.belongsTo ?? {}]));
    return { kind: run.kind, candidates: [...unique.keys()], belongsTo: [...unique.values()], last: batch.length <= RECONCILE_BATCH };
  },
});

/**
 * Applies what Clerk said about a batch of candidates, in one transaction: those it still has
 * are written like a page; those it no longer has are deleted through the webhook path's
 * deletion (tombstone, cascade, hooks). After the last batch the next kind's listing starts,
 * or the run completes.
 */
export const applyRecheck = mutation({
  args: {
    runId: v.id("syncRuns"),
    lease: v.string(),
    /** Storable rows Clerk returned for the candidates. */
    found: vRows,
    /** Ids of every candidate Clerk returned, storable or not. */
    foundIds: v.array(v.string()),
    /** Candidates Clerk no longer has. */
    missing: v.array(v.string()),
    last: v.boolean(),
    requests: v.number(),
    /** Remove however many Clerk no longer has (see `MASS_REMOVAL_FLOOR`). */
    allowMassRemoval: v.optional(v.boolean()),
    /** A function handle to the app's hooks mutation (`defineClerkHooks`). */
    hooks: v.optional(v.string()),
  },
  returns: vStatusOrNull,
  handler: async (ctx, args) => {
    assertPageSize(args.found.rows.length, args.foundIds.length, args.missing.length);
    const run = await ctx.db.get("syncRuns", args.runId);
    if (!run || !owns(run, args.lease)) return null;
    assertPhase(run, "reconciling", "applyRecheck");
    if (args.found.kind !== run.kind) throw new Error(`applyRecheck: the run reconciles ${run.kind}s, not ${args.found.kind}s`);
    const counts = countsOf(run, run.kind);
    assertFewRemovals(run.kind, counts, args.missing.length, args.allowMassRemoval ?? false);
    const hooks = new HookEvents(args.hooks, "resync");
    const tally = newTally();
    const lookUp = await lookUpMany(ctx, run.kind, args.foundIds);
    for (const row of args.found.rows) {
      const outcome = await applyTo(ctx, upsert(args.found.kind, row), await lookUp(row.clerkId), hooks);
      if (outcome === "created" || outcome === "updated") count(tally, outcome);
    }
    let removed = 0;
    for (const clerkId of args.missing) {
      if ((await applyOne(ctx, { kind: run.kind, op: "delete", clerkId }, hooks)) === "deleted") removed++;
    }
    await hooks.flush(ctx);
    // The batch is answered: its candidates (the first of the run's, as nextCandidates read them) go.
    const answered = new Set([...args.foundIds, ...args.missing]);
    for (const candidate of (await candidateBatch(ctx, run._id)).slice(0, RECONCILE_BATCH)) {
      if (answered.has(candidate.clerkId)) await ctx.db.delete("resyncCandidates", candidate._id);
    }
    const now = Date.now();
    const reconciled = onReconciled(run, { last: args.last, now });
    const updated = await write(ctx, run, reconciled, {
      requests: run.requests + args.requests,
      ...withCounts(run.kind, { ...addTally(counts, tally), removed: counts.removed + removed }),
      // The next kind's listing starts from its first page, judging rows that existed at its start.
      ...(reconciled.nextKind ? { cursor: START_CURSOR, window: undefined, existingUpTo: await newestCreation(ctx, reconciled.kind!) } : {}),
    });
    return toStatus(updated);
  },
});

/** Counts requests made since the last write and records progress, e.g. before a step hands over. */
export const checkpoint = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string(), requests: v.number() },
  returns: vStatusOrNull,
  handler: async (ctx, { runId, lease, requests }) => {
    const run = await ctx.db.get("syncRuns", runId);
    if (!run || !owns(run, lease)) return null;
    return toStatus(await write(ctx, run, { heartbeatAt: Date.now() }, { requests: run.requests + requests }));
  },
});

/** Stops the run with an error; it keeps its cursor, and the next `start` resumes it. */
export const fail = mutation({
  args: { runId: v.id("syncRuns"), lease: v.string(), code: vSyncErrorCode, message: v.string(), requests: v.number() },
  returns: vStatusOrNull,
  handler: async (ctx, { runId, lease, code, message, requests }) => {
    const run = await ctx.db.get("syncRuns", runId);
    if (!run || !owns(run, lease)) return null;
    const now = Date.now();
    return toStatus(await write(ctx, run, onFailed(run, { now }), { requests: run.requests + requests, lastError: { code, message, at: now } }));
  },
});

/** Removals a pass may always make, however few objects it found still in Clerk. */
export const MASS_REMOVAL_FLOOR = 10;

/**
 * Refuses, before a single one is removed, to remove more objects of a kind than the pass found
 * still in Clerk (and more than `MASS_REMOVAL_FLOOR`). A secret key of another Clerk instance
 * (a development key on production) lists none of the stored users and would remove them all,
 * and a removal is final: their tombstones would ignore Clerk's later events about them.
 */
function assertFewRemovals(kind: Kind, counts: KindCounts, missing: number, allowMassRemoval: boolean) {
  const stillInClerk = counts.unchanged + counts.updated;
  const removals = counts.removed + missing;
  if (allowMassRemoval || removals <= Math.max(MASS_REMOVAL_FLOOR, stillInClerk)) return;
  throw clerkUsersError(
    "TOO_MANY_REMOVALS",
    `Reconcile stopped before removing ${removals} ${kind}s Clerk says it no longer has: this pass found only ${stillInClerk} of the stored ${kind}s in Clerk. ` +
      `Check that CLERK_SECRET_KEY is the secret key of this app's Clerk instance. If Clerk really deleted them, run a sync made with { allowMassRemoval: true }.`,
  );
}

function assertPageSize(...lengths: number[]) {
  // Keeps one mutation inside Convex's per-transaction limits (16,000 writes, 4,096 index reads):
  // per batch a window chunk of at most 500 rows and 2 index ranges of at most 2 rows per object
  // (`lookUpMany`), per object at most a few more index reads (ids past those ranges, a
  // membership's parents) and 1 write (the row, or a candidate), plus what the app's hooks do.
  if (lengths.some((n) => n > MAX_PAGE_SIZE)) {
    throw new Error(`A resync batch holds at most ${MAX_PAGE_SIZE} objects (Clerk's largest page), got ${Math.max(...lengths)}`);
  }
}

function upsert(kind: Rows["kind"], row: Rows["rows"][number]): Change {
  return { kind, op: "upsert", row } as Change;
}

/** The run's first candidates: a batch, and one more to tell whether it is the last. */
function candidateBatch(ctx: MutationCtx, runId: Id<"syncRuns">) {
  return ctx.db
    .query("resyncCandidates")
    .withIndex("by_run", (q) => q.eq("runId", runId))
    .take(RECONCILE_BATCH + 1);
}

/** `_creationTime` of the newest row of `kind`: rows written after it are newer than the listing. */
async function newestCreation(ctx: QueryCtx, kind: Kind) {
  const newest = await ctx.db.query(KINDS[kind].table).order("desc").first();
  return newest?._creationTime ?? 0;
}

/** Writes a lifecycle transition and the step's own fields, and returns the run as written. */
async function write(ctx: MutationCtx, run: Doc<"syncRuns">, transition: RunPatch, fields: Partial<Doc<"syncRuns">> = {}) {
  const { nextKind: _nextKind, ...lifecycle } = transition;
  await ctx.db.patch("syncRuns", run._id, { ...lifecycle, ...fields });
  return (await ctx.db.get("syncRuns", run._id))!;
}

async function latestRun(ctx: QueryCtx) {
  return ctx.db.query("syncRuns").order("desc").first();
}

type Tally = Pick<KindCounts, "created" | "updated" | "unchanged" | "tombstoned">;

function newTally(): Tally {
  return { created: 0, updated: 0, unchanged: 0, tombstoned: 0 };
}

function emptyCounts(): KindCounts {
  return { seen: 0, ...newTally(), invalid: 0, invalidIds: [], removed: 0 };
}

function count(tally: Tally, outcome: ApplyOutcome) {
  if (outcome === "created") tally.created++;
  else if (outcome === "updated") tally.updated++;
  else if (outcome === "duplicate" || outcome === "stale") tally.unchanged++;
  else if (outcome === "tombstoned") tally.tombstoned++;
}

function addTally(counts: KindCounts, tally: Tally): KindCounts {
  return {
    ...counts,
    created: counts.created + tally.created,
    updated: counts.updated + tally.updated,
    unchanged: counts.unchanged + tally.unchanged,
    tombstoned: counts.tombstoned + tally.tombstoned,
  };
}

/** A kind's counts in a run: the users' are the status's own fields, for a users-only sync's sake. */
function countsOf(run: Doc<"syncRuns">, kind: Kind): KindCounts {
  if (kind === "user") {
    const { usersSeen: seen, created, updated, unchanged, tombstoned, invalidUsers: invalid, invalidUserIds: invalidIds, removed } = run;
    return { seen, created, updated, unchanged, tombstoned, invalid, invalidIds, removed };
  }
  return (kind === "organization" ? run.organizations : run.memberships) ?? emptyCounts();
}

function withCounts(kind: Kind, counts: KindCounts): Partial<Doc<"syncRuns">> {
  if (kind === "organization") return { organizations: counts };
  if (kind === "membership") return { memberships: counts };
  const { seen, invalid, invalidIds, ...rest } = counts;
  return { ...rest, usersSeen: seen, invalidUsers: invalid, invalidUserIds: invalidIds };
}

function toStatus(run: Doc<"syncRuns">): SyncStatus {
  const { _id, _creationTime, lease, existingUpTo, cursor, window, ...status } = run;
  return { runId: _id, ...status };
}

function toStep(run: Doc<"syncRuns">) {
  return { status: toStatus(run), cursor: run.cursor, windowLeft: run.window !== undefined };
}
