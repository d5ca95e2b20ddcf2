import { v, type Infer } from "convex/values";

/** The largest `limit` Clerk's list endpoints accept, and so the most objects one page commit writes. */
export const CLERK_MAX_PAGE_SIZE = 500;
/** Ids asked about per re-check request (`GET /v1/users?user_id=...`), keeping the URL short. */
export const RECHECK_IDS_PER_REQUEST = 100;

/**
 * Where the listing stands: the next list position to read, and the last committed page's
 * final users (`created_at` and the ids that share it), to check that the next page continues it.
 */
const vBoundary = v.object({ createdAt: v.number(), ids: v.array(v.string()) });
export const vListCursor = v.object({
  offset: v.number(),
  boundary: v.optional(vBoundary),
  /** Newest first: the first page's first objects, the newest Clerk had when the pass started. */
  head: v.optional(vBoundary),
  /** Newest first: the pass read the list's end, and now reads its head again from offset 0 until it meets `head`. */
  reread: v.optional(v.boolean()),
  /** Per parent: the last parent (by Clerk id) whose answer is committed. */
  parentAfter: v.optional(v.string()),
});
export type ListCursor = Infer<typeof vListCursor>;

export const START_CURSOR: ListCursor = { offset: 0 };

/**
 * The offset to request next. Pages overlap by one user: the previous page's last user is
 * requested again, so the page proves it continues the last one (see `checkPage`).
 */
export function nextRequestOffset(cursor: ListCursor): number {
  return cursor.boundary ? Math.max(0, cursor.offset - 1) : cursor.offset;
}

/**
 * The offset requested after a full page read at `offset` that continues the listing: the page's
 * end, less the one object the next page reads again.
 */
export function overlapOffset(offset: number, limit: number): number {
  return offset + limit - 1;
}

export type PageCheck =
  /**
   * `repeated`: how many objects at the page's start earlier pages listed already; `relisted`
   * (newest first, re-reading the head): the ids of the others the pass listed already. `done`:
   * the listing of the kind is complete.
   */
  { ok: true; next: ListCursor; done: boolean; repeated: number; relisted?: string[] } | { ok: false; retryOffset: number };

/** The orders `checkPage` proves continuity for (see `ListingOrder` in kinds/define.ts). */
export type PageOrder = "oldestFirst" | "newestFirst";

/**
 * Checks that a page read at `requestOffset` continues the listing without a gap, and
 * says where the listing stands after it.
 *
 * Offset paging shifts when users are deleted in Clerk during the pass: every deletion
 * before the cursor moves later users one position down, and the first of them would be
 * skipped. Users are listed by `created_at` ascending, so a page continues the last one
 * exactly when its first user is one already read: created before the boundary, or one of
 * the boundary's own users. Otherwise users were removed before the cursor, and the page is
 * read again from further back (`retryOffset`, one page earlier), which costs one request
 * per shift and never loses a user. New sign-ups land at the end and need nothing.
 *
 * The listing is done at the first page shorter than `limit`.
 */
export function checkPage(cursor: ListCursor, requestOffset: number, limit: number, page: readonly unknown[], order: PageOrder = "oldestFirst"): PageCheck {
  if (order === "newestFirst") return checkNewestFirstPage(cursor, requestOffset, limit, page);
  const { boundary } = cursor;
  const listedBefore = (user: unknown) => boundary !== undefined && (createdAtOf(user) < boundary.createdAt || boundary.ids.includes(idOf(user) ?? ""));
  if (boundary && requestOffset > 0) {
    const first = page[0];
    if (first === undefined || !listedBefore(first)) return { ok: false, retryOffset: Math.max(0, requestOffset - (limit - 1)) };
  }
  // Oldest first: the users listed before are the page's first ones.
  let repeated = 0;
  while (repeated < page.length && listedBefore(page[repeated])) repeated++;
  const next: ListCursor = { offset: requestOffset + page.length };
  const last = [...page].reverse().find((user) => idOf(user) !== undefined);
  if (last !== undefined) {
    const createdAt = createdAtOf(last);
    const ids = page
      .filter((user) => createdAtOf(user) === createdAt)
      .map(idOf)
      .filter((id): id is string => id !== undefined);
    next.boundary = { createdAt, ids };
  } else if (boundary) {
    next.boundary = boundary;
  }
  return { ok: true, next, done: page.length < limit, repeated };
}

