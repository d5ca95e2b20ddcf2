import { v, type Infer } from "convex/values";

/** The largest `limit` Clerk's list endpoints accept, and so the most objects one page commit writes. */
export const CLERK_MAX_PAGE_SIZE = 500;
/** Ids asked about per re-check request (`GET /v1/users?user_id=...`), keeping the URL short. */
export const RECHECK_IDS_PER_REQUEST = 100;

/**
 * Where the listing stands: the next list position to read, and the last committed page's
 * final users (`created_at` and the ids that share it), to check that the next page continues it.
 */
export const vListCursor = v.object({
  offset: v.number(),
  boundary: v.optional(v.object({ createdAt: v.number(), ids: v.array(v.string()) })),
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
  /** `repeated`: how many users at the page's start earlier pages listed already. */
  { ok: true; next: ListCursor; done: boolean; repeated: number } | { ok: false; retryOffset: number };

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
export function checkPage(cursor: ListCursor, requestOffset: number, limit: number, page: readonly unknown[]): PageCheck {
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
