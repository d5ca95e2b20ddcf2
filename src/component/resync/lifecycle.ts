import { nextRequestOffset, overlapOffset, type ListCursor } from "../../shared/paging.js";
import type { Instruction } from "../../shared/resync.js";
import type { Kind } from "../../shared/validators.js";

/**
 * A resync run's lifecycle, as pure functions: each transition takes what is stored of a run and
 * what happened, and returns the change to write (or why nothing may be written); `instructionFor`
 * says what the step holding the run does next. The component's mutations (resync.ts) read the
 * run, call these, and write what they return. The states, transitions and instructions are drawn
 * in README.md beside the component, and test/resync.lifecycle.test.ts walks each one.
 */

export type RunState = "running" | "completed" | "failed";
export type RunPhase = "listing" | "reconciling";

/** What the lifecycle reads of a stored run. */
export type RunView = {
  state: RunState;
  phase: RunPhase;
  /** The kind being listed or reconciled now, one of `kinds`. */
  kind: Kind;
  /** The kinds this run syncs, in order: an object's parents before it. */
  kinds: readonly Kind[];
  lease: string;
  heartbeatAt: number;
  steps: number;
  /** Where the listing of `kind` stands. */
  cursor: ListCursor;
  /** The part of the last committed page's span still to judge, if any. */
  span?: object;
};

/** What to write to a run. `nextKind` means: the listing of `kind` starts from the first page. */
export type RunPatch = {
  state?: RunState;
  phase?: RunPhase;
  kind?: Kind;
  lease?: string;
  heartbeatAt?: number;
  steps?: number;
  finishedAt?: number;
  nextKind?: true;
};

export type Timing = { lease: string; now: number; staleAfterMs: number };

/** Whether the step holding `lease` owns `run` (only a running run is owned). */
export function owns(run: Pick<RunView, "state" | "lease">, lease: string): boolean {
  return run.state === "running" && run.lease === lease;
}

function isStale(run: RunView, now: number, staleAfterMs: number) {
  return now - run.heartbeatAt >= staleAfterMs;
}

/**
 * A call of the action that syncs `kinds`, with the latest run:
 * - running and alive: `busy`, it is left to its owner (two resyncs never run at once);
 * - running but stale (its step died), or failed, and of the same kinds: `resume` it for this
 *   step, from its last commit;
 * - none, completed, or of other kinds (an action with other options): `new`, a run starting
 *   from the first page of its first kind.
 */
export function onStart(
  latest: RunView | null,
  { lease, now, staleAfterMs }: Timing,
  kinds: readonly Kind[],
): { kind: "busy" } | { kind: "resume"; patch: RunPatch } | { kind: "new" } {
  if (latest === null || latest.state === "completed") return { kind: "new" };
  if (latest.state === "running" && !isStale(latest, now, staleAfterMs)) return { kind: "busy" };
  if (latest.kinds.join() !== kinds.join()) return { kind: "new" };
  return { kind: "resume", patch: { state: "running", lease, heartbeatAt: now, steps: latest.steps + 1 } };
}

/** A scheduled continuation of the step that held `lease`: it goes on only if it still holds it. */
export function onContinue(run: RunView, { lease, now }: Pick<Timing, "lease" | "now">): RunPatch | null {
  return owns(run, lease) ? { heartbeatAt: now, steps: run.steps + 1 } : null;
}

/**
 * The watchdog: a running run with no progress within `staleAfterMs` is taken over for `lease`.
 * A failed run is left alone: it needs a fix and a new call, not a retry loop.
 */
export function onTakeOver(run: RunView, { lease, now, staleAfterMs }: Timing): RunPatch | null {
  if (run.state !== "running" || !isStale(run, now, staleAfterMs)) return null;
  return { lease, heartbeatAt: now, steps: run.steps + 1 };
}

