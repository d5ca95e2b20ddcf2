import type { Kind } from "../shared/validators.js";

/**
 * A resync run's lifecycle, as pure transitions: each takes what is stored of a run and what
 * happened, and returns the change to write (or why nothing may be written). The mutations in
 * backfill.ts only read the run, call one of these, and write what it returns. The states and
 * their transitions are drawn in README.md beside this file.
 */

export type RunState = "running" | "completed" | "failed";
export type RunPhase = "listing" | "reconciling";

/** What the lifecycle reads of a stored run. */
export type RunView = {
  state: RunState;
  phase: RunPhase;
  /** The kind being listed or reconciled now, one of `kinds`. */
  kind: Kind;
  /** The kinds this run syncs, in order: users first, then organizations, then memberships. */
  kinds: readonly Kind[];
  lease: string;
  heartbeatAt: number;
  steps: number;
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
export function owns(run: RunView, lease: string): boolean {
  return run.state === "running" && run.lease === lease;
}

function isStale(run: RunView, now: number, staleAfterMs: number) {
  return now - run.heartbeatAt >= staleAfterMs;
}

/**
 * A call of the action that syncs `kinds`, with the latest run:
 * - running and alive: `busy`, it is left to its owner (two syncs never run at once);
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

/** A page (or the last chunk of a page's window) was committed: once the last is judged, reconcile. */
export function onListed(run: RunView, { done, windowLeft, now }: { done: boolean; windowLeft: boolean; now: number }): RunPatch {
  assertPhase(run, "listing", "a listed page");
  return { heartbeatAt: now, ...(done && !windowLeft ? { phase: "reconciling" } : {}) };
}

/** A reconcile batch was applied: after the last, the next kind's listing starts, or the run completes. */
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
export function assertPhase(run: RunView, phase: RunPhase, what: string) {
  if (run.state !== "running" || run.phase !== phase) {
    throw new Error(`${what} needs a running run that is ${phase}; this one is ${run.state}, ${run.phase} ${run.kind}s`);
  }
}
