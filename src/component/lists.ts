import type { PaginationOptions, PaginationResult } from "convex/server";

/** Most rows one page returns, whatever `numItems` asks: a page stays far inside Convex's read limits. */
export const MAX_PAGE_SIZE = 1000;

/**
 * One page of a list ordered by a string key (a Clerk id), read as one index range after the
 * last key returned. Convex's `.paginate()` is not available inside components. The cursor is
 * the last key as JSON, so every key, the empty string included, continues the list, and only
 * `null` (or Convex's empty first cursor) starts it.
 */
export async function pageByKey<T>(
  paginationOpts: PaginationOptions,
  read: (after: string | undefined, limit: number) => Promise<T[]>,
  keyOf: (row: T) => string,
  keep: (row: T) => boolean | Promise<boolean> = () => true,
): Promise<PaginationResult<T>> {
  const size = Math.max(1, Math.min(Math.floor(paginationOpts.numItems) || 1, MAX_PAGE_SIZE));
  const after = parseCursor(paginationOpts.cursor);
  const rows = await read(after, size + 1);
  const isDone = rows.length <= size;
  const taken = rows.slice(0, size);
  const page: T[] = [];
  for (const row of taken) if (await keep(row)) page.push(row);
  const last = taken[taken.length - 1];
  return { page, isDone, continueCursor: isDone || last === undefined ? "" : JSON.stringify(keyOf(last)) };
}

/**
 * The holder of a value one object at a time holds in Clerk (a primary email, a slug), among the
 * rows that hold it now. While two objects trade it, deliveries can leave both rows holding it
 * until the second change lands: the one Clerk updated last holds it.
 */
export function holderOf<T extends { updatedAt: number }>(rows: T[]): T | null {
  return rows.reduce<T | null>((newest, row) => (newest === null || row.updatedAt > newest.updatedAt ? row : newest), null);
}

/** Most rows read for one held value: more than two hold it only while several objects trade it at once. */
export const MAX_HOLDERS = 10;

function parseCursor(cursor: string | null): string | undefined {
  if (cursor === null || cursor === "") return undefined;
  try {
    const key: unknown = JSON.parse(cursor);
    if (typeof key === "string") return key;
  } catch {
    // reported below
  }
  throw new Error(`Not a cursor this list returned: ${JSON.stringify(cursor.slice(0, 100))}. Pass null for the first page, then continueCursor.`);
}
