import { v, type Infer } from "convex/values";
import { checkPage, checkParentAnswer, nextRequestOffset, type ListCursor, type PageCheck, type PageOrder } from "../../shared/paging.js";
import type { Handback } from "../../shared/resync.js";
import type { Change, KindRows } from "../../shared/validators.js";
import { apiOf, type KINDS as REGISTRY } from "../../shared/kinds/registry.js";
import type { MutationCtx, QueryCtx } from "../_generated/server.js";
import { applyOne, applyTo, type Row } from "../apply.js";
import type { HookEvents } from "../hooks.js";
import { KINDS, type KindSpec } from "../kinds.js";
import { kindReader } from "../rows.js";
import { addTally, count, countsOf, newTally, withCounts } from "./counts.js";
import { onListed } from "./lifecycle.js";
import { lookUpMany } from "./pageLookup.js";
import { LIMITS } from "../limits.js";
import { BATCH_SIZE, assertBatchSize, write, type RunDoc } from "./runs.js";

/**
 * The listing: committing the pages of Clerk's list of a kind, and judging each page's span.
 *
 * Pages list objects oldest first, and each page continues the last (paging.ts), so a page holds
 * every object Clerk has whose creation time lies between the previous page's last object and its
 * own: its span. A row in that span the page did not list belongs to an object Clerk did not list,
 * most likely deleted while a webhook was missed: it becomes a candidate, which reconcile asks
 * Clerk about by id once the whole listing is complete. Spans meet without overlapping (each ends
 * just before the creation time where the next begins), and the last page's span runs on to the
 * end, then covers rows with no creation time (made by `requireUser` before the webhook landed).
 * Rows written after the kind's listing started are left alone: Clerk had them then.
 *
 * A kind listed newest first (`ListingOrder`) has the same spans, mirrored: a page covers the
 * creation times after its own last object (exclusive) up to the previous page's last object
 * (inclusive), the first page's span has no upper end, and the last page's runs down to the
 * oldest, then covers rows with no creation time. The pages that read the head again after the
 * end have no span: the spans already covered every creation time, and those pages only add
 * objects created during the pass.
 */

/** Any kind's table, typed as one for the query builder (see `nextRows`). */
type FirstTable = (typeof REGISTRY)[0]["table"];

/** Invalid ids kept in the status, to look up in Clerk's dashboard. */
export const KEPT_INVALID_IDS = 10;

export const vSpan = v.object({
  /** Creation time where the span starts (inclusive); absent for the first page. */
  from: v.optional(v.number()),
  /** Creation time where the span ends (exclusive); absent for the last page. */
  to: v.optional(v.number()),
  /** Judging rows with no creation time, after the last page's span proper. */
  uncreated: v.boolean(),
  /** The last page: rows with no creation time are judged after the span proper. */
  last: v.boolean(),
  /**
   * The last row judged, in `by_created_at` order (Convex ends every index with `_creationTime`
   * to break ties, so the pair places a row); absent: judging starts at the span's start.
   */
  after: v.optional(v.object({ createdAt: v.optional(v.number()), creationTime: v.number() })),
  /** Every id the page listed, and the previous page's last objects (the overlap). */
  listed: v.array(v.string()),
  /** A newest-first page's span: `from` is exclusive and `to` inclusive (the page's last object starts the next page's span). */
  newestFirst: v.optional(v.boolean()),
});
export type Span = Infer<typeof vSpan>;

/**
 * Writes one page of Clerk's list of the run's kind and advances the run's cursor past it, in one
 * transaction: a crash resumes exactly after the last committed page. The page must continue the
 * listing (`checkPage`); one that does not is not written, and `rereadFrom` says where to read it
 * again. Each row goes through the webhook path's `applyTo` (same ordering, tombstones and hooks);
 * rows it leaves unchanged are not written. The page's span starts being judged in the same
 * transaction, before the page writes: its rows are mostly the page's own.
 */
