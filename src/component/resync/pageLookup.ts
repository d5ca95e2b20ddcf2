import { compareValues } from "convex/values";
import type { Kind } from "../../shared/validators.js";
import type { MutationCtx } from "../_generated/server.js";
import { lookUp, type Row, type StoredRow } from "../apply.js";
import { KINDS } from "../kinds.js";
import { kindReader } from "../rows.js";

/** Ids looked up one by one rather than by a range. */
const FEW = 8;

/**
 * `lookUp` for a resync page: one range of `by_clerk_id` in each table over the ids' span, not a
 * read per id. Clerk's ids are KSUIDs, which sort by creation time, and pages list users oldest
 * first, so a page's span holds little besides its own users. A span holding more than twice as
 * many rows as ids is read only that far; ids past it are looked up alone, as are ids asked for
 * a second time (the first answer may be stale by then: the caller has written since).
 */
export async function lookUpMany(
  ctx: MutationCtx,
  kind: Kind,
  clerkIds: readonly string[],
  /** Rows already read (the page's span): their ids need no read of their own. */
  known: readonly Row[] = [],
): Promise<(clerkId: string) => Promise<StoredRow>> {
  const wanted = new Set(clerkIds);
  const found = new Map<string, StoredRow>();
  for (const row of known) if (wanted.has(row.clerkId)) found.set(row.clerkId, { row, deleted: false });
  const rest = [...wanted].filter((id) => !found.has(id));
  // A few ids left (a second pass: the page's last users, past its span) are cheaper read alone.
  const rows =
    rest.length <= FEW
      ? new Map<string, Row | null>()
      : await readSpan<Row>(rest, (lo, hi, limit) =>
          kindReader(ctx)
            .query(KINDS[kind].table)
            .withIndex("by_clerk_id", (q) => q.gte("clerkId", lo).lte("clerkId", hi))
            .take(limit),
        );
  const absent = rest.filter((id) => rows.get(id) === null);
  const tombstones = await readSpan(absent, (lo, hi, limit) =>
    ctx.db
      .query("tombstones")
      .withIndex("by_clerk_id", (q) => q.eq("kind", kind).gte("clerkId", lo).lte("clerkId", hi))
      .take(limit),
  );
  for (const id of rest) {
    const row = rows.get(id);
    if (row) found.set(id, { row, deleted: false });
    else if (row === null && tombstones.has(id)) found.set(id, { row: null, deleted: tombstones.get(id) !== null });
  }
  return async (clerkId) => {
    const stored = found.get(clerkId);
    if (!stored) return lookUp(ctx, kind, clerkId);
    found.delete(clerkId);
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
