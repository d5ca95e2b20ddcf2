import { clerkUsersError } from "../../shared/errors.js";
import type { Handback, Instruction, KindCounts } from "../../shared/resync.js";
import type { Kind } from "../../shared/validators.js";
import type { Id } from "../_generated/dataModel.js";
import type { MutationCtx, QueryCtx } from "../_generated/server.js";
import { applyOne, applyTo } from "../apply.js";
import type { HookEvents } from "../hooks.js";
import { addTally, count, countsOf, newTally, withCounts } from "./counts.js";
import { onReconciled } from "./lifecycle.js";
import { upsert } from "./listing.js";
import { lookUpMany } from "./pageLookup.js";
import { LIMITS } from "../limits.js";
import { assertBatchSize, write, type RunDoc } from "./runs.js";

/**
 * Reconcile: after a complete listing of a kind, the candidates its spans found are asked about by
 * id, a batch at a time, and only those Clerk no longer has are removed. An object missing from
 * the listing may still exist (a webhook wrote its row mid-pass, a listing missed it), so nothing
 * is removed on absence alone.
 */

/** Removals a pass may always make, however few objects it found still in Clerk. */
export const MASS_REMOVAL_FLOOR = 10;

type Batch = Pick<Extract<Instruction, { op: "recheck" }>, "candidates" | "refs">;

/**
 * The run's next candidates, with what each belonged to (how Clerk is asked about it), and the
 * references to them the answer hands back; none once every candidate of the kind was answered.
 */
export async function nextCandidates(ctx: QueryCtx, runId: Id<"resyncRuns">): Promise<Batch> {
  const batch = await ctx.db
    .query("resyncCandidates")
    .withIndex("by_run", (q) => q.eq("runId", runId))
    .take(LIMITS.resyncBatch);
  // A row judged twice (a span judged again after a crash) is asked about once.
  const unique = new Map(batch.map(({ clerkId, belongsTo }) => [clerkId, belongsTo ? { clerkId, belongsTo } : { clerkId }]));
  return { candidates: [...unique.values()], refs: batch.map((candidate) => candidate._id) };
}

/**
 * Applies what Clerk said about a batch of candidates, in one transaction: those it still has are
 * written like a page; those it no longer has are deleted through the webhook path's deletion
 * (tombstone, cascade, hooks). The batch's candidates go.
 */
export async function applyRecheck(
  ctx: MutationCtx,
  run: RunDoc,
  answer: Extract<Handback, { op: "recheck" }>,
  { hooks, allowMassRemoval }: { hooks: HookEvents; allowMassRemoval: boolean },
  fields: Partial<RunDoc>,
): Promise<RunDoc> {
  assertBatchSize(answer.answered.length, answer.found.rows.length, answer.foundIds.length, answer.missing.length);
  if (answer.found.kind !== run.kind) throw new Error(`The run reconciles ${run.kind}s, not ${answer.found.kind}s`);
  const counts = countsOf(run);
  assertFewRemovals(run.kind, counts, answer.missing.length, allowMassRemoval);
  const tally = newTally();
  const lookUp = await lookUpMany(ctx, run.kind, answer.foundIds);
  for (const row of answer.found.rows) {
    const outcome = await applyTo(ctx, upsert(answer.found.kind, row), await lookUp(row.clerkId), hooks);
    if (outcome === "created" || outcome === "updated") count(tally, outcome);
  }
  let removed = 0;
  for (const clerkId of answer.missing) {
    if ((await applyOne(ctx, { kind: run.kind, op: "delete", clerkId }, hooks)) === "deleted") removed++;
  }
  await hooks.flush(ctx);
  // The refs are the last instruction's, given to the step holding the lease: deleted unread.
  for (const ref of answer.answered) {
    const id = ctx.db.normalizeId("resyncCandidates", ref);
    if (!id) throw new Error(`${ref} is not a resync candidate`);
    await ctx.db.delete("resyncCandidates", id);
  }
  return write(ctx, run, onReconciled(run, { last: false, now: Date.now() }), {
    ...fields,
    ...withCounts(run, { ...addTally(counts, tally), removed: counts.removed + removed }),
  });
}

/**
 * Refuses, before a single one is removed, to remove more objects of a kind than the pass found
 * still in Clerk (and more than `MASS_REMOVAL_FLOOR`). A secret key of another Clerk instance
 * (a development key on production) lists none of the stored objects and would remove them all,
 * and a removal is final: their tombstones would ignore Clerk's later events about them.
 */
function assertFewRemovals(kind: Kind, counts: KindCounts, missing: number, allowMassRemoval: boolean) {
  const stillInClerk = counts.unchanged + counts.updated;
  const removals = counts.removed + missing;
  if (allowMassRemoval || removals <= Math.max(MASS_REMOVAL_FLOOR, stillInClerk)) return;
  throw clerkUsersError(
    "TOO_MANY_REMOVALS",
    `Reconcile stopped before removing ${removals} ${kind}s Clerk says it no longer has: this pass found only ${stillInClerk} of the stored ${kind}s in Clerk. ` +
      `Check that CLERK_SECRET_KEY is the secret key of this app's Clerk instance. If Clerk really deleted them, run a resync made with { allowMassRemoval: true }.`,
  );
}
