import { v, type Value } from "convex/values";
import { KINDS as REGISTRY, kindNamed, vKind, type AnyKind, type KindName } from "../shared/kinds/registry.js";
import { internal } from "./_generated/api.js";
import { internalMutation, type MutationCtx, type QueryCtx } from "./_generated/server.js";
import { budgetOf } from "./cascades.js";
import { kindReader, kindWriter, type Row } from "./rows.js";

/**
 * Fields a kind copies from a parent's own row (a member's name and picture, from their user:
 * `copies` in the kind's module). Clerk changes them with the parent, so a newer version of the
 * parent rewrites them in the rows that copy it, and a copy never moves backwards: each row says
 * which parent version its copy is of (`at`, else its own `updatedAt`).
 */

type Copies = NonNullable<AnyKind["copies"]>;

/** What `kind` copies from a parent, if anything. */
function copiesOf(kind: KindName): Copies | undefined {
  const spec: AnyKind = kindNamed(kind);
  return "copies" in spec ? spec.copies : undefined;
}

/** The kinds that copy fields from `parent`. */
function copiersOf(parent: KindName): AnyKind[] {
  return REGISTRY.filter((kind) => copiesOf(kind.name)?.parent === parent);
}

/** The parent version a row's copy is of. */
function copyTime(copies: Copies, row: Record<string, unknown>): number {
  const at = row[copies.at];
  return typeof at === "number" ? at : (row.updatedAt as number);
}

/**
 * `incoming`, a new version of a row that copies fields, with the stored row's copy kept when
 * it is of a later parent version than `incoming`'s own (a `user.updated` refreshed it after the
 * membership version was sent).
 */
export function keepNewerCopy<Fields extends Record<string, unknown>>(kind: KindName, stored: Row | null, incoming: Fields): Fields {
  const copies = copiesOf(kind);
  if (!copies || !stored || copyTime(copies, stored) <= copyTime(copies, incoming)) return incoming;
  const kept = Object.fromEntries([...copies.fields, copies.at].map((field) => [field, stored[field]]));
  return { ...incoming, ...kept };
}

/**
 * `fields`, a version about to be written, with its copy taken from its parent's stored row when
 * that row is a later version than the copy (the membership event was sent before the user
 * changed their name, and delivered after).
 */
export async function withNewestCopy<Fields extends Record<string, unknown>>(ctx: QueryCtx, kind: KindName, fields: Fields): Promise<Fields> {
  const copies = copiesOf(kind);
  const parentId = copies && fields[copies.field];
  if (!copies || typeof parentId !== "string") return fields;
  const parent = await parentRow(ctx, copies, parentId);
  if (!parent || parent.updatedAt <= copyTime(copies, fields)) return fields;
  return { ...fields, ...copies.from(parent), [copies.at]: parent.updatedAt };
}

/**
 * After a version of `parent` was written: rewrites the copied fields of the rows that copy it
 * and hold an older copy, within the transaction's budget (shared with cascades); the rest
 * continue in scheduled batches. An object with none pays one empty index range.
 */
export async function refreshCopies(ctx: MutationCtx, parent: KindName, row: Source) {
  for (const kind of copiersOf(parent)) await refreshWithinBudget(ctx, kind.name, row.clerkId, row);
}

/** The parent's version to copy from: its stored row, or the version just written. */
type Source = Record<string, unknown> & { clerkId: string; updatedAt: number };

function parentRow(ctx: QueryCtx, copies: Copies, parentId: string) {
  return kindReader(ctx)
    .query(kindNamed(copies.parent).table)
    .withIndex("by_clerk_id", (q) => q.eq("clerkId", parentId))
    .unique();
}

/** Refreshes the copies in rows of `kind` that belong to parent `parentId` (read unless given); schedules the rest. */
async function refreshWithinBudget(ctx: MutationCtx, kind: KindName, parentId: string, written?: Source) {
  const spec = kindNamed(kind);
  const copies = copiesOf(kind);
  const index = spec.parents.find((parent) => parent.field === copies?.field)?.index;
  if (!copies || !index) throw new Error(`Kind ${kind} copies nothing from a parent it has`);
  const source = written ?? (await parentRow(ctx, copies, parentId));
  if (!source) return;
  const budget = budgetOf(ctx);
  if (budget.left === 0) return schedule(ctx, kind, parentId);
  // Only rows whose copy is of an older version: a refreshed row leaves the range, so the next
  // batch starts where this one stopped without a cursor.
  const at = source.updatedAt;
  const rows = await kindReader(ctx)
    .query(spec.table)
    .withIndex(index, (q) => q.eq(copies.field, parentId))
    // Within one parent's rows (its index range): a row refreshed drops out, so batches need no cursor.
    // eslint-disable-next-line @convex-dev/no-filter-in-query
    .filter((q) => q.or(q.lt(q.field(copies.at), at), q.and(q.eq(q.field(copies.at), undefined), q.lt(q.field("updatedAt"), at))))
    .take(budget.left);
  const values: Record<string, Value | undefined> = { ...(copies.from(source) as Record<string, Value | undefined>), [copies.at]: at };
  for (const child of rows) await kindWriter(ctx).patch(spec.table, child._id, values);
  budget.left -= rows.length;
  if (rows.length > 0 && budget.left === 0) await schedule(ctx, kind, parentId);
}

function schedule(ctx: MutationCtx, kind: KindName, parentId: string) {
  return ctx.scheduler.runAfter(0, internal.copies.refreshBatch, { kind, parentId });
}

/** The next batch of a refresh, for a parent with more rows that copy it than one transaction's budget. */
export const refreshBatch = internalMutation({
  args: { kind: vKind, parentId: v.string() },
  returns: v.null(),
  handler: async (ctx, { kind, parentId }) => {
    await refreshWithinBudget(ctx, kind, parentId);
    return null;
  },
});
