import { v, type Infer } from "convex/values";
import { hookEvent } from "../shared/kinds/registry.js";
import { vChangeSource, vKind, type Kind } from "../shared/validators.js";
import { internal } from "./_generated/api.js";
import { internalAction, internalMutation, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import { HookEvents } from "./hooks.js";
import { KINDS } from "./kinds.js";
import { LIMITS } from "./limits.js";
import { kindReader, kindWriter } from "./rows.js";

/**
 * Removals per transaction: `LIMITS.cascadeBatch` (limits.ts). Nothing waits for the rest to be
 * seen as gone: the deleted object's tombstone is written first, and every read of a child
 * checks its parents' tombstones (the engine's `isOrphaned`).
 */

/** Retries of a continuation that failed (most often an app hook threw): backoff from 1 s, at most an hour apart. */
const MAX_ATTEMPTS = 24;
const MAX_BACKOFF_MS = 60 * 60_000;

/** Removals left to each transaction, keyed by its `ctx.db` (one per transaction). */
const budgets = new WeakMap<object, { left: number; ranges: number }>();

/** This transaction's budget of removals and copy refreshes (copies.ts): they share it. */
export function budgetOf(ctx: MutationCtx) {
  let budget = budgets.get(ctx.db);
  if (!budget) budgets.set(ctx.db, (budget = { left: LIMITS.cascadeBatch, ranges: LIMITS.cascadeRanges }));
  return budget;
}

/**
 * Removes the rows that belong to the object of `kind` deleted as `clerkId`, within this
 * transaction's budget, and schedules the rest. A removed child leaves no tombstone of its own:
 * its parent's tombstone already drops any late event about it. Called again for a repeated
 * deletion, it finishes a cascade whose continuation gave up (one index lookup when none is left).
 *
 * `row`, the object's stored row when the deletion removed one, says the values rows of other
 * kinds are addressed to (a user's email address: `addressed`). When the cascade needs more
 * transactions, they are kept as erasures until its last batch, so that later batches find those
 * rows and reads hide them meanwhile; a continuation's arguments carry ids only.
 */
export async function removeChildren(ctx: MutationCtx, kind: Kind, clerkId: string, hooks: HookEvents, row?: Record<string, unknown> | null) {
  // A first deletion has no erasures stored yet: its values are the row's, and nothing is read.
  const values = row ? [...new Set(KINDS[kind].addressed.map((to) => to.valueOf(row)).filter((value) => value !== undefined))] : undefined;
  if (await removeWithinBudget(ctx, kind, clerkId, hooks, values)) {
    for (const value of values ?? []) await ctx.db.insert("erasures", { kind, clerkId, value });
    await scheduleContinuation(ctx, { kind, clerkId, hooks: hooks.handle, source: hooks.source, attempt: 0 });
  }
}

function erasuresOf(ctx: QueryCtx, kind: Kind, clerkId: string) {
  return ctx.db
    .query("erasures")
    .withIndex("by_clerk_id", (q) => q.eq("kind", kind).eq("clerkId", clerkId))
    .collect();
}

/** Whether a deleted object of `kind` had a stored row addressing rows by `value`, and its cascade has not finished removing them. */
export async function isErasing(ctx: QueryCtx, kind: Kind, value: string) {
  const erasure = await ctx.db
    .query("erasures")
    .withIndex("by_value", (q) => q.eq("kind", kind).eq("value", value))
    .first();
  return erasure !== null;
}

/**
 * Removes children, then rows addressed to the object, up to the transaction's budget; true if
 * some may be left. The values rows are addressed to are `values`, or else the stored erasures.
 */
async function removeWithinBudget(ctx: MutationCtx, kind: Kind, clerkId: string, hooks: HookEvents, values?: string[]): Promise<boolean> {
  const budget = budgetOf(ctx);
  const { children, addressed } = KINDS[kind];
  const erasures = values === undefined && addressed.length > 0 ? await erasuresOf(ctx, kind, clerkId) : [];
  const addressedValues = values ?? erasures.map((erasure) => erasure.value);
  const lists = [...children.map((child) => ({ child, value: clerkId })), ...addressed.flatMap((child) => addressedValues.map((value) => ({ child, value })))];
  let more = false;
  for (const { child, value } of lists) {
    if (budget.left === 0 || budget.ranges === 0) return true;
    budget.ranges--;
    const rows = await rowsOf(ctx, child, value).take(budget.left);
    for (const row of rows) {
      await kindWriter(ctx).delete(KINDS[child.kind].table, row._id);
      hooks.add(hookEvent(KINDS[child.kind], "deleted", row, { clerkId: row.clerkId }));
    }
    if (rows.length === budget.left) more = true;
    budget.left -= rows.length;
  }
  // Nothing is addressed to the object any more: what said its values goes.
  if (!more) for (const erasure of erasures) await ctx.db.delete("erasures", erasure._id);
  return more;
}

/** Whether rows still belong to the deleted object of `kind` (so its tombstone must stay). */
export async function hasChildren(ctx: MutationCtx, kind: Kind, clerkId: string) {
  for (const child of KINDS[kind].children) if (await rowsOf(ctx, child, clerkId).first()) return true;
  // An erasure is a cascade not finished: rows addressed to the object may be left.
  return KINDS[kind].addressed.length > 0 && (await erasuresOf(ctx, kind, clerkId)).length > 0;
}

/** The rows of a child kind that belong to `value` (the parent's Clerk id, or the value they are addressed to), by the child's index. */
function rowsOf(ctx: MutationCtx, child: { kind: Kind; index: string; field: string }, value: string) {
  // Every child index starts with the field holding the parent's id or the value.
  return kindReader(ctx)
    .query(KINDS[child.kind].table)
    .withIndex(child.index, (q) => q.eq(child.field, value));
}

const vContinuation = v.object({ kind: vKind, clerkId: v.string(), hooks: v.optional(v.string()), source: vChangeSource, attempt: v.number() });
type Continuation = Infer<typeof vContinuation>;

function scheduleContinuation(ctx: MutationCtx, args: Continuation) {
  return ctx.scheduler.runAfter(0, internal.cascades.continueCascade, args);
}

/**
 * The next batch of a cascade, with the app's hooks of the deletion that started it. An action
 * around the batch's mutation, so that a batch that fails (a hook threw, and its transaction
 * rolled back) is tried again later instead of leaving the cascade unfinished.
 */
export const continueCascade = internalAction({
  args: vContinuation.fields,
  returns: v.null(),
  handler: async (ctx, args) => {
    try {
      const more = await ctx.runMutation(internal.cascades.removeBatch, { kind: args.kind, clerkId: args.clerkId, hooks: args.hooks, source: args.source });
      if (more) await ctx.scheduler.runAfter(0, internal.cascades.continueCascade, { ...args, attempt: 0 });
    } catch (error) {
      const attempt = args.attempt + 1;
      if (attempt >= MAX_ATTEMPTS) {
        console.error(
          `convex-clerk-users: removing what belonged to ${args.kind} ${args.clerkId} failed ${attempt} times; it stays hidden, and a redelivery of the deletion resumes it.`,
          error,
        );
        return null;
      }
      const delayMs = Math.min(1000 * 2 ** args.attempt, MAX_BACKOFF_MS);
      console.error(
        `convex-clerk-users: removing what belonged to ${args.kind} ${args.clerkId} failed (attempt ${attempt}); trying again in ${delayMs / 1000} s.`,
        error,
      );
      await ctx.scheduler.runAfter(delayMs, internal.cascades.continueCascade, { ...args, attempt });
    }
    return null;
  },
});

/** One batch of a cascade in one transaction, its hooks included; true if more may be left. */
export const removeBatch = internalMutation({
  args: { kind: vKind, clerkId: v.string(), hooks: v.optional(v.string()), source: vChangeSource },
  returns: v.boolean(),
  handler: async (ctx, { kind, clerkId, hooks, source }) => {
    const events = new HookEvents(hooks, source);
    const more = await removeWithinBudget(ctx, kind, clerkId, events);
    await events.flush(ctx);
    return more;
  },
});