export async function commitPage(
  ctx: MutationCtx,
  run: RunDoc,
  page: Extract<Handback, { op: "list" }>,
  hooks: HookEvents,
  fields: Partial<RunDoc>,
): Promise<{ run: RunDoc; rereadFrom?: number }> {
  assertBatchSize(page.listed.length, page.rows.rows.length, page.invalid.length, page.embedded?.length ?? 0);
  if (page.rows.kind !== run.kind || run.span) {
    throw new Error(`A page of ${page.rows.kind}s, but the run lists ${run.kind}s${run.span ? " and has a span left to judge" : ""}`);
  }
  if (page.parent !== undefined) return { run: await commitParentAnswer(ctx, run, { ...page, parent: page.parent }, hooks, fields) };
  // A page read past the cursor's next request would leave a gap no check can see from the start.
  if (page.offset > nextRequestOffset(run.cursor))
    throw new Error(`A page read at ${page.offset}, past the listing's next offset ${nextRequestOffset(run.cursor)}`);
  const order = pagedOrderOf(run.kind);
  const check = checkPage(run.cursor, page.offset, page.limit, page.listed, order);
  if (!check.ok) return { run: await write(ctx, run, { heartbeatAt: Date.now() }, fields), rereadFrom: check.retryOffset };

  const ids = (items: typeof page.listed) => items.flatMap((item) => (item.id === undefined ? [] : [item.id]));
  const seen = ids(page.listed);
  const relisted = new Set(check.relisted);
  const firstSeen = new Set(ids(page.listed.slice(check.repeated)).filter((id) => !relisted.has(id)));
  const tally = newTally();
  const pageSpan = spanOfPage(order, run.cursor, check, seen);
  const span = pageSpan ? await judgeSpanChunk(ctx, run, pageSpan) : { rest: null, rows: [] };
  const lookUp = await lookUpMany(ctx, run.kind, seen, span.rows);
  // What the page's objects carry whole goes first, as the webhook applies it; it is not counted as the kind's.
  for (const change of page.embedded ?? []) await applyOne(ctx, change, hooks);
  for (const row of page.rows.rows) {
    const outcome = await applyTo(ctx, upsert(page.rows.kind, row), await lookUp(row.clerkId), hooks);
    // An object listed before (the overlap) counts once, unless it changed in between.
    if (firstSeen.has(row.clerkId) || outcome === "created" || outcome === "updated") count(tally, outcome);
  }
  await hooks.flush(ctx);
  const newInvalid = page.invalid.filter((id) => firstSeen.has(id));
  const counts = countsOf(run);
  return {
    run: await write(ctx, run, onListed(run, { done: check.done, spanLeft: span.rest !== null, now: Date.now() }), {
      ...fields,
      cursor: check.next,
      span: span.rest ?? undefined,
      pagesDone: run.pagesDone + 1,
      ...withCounts(run, {
        ...addTally(counts, tally),
        seen: counts.seen + firstSeen.size,
        invalid: counts.invalid + newInvalid.length,
        invalidIds: [...counts.invalidIds, ...newInvalid].slice(0, KEPT_INVALID_IDS),
      }),
    }),
  };
}

/**
 * A kind listed per parent (`perParent`): the next parent of the listing, by Clerk id, after the
 * last one committed; null once every stored parent was asked about.
 */
export async function nextParent(ctx: QueryCtx, run: Pick<RunDoc, "kind" | "cursor">): Promise<string | null> {
  const { order } = apiOf(KINDS[run.kind]);
  if (order.by !== "perParent") return null;
  const { parentAfter } = run.cursor;
  const next = await kindReader(ctx)
    .query(KINDS[order.parent as RunDoc["kind"]].table)
    .withIndex("by_clerk_id", (q) => (parentAfter === undefined ? q : q.gt("clerkId", parentAfter)))
    .first();
  return next?.clerkId ?? null;
}

/**
 * Writes one parent's answer of a kind listed per parent, in one transaction, and moves the
 * cursor past the parent. There is no continuity to prove: the answer is one request's, all of
 * it, so it is refused when it is full (more may lie behind it) and when it holds objects of
 * another parent (`checkParentAnswer`). It is the truth for that parent: the parent's stored rows
 * it does not hold (and that existed when the listing started) are candidates, asked about by id
 * in reconcile like a span's. A parent with more stored rows than a batch is refused too.
 */
