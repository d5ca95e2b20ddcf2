import { v } from "convex/values";
import { CLERK_MAX_PAGE_SIZE } from "../shared/paging.js";
import { vHandback, vPayerResyncResult, vResyncErrorCode, vResyncStatus, vStep, type Step } from "../shared/resync.js";
import { apiOf } from "../shared/kinds/registry.js";
import { vKind } from "../shared/validators.js";
import { mutation, query, type MutationCtx } from "./_generated/server.js";
import { HookEvents } from "./hooks.js";
import { KINDS } from "./kinds.js";
import { assertPhase, instructionFor, onContinue, onFailed, onListed, onReconciled, onStart, onTakeOver, owns } from "./resync/lifecycle.js";
import { commitPage, judgeSpan, nextParent } from "./resync/listing.js";
import { applyPayerItems, vPayerAnswer } from "./resync/payer.js";
import { plansDue, replacePlans } from "./resync/plans.js";
import { applyRecheck, nextCandidates } from "./resync/reconcile.js";
import { insertRun, latestRun, runKinds, toStatus, write, type RunDoc } from "./resync/runs.js";

/**
 * The resync's entry points. The component drives a run; the app's action (`makeResyncAction`,
 * which alone holds Clerk's secret key) asks what to fetch, fetches it, and hands it back:
 *
 *   start ─▶ { next } ─▶ the action carries it out ─▶ advance(handback) ─▶ { next } ─▶ … ─▶ done
 *
 * Every answer is a `Step`: the run's status and the next instruction (`list` a page, `recheck`
 * candidates, `judge` the rest of a span, `done`), which `instructionFor` (resync/lifecycle.ts)
 * derives from the run. The stages are resync/listing.ts (pages and their spans), reconcile.ts
 * (candidates re-checked, removals), plans.ts (Clerk Billing's catalog, replaced whole) and
 * counts.ts; the transitions are pure (lifecycle.ts, drawn in README.md).
 *
 * Every write carries the run's `lease`: one action step owns a run at a time, and a step that
 * lost it (another took over a stale run) gets `null` back and stops, having written nothing.
 */

const vStepOrNull = v.union(vStep, v.null());
/** Objects per list request (the action's `pageSize`); Clerk's largest page by default. */
const vPageSize = v.optional(v.number());

/** The latest run's progress, or null if nothing was ever resynced. */
export const status = query({
  args: {},
  returns: v.union(vResyncStatus, v.null()),
  handler: async (ctx) => {
    const run = await latestRun(ctx);
    return run ? toStatus(run) : null;
  },
});

/**
 * Starts a run of `kinds` for the action step holding `lease`, or resumes the latest one
 * (`onStart`): a live run is left to its owner (`acquired: false`, its status only), a stale or
 * failed one of the same kinds is taken over from its last committed page, and otherwise a new
 * run starts from the first page of its first kind.
 */
export const start = mutation({
  args: { lease: v.string(), staleAfterMs: v.number(), kinds: v.optional(v.array(vKind)), pageSize: vPageSize },
  returns: v.union(v.object({ acquired: v.literal(true), step: vStep }), v.object({ acquired: v.literal(false), status: vResyncStatus })),
  handler: async (ctx, { lease, staleAfterMs, kinds = [], pageSize }) => {
    const now = Date.now();
    const latest = await latestRun(ctx);
    const ordered = runKinds(kinds);
    const decision = onStart(latest, { lease, now, staleAfterMs }, ordered);
    if (decision.kind === "busy") return { acquired: false as const, status: toStatus(latest!) };
    const run = decision.kind === "resume" ? await write(ctx, latest!, decision.patch) : await insertRun(ctx, ordered, lease, now);
    return { acquired: true as const, step: await stepOf(ctx, run, pageSize) };
  },
});

/** A scheduled continuation of the step that held `lease`: it goes on only if it still holds it. */
export const resume = mutation({
  args: { runId: v.id("resyncRuns"), lease: v.string(), pageSize: vPageSize },
  returns: vStepOrNull,
  handler: async (ctx, { runId, lease, pageSize }) => {
    const run = await ctx.db.get("resyncRuns", runId);
    const patch = run && onContinue(run, { lease, now: Date.now() });
    return patch ? stepOf(ctx, await write(ctx, run, patch), pageSize) : null;
  },
});

/**
 * The watchdog: takes a running run over for `lease` if no step has made progress within
 * `staleAfterMs` (its step died without scheduling the next). A failed run is left alone:
 * it needs a fix (a key, a hook) and a new call, not a retry loop.
 */
export const takeOver = mutation({
  args: { runId: v.id("resyncRuns"), lease: v.string(), staleAfterMs: v.number(), pageSize: vPageSize },
  returns: vStepOrNull,
  handler: async (ctx, { runId, lease, staleAfterMs, pageSize }) => {
    const run = await ctx.db.get("resyncRuns", runId);
    const patch = run && onTakeOver(run, { lease, now: Date.now(), staleAfterMs });
    return patch ? stepOf(ctx, await write(ctx, run, patch), pageSize) : null;
  },
});

/**
 * Applies what the action hands back for the last instruction, in one transaction, and answers
 * the next: a page is committed (listing.ts), a span chunk judged, a batch of candidates'
 * answers applied (reconcile.ts). Returns null, writing nothing, if the caller no longer owns the run.
 */
