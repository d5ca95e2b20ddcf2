import { v, type Infer } from "convex/values";
import { MAX_PAGE_SIZE, type ListCursor } from "../shared/paging.js";
import type { Doc } from "./_generated/dataModel.js";
import type { MutationCtx } from "./_generated/server.js";
import type { Row } from "./apply.js";
import { KINDS, type KindSpec } from "./kinds.js";

/**
 * How a resync finds the rows of users Clerk no longer has, without writing the rows it saw.
 * Organizations and memberships are listed oldest first too, and judged the same way; "user"
 * below stands for an object of the kind being listed.
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
  /**
   * The last row judged, in `by_created_at` order (Convex ends every index with `_creationTime`
   * to break ties, so the pair places a row); absent: judging starts at the window's start.
   */
  after: v.optional(v.object({ createdAt: v.optional(v.number()), creationTime: v.number() })),
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
    listed: [...new Set([...listed, ...(cursor.boundary?.ids ?? [])])],
  };
}

/**
 * Judges up to `WINDOW_CHUNK` rows of `window` for `run`, adding candidates for rows it did not
 * list. Returns what is left of the window (null once it is all judged) and the rows read,
 * which are most often the page's own users' rows: the page's commit uses them as they are.
 */
export async function judgeWindowChunk(ctx: MutationCtx, run: Doc<"syncRuns">, window: Window) {
  const rows = await nextRows(ctx, KINDS[run.kind].table, window, WINDOW_CHUNK);
  const listed = new Set(window.listed);
  const { parents } = KINDS[run.kind];
  for (const row of rows) {
    if (row._creationTime > run.existingUpTo || listed.has(row.clerkId)) continue;
    const belongsTo =
      parents.length === 0 ? undefined : Object.fromEntries(parents.map(({ field }) => [field, String((row as Record<string, unknown>)[field])]));
    await ctx.db.insert("resyncCandidates", { runId: run._id, clerkId: row.clerkId, belongsTo });
  }
  const lastRow = rows[rows.length - 1];
  let rest: Window | null = null;
  if (lastRow && rows.length === WINDOW_CHUNK) rest = { ...window, after: { createdAt: lastRow.createdAt, creationTime: lastRow._creationTime } };
  else if (window.last && !window.uncreated) rest = { ...window, uncreated: true, after: undefined };
  return { rest, rows };
}

/**
 * The next `limit` rows of the window after `window.after`, in `by_created_at` order
 * (creation time, then `_creationTime`). Paged by hand: Convex's `.paginate()` is not
 * available inside components.
 */
async function nextRows(ctx: MutationCtx, table: KindSpec["table"], { from, to, uncreated, after }: Window, limit: number): Promise<Row[]> {
  // Every kind's table has the same `by_created_at` index; typed as users' for the query builder.
  const users = ctx.db.query(table as "users");
  if (uncreated) {
    return users
      .withIndex("by_created_at", (q) => (after ? q.eq("createdAt", undefined).gt("_creationTime", after.creationTime) : q.eq("createdAt", undefined)))
      .take(limit);
  }
  // Rows tied with the last one judged come first, then those created after it. The least
  // finite number as the first window's start leaves out rows with no creation time, which
  // sort before numbers.
  const tied = after
    ? await users.withIndex("by_created_at", (q) => q.eq("createdAt", after.createdAt).gt("_creationTime", after.creationTime)).take(limit)
    : [];
  if (tied.length >= limit) return tied;
  const start = after?.createdAt ?? from ?? -Number.MAX_VALUE;
  const rest = await users
    .withIndex("by_created_at", (q) => {
      const lower = after ? q.gt("createdAt", start) : q.gte("createdAt", start);
      return to === undefined ? lower : lower.lt("createdAt", to);
    })
    .take(limit - tied.length);
  return [...tied, ...rest];
}
