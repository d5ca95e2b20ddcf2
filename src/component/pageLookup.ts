import { compareValues } from "convex/values";
import type { MutationCtx } from "./_generated/server.js";
import { lookUp, type StoredUser } from "./sync.js";

/**
 * `lookUp` for a resync page: one range of `by_clerk_id` in each table over the ids' span, not a
 * read per id. Clerk's ids are KSUIDs, which sort by creation time, and pages list users oldest
 * first, so a page's span holds little besides its own users. A span holding more than twice as
 * many rows as ids is read only that far; ids past it are looked up alone, as are ids asked for
 * a second time (the first answer may be stale by then: the caller has written since).
 */
export async function lookUpMany(ctx: MutationCtx, clerkIds: readonly string[]): Promise<(clerkId: string) => Promise<StoredUser>> {
  const rows = await readSpan(clerkIds, (lo, hi, limit) =>
    ctx.db
      .query("users")
      .withIndex("by_clerk_id", (q) => q.gte("clerkId", lo).lte("clerkId", hi))
      .take(limit),
  );
  const absent = clerkIds.filter((id) => rows.get(id) === null);
  const tombstones = await readSpan(absent, (lo, hi, limit) =>
    ctx.db
      .query("deletedUsers")
      .withIndex("by_clerk_id", (q) => q.gte("clerkId", lo).lte("clerkId", hi))
      .take(limit),
  );
  const known = new Map<string, StoredUser>();
  for (const id of clerkIds) {
    const row = rows.get(id);
    if (row) known.set(id, { row, deleted: false });
    else if (row === null && tombstones.has(id)) known.set(id, { row: null, deleted: tombstones.get(id) !== null });
  }
  return async (clerkId) => {
    const stored = known.get(clerkId);
    if (!stored) return lookUp(ctx, clerkId);
    known.delete(clerkId);
    return stored;
  };
}

/**
 * Reads the documents whose `clerkId` lies between the least and greatest of `ids` (in Convex's
 * order), at most `2 × ids` of them. Answers, for each id the read covered, its document or null;
 * ids past the last document of a read that hit the limit are left out.
 */
async function readSpan<D extends { clerkId: string }>(
  ids: readonly string[],
  read: (lo: string, hi: string, limit: number) => Promise<D[]>,
): Promise<Map<string, D | null>> {
  const found = new Map<string, D | null>();
  if (ids.length === 0) return found;
  const sorted = [...new Set(ids)].sort(compareValues);
  const limit = 2 * sorted.length;
  const docs = await read(sorted[0]!, sorted[sorted.length - 1]!, limit);
  const byId = new Map<string, D>();
  for (const doc of docs) {
    if (byId.has(doc.clerkId)) throw new Error(`Two documents for Clerk user ${doc.clerkId}`);
    byId.set(doc.clerkId, doc);
  }
  const coveredUpTo = docs.length < limit ? undefined : docs[docs.length - 1]!.clerkId;
  for (const id of sorted) {
    if (coveredUpTo !== undefined && compareValues(id, coveredUpTo) > 0) break;
    found.set(id, byId.get(id) ?? null);
  }
  return found;
}