export const advance = mutation({
  args: {
    runId: v.id("resyncRuns"),
    lease: v.string(),
    handback: vHandback,
    /** Requests made to Clerk since the last write. */
    requests: v.number(),
    pageSize: vPageSize,
    /** A function handle to the app's hooks mutation (`defineClerkHooks`). */
    hooks: v.optional(v.string()),
    /** Remove however many objects Clerk no longer has (see `MASS_REMOVAL_FLOOR`). */
    allowMassRemoval: v.optional(v.boolean()),
  },
  returns: vStepOrNull,
  handler: async (ctx, { runId, lease, handback, requests, pageSize, hooks: handle, allowMassRemoval = false }) => {
    const run = await ctx.db.get("resyncRuns", runId);
    if (!run || !owns(run, lease)) return null;
    const fields = { requests: run.requests + requests };
    const hooks = new HookEvents(handle, "resync");
    switch (handback.op) {
      case "list": {
        assertPhase(run, "listing", "a page");
        const committed = await commitPage(ctx, run, handback, hooks, fields);
        return stepOf(ctx, committed.run, pageSize, committed.rereadFrom);
      }
      case "judge":
        assertPhase(run, "listing", "judging a span");
        return stepOf(ctx, await judgeSpan(ctx, run, fields), pageSize);
      case "recheck":
        assertPhase(run, "reconciling", "a recheck");
        return stepOf(ctx, await applyRecheck(ctx, run, handback, { hooks, allowMassRemoval }, fields), pageSize);
      case "plans":
        assertPhase(run, "listing", "the plans");
        return stepOf(ctx, await replacePlans(ctx, run, handback, fields), pageSize);
    }
  },
});

/** Counts requests made since the last write and records progress, before a step hands over to the next. */
export const handOver = mutation({
  args: { runId: v.id("resyncRuns"), lease: v.string(), requests: v.number() },
  returns: v.union(vResyncStatus, v.null()),
  handler: async (ctx, { runId, lease, requests }) => {
    const run = await ctx.db.get("resyncRuns", runId);
    if (!run || !owns(run, lease)) return null;
    return toStatus(await write(ctx, run, { heartbeatAt: Date.now() }, { requests: run.requests + requests }));
  },
});

/** Stops the run with an error; it keeps its cursor, and the next `start` resumes it. */
export const fail = mutation({
  args: { runId: v.id("resyncRuns"), lease: v.string(), code: vResyncErrorCode, message: v.string(), requests: v.number() },
  returns: v.union(vResyncStatus, v.null()),
  handler: async (ctx, { runId, lease, code, message, requests }) => {
    const run = await ctx.db.get("resyncRuns", runId);
    if (!run || !owns(run, lease)) return null;
    const now = Date.now();
    return toStatus(await write(ctx, run, onFailed(run, { now }), { requests: run.requests + requests, lastError: { code, message, at: now } }));
  },
});

/**
 * One payer's refresh (the client's `resyncPayer`), outside any run: the items of the subscription
 * Clerk answered for it, applied in one transaction through the ordering rules and the app's hooks
 * (source `resync`). Nothing is removed (resync/payer.ts).
 */
export const applyPayer = mutation({
  args: {
    ...vPayerAnswer.fields,
    /** A function handle to the app's hooks mutation (`defineClerkHooks`). */
    hooks: v.optional(v.string()),
  },
  returns: vPayerResyncResult,
  handler: async (ctx, { hooks, ...answer }) => applyPayerItems(ctx, answer, new HookEvents(hooks, "resync")),
});

/**
 * The run's status and its next instruction. A reconciling kind with no candidate left is done
 * with (`onReconciled`): the next kind's listing starts, or the run completes, in this transaction;
 * so is a kind listed per parent with no parent left to ask about (`onListed`): it is reconciled.
 * A run's first billing kind starts with Clerk Billing's plans (`plansDue`).
 */
async function stepOf(ctx: MutationCtx, run: RunDoc, pageSize = CLERK_MAX_PAGE_SIZE, rereadFrom?: number): Promise<Step> {
  for (;;) {
    if (plansDue(run)) return { status: toStatus(run), next: instructionFor(run, { pageSize, plans: true }) };
    if (run.state === "running" && run.phase === "listing" && !run.span && apiOf(KINDS[run.kind]).order.by === "perParent") {
      // Listed per parent: the next stored parent, or, with none left, the listing is complete.
      const parent = await nextParent(ctx, run);
      if (parent !== null) return { status: toStatus(run), next: instructionFor(run, { pageSize, parent }) };
      run = await write(ctx, run, onListed(run, { done: true, spanLeft: false, now: Date.now() }));
      continue;
    }
    if (run.state !== "running" || run.phase !== "reconciling") return { status: toStatus(run), next: instructionFor(run, { pageSize, rereadFrom }) };
    const batch = await nextCandidates(ctx, run._id);
    if (batch.refs.length > 0) return { status: toStatus(run), next: instructionFor(run, { pageSize, batch }) };
    run = await write(ctx, run, onReconciled(run, { last: true, now: Date.now() }));
  }
}
