import { v, type Infer } from "convex/values";
import { MAX_PAGE_SIZE, type ListCursor } from "../shared/paging.js";
import type { Doc } from "./_generated/dataModel.js";
import type { MutationCtx } from "./_generated/server.js";

/**
 * How a resync finds the rows of users Clerk no longer has, without writing the rows it saw.
 *
 * Pages list users oldest first, and each page continues the last (paging.ts), so a page holds
 * every user Clerk has whose creation time lies between the previous page's last user and its
 * own: its window. A row in that window the page did not list belongs to a user Clerk did not
 * list, most likely deleted while a webhook was missed: it becomes a candidate, which reconcile
 * asks Clerk about by id once the whole listing is complete. Windows meet without overlapping
 * (each ends just before the creation time where the next begins), and the last page's window
 * runs on to the end, then covers rows with no creation time (made by `requireUser` before the
 * webhook landed). Rows written after the run started are left alone: Clerk had them then.
 */

/**
 * Rows of a window judged per transaction, as many as a page's users: a window holding more
 * (rows of many users deleted in Clerk) continues in `judgeWindow` calls, each well inside
 * Convex's read limits.
 */
export const WINDOW_CHUNK = MAX_PAGE_SIZE;

export const vWindow = v.object({
  /** Creation time where the window starts (inclusive); absent for the first page. */
  from: v.optional(v.number()),
  /** Creation time where the window ends (exclusive); absent for the last page. */
  to: v.optional(v.number()),
  /** Judging rows with no creation time, after the last page's window proper. */
  uncreated: v.boolean(),
  /** The last page: rows with no creation time are judged after the window proper. */
  last: v.boolean(),
  /** Where judging stands (a Convex pagination cursor; null: from the start). */
  cursor: v.union(v.string(), v.null()),
  /** Every id the page listed, and the previous page's last users (the overlap). */
  listed: v.array(v.string()),
});
export type Window = Infer<typeof vWindow>;

/** The window of a page committed at `cursor`, ending at `next`. */
export function windowOf(cursor: ListCursor, next: ListCursor, done: boolean, listed: readonly string[]): Window {
  return {
    from: cursor.boundary?.createdAt,
    to: done ? undefined : next.boundary?.createdAt,
    uncreated: false,
    last: done,
    cursor: null,
    listed: [...new Set([...listed, ...(cursor.boundary?.ids ?? [])])],
  };
}

/**
 * Judges up to `WINDOW_CHUNK` rows of `window` for `run`, adding candidates for rows it did not
 * list. Returns what is left of the window (null once it is all judged) and the rows read,
 * which are most often the page's own users' rows: the page's commit uses them as they are.
 */
export async function judgeWindowChunk(ctx: MutationCtx, run: Doc<"syncRuns">, window: Window) {
  const result = await windowQuery(ctx, window).paginate({ cursor: window.cursor, numItems: WINDOW_CHUNK });
  const listed = new Set(window.listed);
  for (const row of result.page) {
    // Rows with no creation time sort first in the index: they are judged at the very end.
    if (row.createdAt === undefined && !window.uncreated) continue;
    if (row._creationTime > run.existingUpTo || listed.has(row.clerkId)) continue;
    await ctx.db.insert("resyncCandidates", { runId: run._id, clerkId: row.clerkId });
  }
  let rest: Window | null = null;
  if (!result.isDone) rest = { ...window, cursor: result.continueCursor };
  else if (window.last && !window.uncreated) rest = { ...window, uncreated: true, cursor: null };
  return { rest, rows: result.page };
}

function windowQuery(ctx: MutationCtx, { from, to, uncreated }: Window) {
  const users = ctx.db.query("users");
  if (uncreated) return users.withIndex("by_created_at", (q) => q.eq("createdAt", undefined));
  if (from !== undefined && to !== undefined) return users.withIndex("by_created_at", (q) => q.gte("createdAt", from).lt("createdAt", to));
  if (from !== undefined) return users.withIndex("by_created_at", (q) => q.gte("createdAt", from));
  if (to !== undefined) return users.withIndex("by_created_at", (q) => q.lt("createdAt", to));
  return users.withIndex("by_created_at");
}
