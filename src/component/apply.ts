import type { Value } from "convex/values";
import { hookEvent, type KindName } from "../shared/kinds/registry.js";
import type { ApplyOutcome, Change } from "../shared/validators.js";
import type { MutationCtx, QueryCtx } from "./_generated/server.js";
import { belongsToGone, isErasing, removeChildren } from "./cascades.js";
import { keepNewerCopy, refreshCopies, withNewestCopy } from "./copies.js";
import type { HookEvents } from "./hooks.js";
import { KINDS } from "./kinds.js";
import { createdLater, decide, fingerprint, type Stored } from "./ordering.js";
import { kindReader, kindWriter, withKey, type Row } from "./rows.js";

/**
 * The sync engine: applies one change from Clerk (a webhook event or a resync row) to what is
 * stored, for any kind. Read by index, decide (ordering.ts, pure), write, collect hook events.
 * Every kind follows the same rules; what differs between kinds is data (shared/kinds/).
 */

export type { Row };

/** What is stored for one Clerk id: its live row, or whether a tombstone says it was deleted. */
export type StoredRow = {
  row: Row | null;
  deleted: boolean;
  /** For a kind with a `unique` key, the other rows holding the change's key, when the lookup read them already. */
  rivals?: Row[];
};

/**
 * Objects this transaction found a live row of, or wrote one for, by its `ctx.db`: none of them
 * has a tombstone (a deletion removes the row, and a tombstoned object is never written), so
 * asking is skipped: a membership event's embedded organization, looked at first, spares the
 * membership's check of its organization. Only `remove` writes a tombstone; it forgets the object.
 */
const live = new WeakMap<object, Set<string>>();
const liveKey = (kind: KindName, clerkId: string) => `${kind}|${clerkId}`;
function noteLive(ctx: MutationCtx | QueryCtx, kind: KindName, clerkId: string) {
  let seen = live.get(ctx.db);
  if (!seen) live.set(ctx.db, (seen = new Set()));
  seen.add(liveKey(kind, clerkId));
}

/** The live row of `kind` with this Clerk id, or null. */
export async function rowOf(ctx: QueryCtx, kind: KindName, clerkId: string): Promise<Row | null> {
  return kindReader(ctx)
    .query(KINDS[kind].table)
    .withIndex("by_clerk_id", (q) => q.eq("clerkId", clerkId))
    .unique();
}

/** Whether a tombstone says the object of `kind` with this Clerk id was deleted. */
export async function isDeleted(ctx: QueryCtx, kind: KindName, clerkId: string): Promise<boolean> {
  if (live.get(ctx.db)?.has(liveKey(kind, clerkId))) return false;
  const tombstone = await ctx.db
    .query("tombstones")
    .withIndex("by_clerk_id", (q) => q.eq("kind", kind).eq("clerkId", clerkId))
    .first();
  return tombstone !== null;
}

/**
 * Whether an object this row belongs to (a membership's organization or user) was deleted, by its
 * tombstone, or one it is addressed to (an invitation's invitee, by email address) was deleted and
 * its cascade has not removed the row yet: what the write path asks before it stores a version, so
 * that no late event brings a child back. Reads ask `awaitsCascade` (cascades.ts), which answers
 * the same for stored rows at less cost.
 */
export async function isOrphaned(ctx: QueryCtx, kind: KindName, row: Record<string, unknown>): Promise<boolean> {
  return belongsToGone(
    kind,
    row,
    (parent, clerkId) => isDeleted(ctx, parent, clerkId),
    (to, value) => isErasing(ctx, to, value),
  );
}

/** Reads what is stored for `clerkId`: its row by index, and its tombstone only when there is no row. */
export async function lookUp(ctx: QueryCtx, kind: KindName, clerkId: string): Promise<StoredRow> {
  const row = await rowOf(ctx, kind, clerkId);
  // A live row means no tombstone (a delete removes the row), so the second read
  // is only paid for objects not in the table.
  if (row) {
    noteLive(ctx, kind, clerkId);
    return { row, deleted: false };
  }
  return { row: null, deleted: await isDeleted(ctx, kind, clerkId) };
}

/** Applies one change to what is stored for its object (`lookUp`, then `applyTo`): the webhook's path. */
export async function applyOne(ctx: MutationCtx, change: Change, hooks: HookEvents): Promise<ApplyOutcome> {
  const stored =
    change.op === "upsert" && KINDS[change.kind].unique ? await lookUpByKey(ctx, change.kind, change.row) : await lookUp(ctx, change.kind, clerkIdOf(change));
  return applyTo(ctx, change, stored, hooks);
}