/**
 * `checkPage` for a list sorted by `-created_at` (newest first), mirrored: a page continues the
 * last exactly when its first object is one already listed: created after the boundary, or one of
 * the boundary's own objects. A deletion during the pass moves later objects down and would skip
 * one: the page is refused and read again from further back. An object created during the pass
 * lands at the head and pushes every later one up: the page repeats the last page's final
 * objects (counted by `repeated`), which is harmless.
 *
 * Such new objects are never reached by later pages, so the end of the list (a short page) is
 * not the end of the listing: the cursor turns to `reread`, and the head is read again from
 * offset 0, page by page under the same check, until a page holds an object created before the
 * pass's `head` (the first page's first objects): everything before it was created during the
 * pass, or listed by it (the head's own ties). The listing is done there.
 */
function checkNewestFirstPage(cursor: ListCursor, requestOffset: number, limit: number, page: readonly unknown[]): PageCheck {
  const { boundary } = cursor;
  const listedBefore = (item: unknown) => boundary !== undefined && (createdAtOf(item) > boundary.createdAt || boundary.ids.includes(idOf(item) ?? ""));
  if (boundary && requestOffset > 0) {
    const first = page[0];
    if (first === undefined || !listedBefore(first)) return { ok: false, retryOffset: Math.max(0, requestOffset - (limit - 1)) };
  }
  let repeated = 0;
  while (repeated < page.length && listedBefore(page[repeated])) repeated++;
  // The head is the first page's; a list empty when the pass started has none.
  const head = cursor.reread
    ? cursor.head
    : (cursor.head ??
      tiesOf(
        page,
        page.find((item) => idOf(item) !== undefined),
      ));
  const last =
    tiesOf(
      page,
      [...page].reverse().find((item) => idOf(item) !== undefined),
    ) ?? boundary;
  const atEnd = page.length < limit;
  if (!cursor.reread) {
    // The list's end: its head is read again, from the start, with no boundary.
    if (atEnd) return { ok: true, done: false, repeated, next: { offset: 0, ...(head ? { head } : {}), reread: true } };
    return { ok: true, done: false, repeated, next: { offset: requestOffset + page.length, ...(last ? { boundary: last } : {}), ...(head ? { head } : {}) } };
  }
  // Re-reading the head: it ends at the first object created before the head. Objects tied with
  // the head may be new (Clerk's order among ties is not creation order), so they are read on.
  const older = (item: unknown) => head !== undefined && createdAtOf(item) < head.createdAt;
  const fromPass = (item: unknown) => older(item) || (head !== undefined && head.ids.includes(idOf(item) ?? ""));
  const relisted = page
    .slice(repeated)
    .filter(fromPass)
    .map(idOf)
    .filter((id): id is string => id !== undefined);
  const next: ListCursor = { offset: requestOffset + page.length, ...(last ? { boundary: last } : {}), ...(head ? { head } : {}), reread: true };
  return { ok: true, done: page.some(older) || atEnd, repeated, ...(relisted.length > 0 ? { relisted } : {}), next };
}

/** The creation time of `item` and the ids of `page`'s objects that share it. */
function tiesOf(page: readonly unknown[], item: unknown): ListCursor["boundary"] {
  if (item === undefined) return undefined;
  const createdAt = createdAtOf(item);
  const ids = page
    .filter((other) => createdAtOf(other) === createdAt)
    .map(idOf)
    .filter((id): id is string => id !== undefined);
  return { createdAt, ids };
}

/**
 * A `perParent` kind's answer for one parent (`ListingOrder`), checked: it is one request's whole
 * answer, so there is no continuity to prove, only that every object in it belongs to the parent
 * asked about (`field` of its row). An object of another parent means the path answered something
 * else than the parent's objects: refused, never applied as that parent's truth.
 */
export function checkParentAnswer(parentId: string, field: string, rows: readonly Record<string, unknown>[]): { ok: true } | { ok: false; strangers: number } {
  const strangers = rows.filter((row) => row[field] !== parentId).length;
  return strangers === 0 ? { ok: true } : { ok: false, strangers };
}

/** A listed object as far as the listing's order goes (`vListed`): its id and creation time, those it has. */
export function listedOf(item: unknown): { id?: string; created_at?: number } {
  const id = idOf(item);
  const createdAt = (item as { created_at?: unknown } | null)?.created_at;
  return { ...(id !== undefined ? { id } : {}), ...(typeof createdAt === "number" ? { created_at: createdAt } : {}) };
}

/** A listed user's id, if it has one. */
export function idOf(user: unknown): string | undefined {
  const id = (user as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : undefined;
}

function createdAtOf(user: unknown): number {
  const createdAt = (user as { created_at?: unknown } | null)?.created_at;
  return typeof createdAt === "number" ? createdAt : 0;
}
