import { v, type Infer } from "convex/values";
import { hookEvent, kindNamed } from "../shared/kinds/registry.js";
import { vChangeSource, vKind, type Kind } from "../shared/validators.js";
import { internal } from "./_generated/api.js";
import { internalAction, internalMutation, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import { HookEvents } from "./hooks.js";
import { KINDS } from "./kinds.js";
import { LIMITS } from "./limits.js";
import { kindReader, kindWriter } from "./rows.js";

/**
 * Removals per transaction: `LIMITS.cascadeBatch` (limits.ts). Nothing waits for the rest to be
 * seen as gone: the deleted object's tombstone is written first, so no late event brings a child
 * back (the engine's `isOrphaned`), and a cascade that needs more transactions is marked running
 * (table `cascades`) until its last batch, so that reads hide what it has not removed yet
 * (`awaitsCascade`). A stored row whose parent is deleted exists only while that mark does.
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
  const { more, removed } = await removeWithinBudget(ctx, kind, clerkId, hooks, values);
  if (row !== undefined) {
    // A first deletion: no mark can exist yet, so none is read; one is written only if rows are left.
    if (!more) return;
    for (const value of values ?? []) await ctx.db.insert("erasures", { kind, clerkId, value });
    await ctx.db.insert("cascades", { kind, clerkId });
  } else {
    // A repeated deletion that found nothing left reads no mark: a stale one goes with the tombstone (prune.ts).
    if (!more && removed === 0) return;
    await markRunning(ctx, kind, clerkId, more);
    if (!more) return;
  }
  await scheduleContinuation(ctx, { kind, clerkId, hooks: hooks.handle, source: hooks.source, attempt: 0 });
}

function markOf(ctx: QueryCtx, kind: Kind, clerkId: string) {
  return ctx.db
    .query("cascades")
    .withIndex("by_clerk_id", (q) => q.eq("kind", kind).eq("clerkId", clerkId))
    .first();
}

/** Marks the cascade of the deleted object of `kind` running (`more` rows may be left) or finished. */
async function markRunning(ctx: MutationCtx, kind: Kind, clerkId: string, more: boolean) {
  const mark = await markOf(ctx, kind, clerkId);
  if (more && !mark) await ctx.db.insert("cascades", { kind, clerkId });
  if (!more && mark) await ctx.db.delete("cascades", mark._id);
}

/** Forgets the mark of a cascade that can have nothing left (its tombstone is pruned, no row belongs to it). */
export async function forgetCascade(ctx: MutationCtx, kind: Kind, clerkId: string) {
  await markRunning(ctx, kind, clerkId, false);
}

/**
 * Marks a read looks at all at once. While at most this many cascades run (the usual case: none),
 * whether a row awaits one costs one index range, whatever its parents; past it, one per parent.
 */
export const RUNNING_SCAN = 16;

/** The running cascades a read sees, once per query (its snapshot does not change), or null if too many to hold. */
const running = new WeakMap<object, Promise<{ kind: string; clerkId: string }[] | null>>();

function runningCascades(ctx: QueryCtx) {
  let found = running.get(ctx.db);
  if (!found) {
    found = ctx.db
      .query("cascades")
      .take(RUNNING_SCAN + 1)
      .then((marks) => (marks.length > RUNNING_SCAN ? null : marks));
    running.set(ctx.db, found);
  }
  return found;
}

/**
 * Whether a stored row belongs to an object that was deleted (a membership's organization or
 * user), or is addressed to one (an invitation's invitee, by email address), whose cascade has
 * not removed it yet: what every read hides. A parent field the row does not hold (an optional
 * parent) is no parent of it. For a stored row it says what the engine's `isOrphaned` says (a
 * child of a deleted parent is stored only while its cascade runs), at one index range while no
 * more than `RUNNING_SCAN` cascades run, instead of a tombstone lookup per parent.
 *
 * For queries (no mutation asks it: the write path asks `isOrphaned`). A query that asks has the
 * marks in its read set, so a large deletion reruns subscribed reads of child rows twice, when
 * its cascade starts and when it ends: a price paid only by deletions that spill, where a
 * tombstone per parent was paid by every read.
 */
export async function awaitsCascade(ctx: QueryCtx, kind: Kind, row: Record<string, unknown>): Promise<boolean> {
  const { parents, addressedTo = [] } = KINDS[kind];
  // A kind that belongs to nothing (a user, an organization) reads nothing: no mark, no range.
  if (parents.length === 0 && addressedTo.length === 0) return false;
  const marks = await runningCascades(ctx);
  if (marks?.length === 0) return false;
  return belongsToGone(
    kind,
    row,
    async (parent, clerkId) => (marks ? marks.some((mark) => mark.kind === parent && mark.clerkId === clerkId) : (await markOf(ctx, parent, clerkId)) !== null),
    // Erasures exist only while a cascade of their kind runs: asked by index only then.
    async (to, value) => (!marks || marks.some((mark) => mark.kind === to)) && (await isErasing(ctx, to, value)),
  );
}

/**
 * Whether `row` belongs to an object `gone` says is deleted (a membership's organization or
 * user), or is addressed to one `erasing` says is being erased (an invitation's invitee, by email
 * address): the walk over a kind's `parents` and `addressedTo` both rules share. A parent field
 * the row does not hold (an optional parent) is no parent of it.
 */
export async function belongsToGone(
  kind: Kind,
  row: Record<string, unknown>,
  gone: (parent: Kind, clerkId: string) => Promise<boolean>,
  erasing: (to: Kind, value: string) => Promise<boolean>,
): Promise<boolean> {
  const { parents, addressedTo = [] } = KINDS[kind];
  for (const parent of parents) {
    const parentId = row[parent.field];
    if (typeof parentId === "string" && (await gone(kindNamed(parent.kind).name, parentId))) return true;
  }
  for (const to of addressedTo) {
    const value = row[to.field];
    if (typeof value === "string" && (await erasing(kindNamed(to.kind).name, value))) return true;
  }
  return false;
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
async function removeWithinBudget(
  ctx: MutationCtx,
  kind: Kind,
  clerkId: string,
  hooks: HookEvents,
  values?: string[],
): Promise<{ more: boolean; removed: number }> {
  const budget = budgetOf(ctx);
  const { children, addressed } = KINDS[kind];
  const erasures = values === undefined && addressed.length > 0 ? await erasuresOf(ctx, kind, clerkId) : [];
  const addressedValues = values ?? erasures.map((erasure) => erasure.value);
  const lists = [...children.map((child) => ({ child, value: clerkId })), ...addressed.flatMap((child) => addressedValues.map((value) => ({ child, value })))];
  let more = false;
  let removed = 0;
  for (const { child, value } of lists) {
    if (budget.left === 0 || budget.ranges === 0) return { more: true, removed };
    budget.ranges--;
    const rows = await rowsOf(ctx, child, value).take(budget.left);
    for (const row of rows) {
      await kindWriter(ctx).delete(KINDS[child.kind].table, row._id);
      hooks.add(hookEvent(KINDS[child.kind], "deleted", row, { clerkId: row.clerkId }));
    }
    if (rows.length === budget.left) more = true;
    budget.left -= rows.length;
    removed += rows.length;
  }
  // Nothing is addressed to the object any more: what said its values goes.
  if (!more) for (const erasure of erasures) await ctx.db.delete("erasures", erasure._id);
  return { more, removed };
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
    const { more } = await removeWithinBudget(ctx, kind, clerkId, events);
    await markRunning(ctx, kind, clerkId, more);
    await events.flush(ctx);
    return more;
  },
});
