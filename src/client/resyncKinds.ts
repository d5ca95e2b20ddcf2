import { KINDS, apiOf, kindNamed, type AnyKind } from "../shared/kinds/registry.js";
import type { Recheck } from "../shared/kinds/define.js";
import { RECHECK_IDS_PER_REQUEST, idOf } from "../shared/paging.js";
import type { Change, Kind, KindRows } from "../shared/validators.js";
import { isPostponed, type ClerkApi, type Params, type Postponed } from "./resync/clerkApi.js";

/**
 * What the resync needs to know about each kind of Clerk object: where Clerk lists it, how its
 * JSON maps to a row, and how to ask Clerk about the ones a listing did not see. Each is data in
 * the kind's module (`api`); this interprets it. Everything else (paging, spans, ordering,
 * hooks, removal) is the same for every kind.
 */

export type { KindRows };

type ResyncKind = {
  /**
   * Clerk's list of every object of the kind, offset-paginated, and its query parameters, its sort
   * order (`order_by`) included; for a kind listed per parent, the list of `parent`'s objects.
   */
  list(parent?: string): { path: string; params: Params };
  /** The row of a listed object, or null when it is not one this package can store. */
  toRow(json: unknown): KindRows["rows"][number] | null;
  /**
   * The JSON of those of `ids` Clerk still has (`belongsTo[i]` says what `ids[i]` belonged to),
   * or a postponement when the next request must wait past the step's deadline.
   */
  recheck(api: ClerkApi, ids: readonly string[], belongsTo: readonly Record<string, string>[]): Promise<unknown[] | Postponed>;
};

/**
 * The `order_by` of each paged listing order (`ListingOrder`): oldest first, objects created during
 * the pass land at the end, after the pages already read; newest first, at the head, which the
 * component has read again. A `perParent` kind has no list to sort.
 */
export const LIST_ORDER = { oldestFirst: "+created_at", newestFirst: "-created_at" } as const;

function resyncKind(kind: AnyKind): ResyncKind {
  const { toRow, recheck } = apiOf(kind);
  return {
    // Read when asked, as the component reads the kind's order when it checks the page.
    list(parent) {
      const { path, params, order } = apiOf(kind);
      if (order.by !== "perParent") return { path, params: { ...params, order_by: LIST_ORDER[order.by] } };
      if (parent === undefined) throw new Error(`${kind.name}s are listed per ${order.parent}: a list instruction must name one`);
      return { path: order.path(parent), params: { ...params } };
    },
    toRow,
    recheck: (api, ids, belongsTo) => ask(api, recheck, ids, belongsTo),
  };
}

/** Each kind Clerk lists (a kind without `api`, only the webhook syncs: no resync run includes it). */
export const RESYNC_KINDS = Object.fromEntries(KINDS.flatMap((kind) => (kind.api ? [[kind.name, resyncKind(kind)]] : []))) as Partial<Record<Kind, ResyncKind>>;

/** How a resync reads `kind`; throws for a kind Clerk does not list, which no run includes. */
export function resyncKindOf(kind: Kind): ResyncKind {
  const found = RESYNC_KINDS[kind];
  if (!found) throw new Error(`Clerk's Backend API has no list of every ${kind}: no resync run includes it`);
  return found;
}