async function commitParentAnswer(
  ctx: MutationCtx,
  run: RunDoc,
  page: Extract<Handback, { op: "list" }> & { parent: string },
  hooks: HookEvents,
  fields: Partial<RunDoc>,
): Promise<RunDoc> {
  const { parents } = KINDS[run.kind];
  const { order } = apiOf(KINDS[run.kind]);
  if (order.by !== "perParent") throw new Error(`An answer for parent ${page.parent}, but ${run.kind}s are not listed per parent`);
  const expected = await nextParent(ctx, run);
  if (page.parent !== expected) throw new Error(`An answer for ${order.parent} ${page.parent}, but the listing's next one is ${expected ?? "none"}`);
  if (page.listed.length >= page.limit) {
    throw new Error(`${order.parent} ${page.parent} has ${page.limit} or more ${run.kind}s: one request's answer cannot be proved complete`);
  }
  const answer = checkParentAnswer(page.parent, order.field, page.rows.rows);
  if (!answer.ok) throw new Error(`The answer for ${order.parent} ${page.parent} holds ${answer.strangers} ${run.kind}s of other ${order.parent}s`);
  const link = parents.find((parent) => parent.field === order.field);
  if (!link) throw new Error(`${run.kind}s are listed per ${order.parent}, but have no parent field ${order.field}`);

  const seen = new Set(page.listed.flatMap((item) => (item.id === undefined ? [] : [item.id])));
  const stored = await kindReader(ctx)
    .query(KINDS[run.kind].table)
    .withIndex(link.index, (q) => q.eq(link.field, page.parent))
    .take(BATCH_SIZE + 1);
  if (stored.length > BATCH_SIZE) throw new Error(`${order.parent} ${page.parent} has more than ${BATCH_SIZE} stored ${run.kind}s`);
  for (const row of stored) {
    if (row._creationTime > run.existingUpTo || seen.has(row.clerkId)) continue;
    const held = parents.flatMap(({ field }) => (typeof row[field] === "string" ? [[field, row[field]] as const] : []));
    await ctx.db.insert("resyncCandidates", { runId: run._id, clerkId: row.clerkId, ...(held.length > 0 ? { belongsTo: Object.fromEntries(held) } : {}) });
  }
  const lookUp = await lookUpMany(ctx, run.kind, [...seen], stored);
  const tally = newTally();
  for (const change of page.embedded ?? []) await applyOne(ctx, change, hooks);
  for (const row of page.rows.rows) count(tally, await applyTo(ctx, upsert(page.rows.kind, row), await lookUp(row.clerkId), hooks));
  await hooks.flush(ctx);
  const counts = countsOf(run);
  return write(ctx, run, onListed(run, { done: false, spanLeft: false, now: Date.now() }), {
    ...fields,
    cursor: { offset: 0, parentAfter: page.parent },
    pagesDone: run.pagesDone + 1,
    ...withCounts(run, {
      ...addTally(counts, tally),
      seen: counts.seen + seen.size,
      invalid: counts.invalid + page.invalid.length,
      invalidIds: [...counts.invalidIds, ...page.invalid].slice(0, KEPT_INVALID_IDS),
    }),
  });
}

/** Judges the next chunk of the last committed page's span; once the last page's is judged, the listing is complete. */
export async function judgeSpan(ctx: MutationCtx, run: RunDoc, fields: Partial<RunDoc>): Promise<RunDoc> {
  if (!run.span) throw new Error("The run has no span left to judge");
  const { rest } = await judgeSpanChunk(ctx, run, run.span);
  // Newest first, the list's last span is judged before its head is read again (`reread`).
  const done = run.span.last && !run.cursor.reread;
  return write(ctx, run, onListed(run, { done, spanLeft: rest !== null, now: Date.now() }), { ...fields, span: rest ?? undefined });
}

/** The order a kind's pages are listed in; a kind listed per parent has no pages. */
export function pagedOrderOf(kind: RunDoc["kind"]): PageOrder {
  const { order } = apiOf(KINDS[kind]);
  if (order.by === "perParent") throw new Error(`${kind}s are listed per ${order.parent}, which the resync does not run yet`);
  return order.by;
}