/** A page (or a chunk of a page's span) was committed: once the last page's span is judged, reconcile. */
export function onListed(run: RunView, { done, spanLeft, now }: { done: boolean; spanLeft: boolean; now: number }): RunPatch {
  assertPhase(run, "listing", "a listed page");
  return { heartbeatAt: now, ...(done && !spanLeft ? { phase: "reconciling" } : {}) };
}

/**
 * A reconcile batch was applied (`last`: no candidate of the kind is left): after the last, the
 * next kind's listing starts, or the run completes.
 */
export function onReconciled(run: RunView, { last, now }: { last: boolean; now: number }): RunPatch {
  assertPhase(run, "reconciling", "a reconcile batch");
  if (!last) return { heartbeatAt: now };
  const next = run.kinds[run.kinds.indexOf(run.kind) + 1];
  if (next !== undefined) return { heartbeatAt: now, phase: "listing", kind: next, nextKind: true };
  return { heartbeatAt: now, state: "completed", finishedAt: now };
}

/** The step stopped with an error: the run keeps its place, and the next call resumes it. */
export function onFailed(run: RunView, { now }: { now: number }): RunPatch {
  if (run.state !== "running") throw new Error(`A ${run.state} run cannot fail`);
  return { state: "failed", finishedAt: now, heartbeatAt: now };
}

/** Refuses work of the wrong phase: a page after the listing ended, a recheck before it did. */
export function assertPhase(run: Pick<RunView, "state" | "phase" | "kind">, phase: RunPhase, what: string) {
  if (run.state !== "running" || run.phase !== phase) {
    throw new Error(`${what} needs a running run that is ${phase}; this one is ${run.state}, ${run.phase} ${run.kind}s`);
  }
}

export type InstructionInput = {
  /** Objects per list request: the action's `pageSize`. */
  pageSize: number;
  /** Reconciling: the kind's next candidates (none left is `onReconciled`'s `last`, written before). */
  batch?: Pick<Extract<Instruction, { op: "recheck" }>, "candidates" | "refs">;
  /** Listing: the last page handed back did not continue the listing; read it again from here. */
  rereadFrom?: number;
  /** Listing a kind per parent: the next parent to fetch the objects of (none left is `onListed`'s `done`, written before). */
  parent?: string;
  /** Listing: Clerk Billing's plans are to be synced before the kind's first page (resync/plans.ts `plansDue`). */
  plans?: boolean;
};

/**
 * What the step holding `run` does next:
 * - a run that is not running: `done`;
 * - listing with a span left to judge: `judge` (a transaction per chunk, before the next page);
 * - listing, with the plans due: `plans`, the whole list of Clerk Billing's plans at once;
 * - listing: `list` the page that continues the cursor (overlapping the last by one object, see
 *   paging.ts), or the one to read again from `rereadFrom`; `ahead` is the page after it if it
 *   comes back full, which the action may fetch meanwhile, except while a newest-first list's
 *   head is read again (`reread`): that most often ends at its first page; a kind listed per
 *   parent: `list` the next `parent`'s objects, one request;
 * - reconciling: `recheck` the kind's next candidates.
 */
export function instructionFor(run: RunView, { pageSize, batch, rereadFrom, parent, plans }: InstructionInput): Instruction {
  if (run.state !== "running") return { op: "done" };
  if (run.phase === "reconciling") {
    if (!batch || batch.refs.length === 0) throw new Error("instructionFor: a reconciling run's instruction needs its next candidates");
    return { op: "recheck", kind: run.kind, ...batch };
  }
  if (run.span) return { op: "judge" };
  if (plans) return { op: "plans", limit: pageSize };
  if (parent !== undefined) return { op: "list", kind: run.kind, offset: 0, limit: pageSize, parent };
  const offset = rereadFrom ?? nextRequestOffset(run.cursor);
  // Re-reading a newest-first list's head most often ends at its first page: nothing is fetched ahead.
  if (run.cursor.reread) return { op: "list", kind: run.kind, offset, limit: pageSize };
  return { op: "list", kind: run.kind, offset, limit: pageSize, ahead: overlapOffset(offset, pageSize) };
}