type Fields = Record<string, unknown> & { clerkId: string; createdAt?: number };

/**
 * `lookUp` for a kind with a `unique` key (a membership: one per user and organization): one read
 * of the rows holding the key finds the object's own row and its rivals alike.
 */
async function lookUpByKey(ctx: QueryCtx, kind: KindName, fields: Fields): Promise<StoredRow> {
  const rows = await rowsWithKey(ctx, kind, fields);
  const row = rows.find((r) => r.clerkId === fields.clerkId) ?? null;
  const rivals = rows.filter((r) => r !== row);
  if (row) return { row, deleted: false, rivals };
  // A rival created later makes this one an old object, dropped whether or not it was deleted: no tombstone to read.
  if (rivals.some((rival) => createdLater(rival, fields))) return { row: null, deleted: false, rivals };
  return { row: null, deleted: await isDeleted(ctx, kind, fields.clerkId), rivals };
}

/** The rows holding the same `unique` key as `fields`, by the key's index (a key of any number of fields). */
function rowsWithKey(ctx: QueryCtx, kind: KindName, fields: Fields): Promise<Row[]> {
  const { table, unique } = KINDS[kind];
  if (!unique) throw new Error(`rowsWithKey: kind ${kind} has no unique key`);
  return kindReader(ctx).query(table).withIndex(unique.index, withKey(unique.fields, fields)).collect();
}

export function clerkIdOf(change: Change): string {
  return change.op === "delete" ? change.clerkId : change.row.clerkId;
}

/**
 * Applies `change` to what `lookUp` found, in the caller's transaction, and adds each real change
 * to `hooks` (the caller flushes them).
 */
export async function applyTo(ctx: MutationCtx, change: Change, { row, deleted, rivals }: StoredRow, hooks: HookEvents): Promise<ApplyOutcome> {
  const spec = KINDS[change.kind];
  // Content is compared only between two versions of one time: most changes need no fingerprint.
  const tie = row !== null && change.op === "upsert" && row.updatedAt === change.row.updatedAt;
  const print = (fields: Record<string, unknown>) => (tie ? fingerprint(fields, spec.volatile) : "");
  const stored: Stored = row ? { updatedAt: row.updatedAt, fingerprint: print(row), provisional: row.provisional === true } : deleted ? "deleted" : null;
  const decision = decide(
    change.op === "delete" ? change : { op: "upsert", updatedAt: change.row.updatedAt, fingerprint: print(change.row) },
    stored,
    hooks.source,
  );

  switch (decision.write) {
    case "none":
      // Volatile fields move without a version, so of two copies of one version no one can tell
      // which is newer, except a resync's (it lists Clerk's current values), or for a field that
      // only grows. A webhook copy moves nothing else: a bulk join writes its organization's row
      // once, not once per member.
      if (decision.why === "duplicate" && row && change.op === "upsert")
        await refreshVolatile(ctx, change.kind, row, keepNewerCopy(change.kind, row, change.row), hooks.source === "resync" ? "all" : "rising");
      // A repeated deletion finishes a cascade that stopped part way (its continuation failed).
      if (decision.why === "duplicate" && change.op === "delete" && deleted) await removeChildren(ctx, change.kind, change.clerkId, hooks);
      return decision.why;
    case "tombstone":
    case "delete": {
      // Nothing stored, and an object it belongs to is deleted: the cascade already removed it.
      if (decision.write === "tombstone" && (await parentDeletedFor(ctx, change))) return "duplicate";
      await remove(ctx, change.kind, clerkIdOf(change), row, hooks);
      return "deleted";
    }
    case "insert":
    case "replace": {
      if (change.op !== "upsert") throw new Error(`applyTo: a deletion cannot be ${decision.write}ed`);
      const fields = change.row;
      // An old object (nothing stored of it, and the lookup by its key found one created later)
      // is dropped before its parents' tombstones are asked about: it writes nothing either way.
      if (row === null && rivals?.some((rival) => createdLater(rival, fields))) return "stale";
      if (await isOrphaned(ctx, change.kind, fields)) return "tombstoned";
      if (spec.unique && (await supersededBy(ctx, change.kind, fields, row, rivals, hooks))) return "stale";
      const db = kindWriter(ctx);
      // Copied fields (a member's name) come from the newest of: this version, the stored row's
      // copy, and the parent's own stored row.
      const written = await withNewestCopy(ctx, change.kind, keepNewerCopy(change.kind, row, fields));
      if (decision.write === "insert") {
        const id = await db.insert(spec.table, written);
        noteLive(ctx, change.kind, fields.clerkId);
        if (hooks.wanted) hooks.add(hookEvent(spec, "created", await db.get(spec.table, id)));
        await refreshCopies(ctx, change.kind, written);
        return "created";
      }
      const previous = row!;
      await db.replace(spec.table, previous._id, written);
      // A provisional row (made by requireUser before the webhook landed) is not a Clerk
      // version: its first real version is the object's creation, for hooks as for callers.
      const wasProvisional = previous.provisional === true;
      if (hooks.wanted) {
        const updated = await db.get(spec.table, previous._id);
        hooks.add(wasProvisional ? hookEvent(spec, "created", updated) : hookEvent(spec, "updated", updated, { previous }));
      }
      await refreshCopies(ctx, change.kind, written);
      return wasProvisional ? "created" : "updated";
    }
  }
}