/** The span a page proves, committed at `cursor` and checked by `check` (null: none, a newest-first list's head read again). */
export function spanOfPage(order: PageOrder, cursor: ListCursor, check: Extract<PageCheck, { ok: true }>, listed: readonly string[]): Span | null {
  if (order === "oldestFirst") return spanOf(cursor, check.next, check.done, listed);
  if (cursor.reread) return null;
  // The list's end: the next cursor turns to reading its head again.
  const last = check.next.reread === true;
  return {
    from: last ? undefined : check.next.boundary?.createdAt,
    to: cursor.boundary?.createdAt,
    uncreated: false,
    last,
    listed: [...new Set([...listed, ...(cursor.boundary?.ids ?? [])])],
    newestFirst: true,
  };
}

/** The span of an oldest-first page committed at `cursor`, ending at `next`. */
export function spanOf(cursor: ListCursor, next: ListCursor, done: boolean, listed: readonly string[]): Span {
  return {
    from: cursor.boundary?.createdAt,
    to: done ? undefined : next.boundary?.createdAt,
    uncreated: false,
    last: done,
    listed: [...new Set([...listed, ...(cursor.boundary?.ids ?? [])])],
  };
}

/**
 * Judges up to `LIMITS.resyncBatch` rows of `span` for `run`, adding candidates for rows it did not list.
 * Returns what is left of the span (null once it is all judged) and the rows read, which are most
 * often the page's own rows: the page's commit uses them as they are.
 */
async function judgeSpanChunk(ctx: MutationCtx, run: RunDoc, span: Span) {
  const rows = await nextRows(ctx, KINDS[run.kind].table, span, LIMITS.resyncBatch);
  const listed = new Set(span.listed);
  const { parents } = KINDS[run.kind];
  for (const row of rows) {
    if (row._creationTime > run.existingUpTo || listed.has(row.clerkId)) continue;
    const held = parents.flatMap(({ field }) => (typeof row[field] === "string" ? [[field, row[field]] as const] : []));
    const belongsTo = held.length === 0 ? undefined : Object.fromEntries(held);
    await ctx.db.insert("resyncCandidates", { runId: run._id, clerkId: row.clerkId, belongsTo });
  }
  const lastRow = rows[rows.length - 1];
  let rest: Span | null = null;
  if (lastRow && rows.length === LIMITS.resyncBatch) rest = { ...span, after: { createdAt: lastRow.createdAt, creationTime: lastRow._creationTime } };
  else if (span.last && !span.uncreated) rest = { ...span, uncreated: true, after: undefined };
  return { rest, rows };
}

/**
 * The next `limit` rows of the span after `span.after`, in `by_created_at` order (creation time,
 * then `_creationTime`). Paged by hand: Convex's `.paginate()` is not available inside components.
 */
async function nextRows(ctx: MutationCtx, table: KindSpec["table"], { from, to, uncreated, after, newestFirst }: Span, limit: number): Promise<Row[]> {
  // Every kind's table has the same `by_created_at` index (schema.ts's `kindTable`); typed as the
  // first kind's for the query builder, whose ranges the kinds' common view cannot type.
  const rows = ctx.db.query(table as FirstTable);
  if (uncreated) {
    return rows
      .withIndex("by_created_at", (q) => (after ? q.eq("createdAt", undefined).gt("_creationTime", after.creationTime) : q.eq("createdAt", undefined)))
      .take(limit);
  }
  // Rows tied with the last one judged come first, then those created after it. The least finite
  // number as the first span's start leaves out rows with no creation time, which sort before numbers.
  const tied = after
    ? await rows.withIndex("by_created_at", (q) => q.eq("createdAt", after.createdAt).gt("_creationTime", after.creationTime)).take(limit)
    : [];
  if (tied.length >= limit) return tied;
  // A newest-first span starts after `from` and ends at `to`, inclusive.
  const start = after?.createdAt ?? from ?? -Number.MAX_VALUE;
  const startOpen = after !== undefined || (newestFirst === true && from !== undefined);
  const rest = await rows
    .withIndex("by_created_at", (q) => {
      const lower = startOpen ? q.gt("createdAt", start) : q.gte("createdAt", start);
      if (to === undefined) return lower;
      return newestFirst ? lower.lte("createdAt", to) : lower.lt("createdAt", to);
    })
    .take(limit - tied.length);
  return [...tied, ...rest];
}

export function upsert(kind: KindRows["kind"], row: KindRows["rows"][number]): Change {
  return { kind, op: "upsert", row } as Change;
}