/** Asks Clerk about `ids` the way the kind's `recheck` says. */
function ask(api: ClerkApi, recheck: Recheck, ids: readonly string[], belongsTo: readonly Record<string, string>[]): Promise<unknown[] | Postponed> {
  switch (recheck.by) {
    case "ids":
      return inChunks(ids, (chunk) => api.getByIds(recheck.path, recheck.param, chunk));
    case "query":
      return sequence(ids, async (id) => {
        const found = await api.listPage(recheck.path, { query: id, limit: 10, offset: 0 });
        return isPostponed(found) ? found : found.filter((json) => idOf(json) === id);
      });
    case "byParent": {
      // Per parent, for the candidates' values of `idField` under it.
      const byParent = new Map<string, string[]>();
      ids.forEach((_, i) => {
        const parentId = belongsTo[i]?.[recheck.parentField];
        const id = belongsTo[i]?.[recheck.idField];
        if (parentId && id) byParent.set(parentId, [...(byParent.get(parentId) ?? []), id]);
      });
      return sequence([...byParent], ([parentId, values]) =>
        inChunks(values, (chunk) => api.getByIds(recheck.path(parentId), recheck.param, chunk, {}, { notFound: "empty" })),
      );
    }
    case "one":
      return sequence(ids, (id, i) => {
        const held = belongsTo[i] ?? {};
        const absent = recheck.needs.filter((field) => !held[field]);
        if (absent.length > 0) throw new Error(`Cannot ask Clerk about ${id}: the stored row holds no ${absent.join(", ")}`);
        return api.get(recheck.path(id, held), {}, { notFound: "empty", single: true });
      });
    case "payer": {
      // One request per payer: its subscription holds every item it has (a 404: none).
      const payers = new Map<string, { userId?: string; orgId?: string }>();
      for (const held of belongsTo) {
        const payer = held?.orgId ? { orgId: held.orgId } : held?.userId ? { userId: held.userId } : undefined;
        if (payer) payers.set(recheck.path(payer), payer);
      }
      return sequence([...payers], async ([path, payer]) => {
        const found = await api.get(path, {}, { notFound: "empty", single: true });
        return isPostponed(found) ? found : found.flatMap((subscription) => itemsWithPayer(subscription, payer));
      });
    }
  }
}

/**
 * A subscription's items (`subscription_items`), each given the subscription's payer when it does
 * not name its own (the item's JSON alone must say whose it is), and the subscription's id (the
 * Backend API's items leave it out).
 */
export function itemsWithPayer(subscription: unknown, payer: { userId?: string; orgId?: string }): unknown[] {
  const { subscription_items: items, payer: owner, id } = (subscription ?? {}) as { subscription_items?: unknown; payer?: unknown; id?: unknown };
  if (!Array.isArray(items)) return [];
  const named = owner ?? { user_id: payer.userId ?? "", organization_id: payer.orgId ?? "" };
  return items.map((item) => {
    if (typeof item !== "object" || item === null) return item;
    const own = item as { payer?: unknown; subscription_id?: unknown };
    return { ...item, ...(own.payer ? {} : { payer: named }), ...(own.subscription_id || typeof id !== "string" ? {} : { subscription_id: id }) };
  });
}

/** Runs `request` over `ids` in chunks Clerk's URLs hold, concatenating the answers. */
function inChunks(ids: readonly string[], request: (chunk: readonly string[]) => Promise<unknown[] | Postponed>) {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += RECHECK_IDS_PER_REQUEST) chunks.push(ids.slice(i, i + RECHECK_IDS_PER_REQUEST));
  return sequence(chunks, request);
}

/** Runs `request` for each item in turn (the client paces them), stopping at a postponement. */
async function sequence<T>(items: readonly T[], request: (item: T, index: number) => Promise<unknown[] | Postponed>): Promise<unknown[] | Postponed> {
  const all: unknown[] = [];
  for (const [index, item] of items.entries()) {
    const found = await request(item, index);
    if (isPostponed(found)) return found;
    all.push(...found);
  }
  return all;
}

/**
 * The objects of other kinds the page's objects carry whole (kinds/define.ts `embedded`), each
 * once: its newest copy on the page.
 */
export function embeddedIn(kind: Kind, listed: readonly unknown[]): Change[] {
  const { embedded } = apiOf(kindNamed(kind)) as { embedded?: (json: unknown) => readonly Change[] };
  if (!embedded) return [];
  const newest = new Map<string, Change>();
  for (const change of listed.flatMap((json) => embedded(json))) {
    if (change.op !== "upsert") continue;
    const key = `${change.kind}:${change.row.clerkId}`;
    const known = newest.get(key);
    if (!known || (known.op === "upsert" && known.row.updatedAt < change.row.updatedAt)) newest.set(key, change);
  }
  return [...newest.values()];
}

/** Splits a listed page into storable rows, the ids of every object on it, and the ids of those that are not storable. */
export function sortOut(kind: Kind, listed: readonly unknown[]): { page: KindRows; seen: string[]; invalid: string[] } {
  const rows: KindRows["rows"][number][] = [];
  const seen: string[] = [];
  const invalid: string[] = [];
  for (const json of listed) {
    const id = idOf(json);
    if (id !== undefined) seen.push(id);
    const row = apiOf(kindNamed(kind)).toRow(json);
    if (row) rows.push(row);
    else invalid.push(id ?? "(no id)");
  }
  return { page: { kind, rows } as KindRows, seen, invalid };
}