/**
 * Removes an object: its row (if any) goes, a tombstone stays, its hook fires, and rows that
 * belong to it (an organization's or a user's memberships) go too (cascades.ts).
 */
export async function remove(ctx: MutationCtx, kind: KindName, clerkId: string, row: Row | null, hooks: HookEvents) {
  if (row) await kindWriter(ctx).delete(KINDS[kind].table, row._id);
  live.get(ctx.db)?.delete(liveKey(kind, clerkId));
  await ctx.db.insert("tombstones", { kind, clerkId, deletedAt: Date.now() });
  hooks.add(hookEvent(KINDS[kind], "deleted", row, { clerkId }));
  await removeChildren(ctx, kind, clerkId, hooks, row);
}

/**
 * The same version again, whose volatile fields (a member count, a sign-in stamp) moved since:
 * they are written without a hook, as they are not a change Clerk versioned. A resync's copy
 * (`all`) is Clerk's now: a field it leaves out is removed (Clerk removed it), unless some of
 * Clerk's copies omit it. Any other copy (`rising`) may only raise a field that only grows.
 */
async function refreshVolatile(ctx: MutationCtx, kind: KindName, row: Row, incoming: Partial<Record<string, Value>>, which: "all" | "rising") {
  const spec = KINDS[kind] as { volatile?: readonly string[]; omittable?: readonly string[]; rising?: readonly string[] };
  const { volatile = [], omittable = [], rising = [] } = spec;
  const moved =
    which === "rising"
      ? rising.filter((field) => typeof incoming[field] === "number" && (typeof row[field] !== "number" || incoming[field] > row[field]))
      : volatile.filter(
          (field) => !(incoming[field] === undefined && omittable.includes(field)) && fingerprint({ v: incoming[field] }) !== fingerprint({ v: row[field] }),
        );
  if (moved.length > 0) await kindWriter(ctx).patch(KINDS[kind].table, row._id, Object.fromEntries(moved.map((field) => [field, incoming[field]])));
}

async function parentDeletedFor(ctx: QueryCtx, change: Change) {
  return change.op === "delete" && change.belongsTo !== undefined && (await isOrphaned(ctx, change.kind, change.belongsTo));
}

/**
 * Keeps at most one live row per `unique` key (one membership per user and organization):
 * of `fields` and the rows already holding its key, the one Clerk created last stays. Returns
 * true if that is another row (`fields` is an older membership, gone in Clerk): what was stored
 * of it is removed. Otherwise the other rows are the older ones, and are removed.
 */
async function supersededBy(ctx: MutationCtx, kind: KindName, fields: Fields, own: Row | null, known: Row[] | undefined, hooks: HookEvents): Promise<boolean> {
  const rivals = (known ?? (await rowsWithKey(ctx, kind, fields))).filter((rival) => rival.clerkId !== fields.clerkId);
  if (rivals.some((rival) => createdLater(rival, fields))) {
    // What was stored of it goes; one never stored is simply not written.
    if (own) await remove(ctx, kind, fields.clerkId, own, hooks);
    return true;
  }
  for (const rival of rivals) await remove(ctx, kind, rival.clerkId, rival, hooks);
  return false;
}
