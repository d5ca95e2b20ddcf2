/**
 * The floor: what the least any correct implementation could do costs per delivery, under the
 * bench's accounting (Convex's: a patch or delete also reads the document it changes). An oracle
 * that applies the stream knowing every version's order, for any kind of the registry: the
 * changes a delivery asks for are the registry's (`changesOfEvent`), and a kind's parents and
 * unique key say what else a change does. Per change:
 * - a version that is news: 2 reads and 1 write if the row exists, 1 write if not (the lookup
 *   finds no document); one that is not news costs nothing (the oracle knows);
 * - a version of an object with a unique key whose value is held by one created earlier also
 *   removes that one (2 reads, 1 write); one whose value is held by one created later, or whose
 *   parent is deleted, is not news;
 * - a deletion: 2 reads and 1 write if stored, nothing if not; and as much for each stored
 *   child of the deleted object (an organization's memberships).
 * A delivery none of whose changes is news costs the 1 read that tells it so.
 *
 * Index ranges and bytes, by the same oracle (it knows everything; what it pays is what the
 * database needs to do what it does, not what a receiver must look at to know):
 * - index ranges: each change that is news and writes costs the 1 range that locates its row
 *   (or finds none, for an insert: Convex has no insert-if-absent); a rival it removes is found in
 *   the same range (the unique key's); the stored children of a deleted object, 1 range per child
 *   kind holding some; a delivery with no news, the 1 range of its 1 read. A deletion of an
 *   object never stored costs no range (the oracle knows there is nothing to find).
 * - bytes read: the documents it reads, at the size of the row this package stores for that
 *   version (the registry's mapping of Clerk's JSON, `changesOfEvent`, plus Convex's system
 *   fields, by `getDocumentSize` as the instrument sizes a read); the 1 read of a delivery with
 *   no news reads its object's stored row, or, when there is none, a tombstone as this package
 *   writes it (`{ kind, clerkId, deletedAt }`): the least that can say "deleted"; for an object
 *   whose unique key a row created later holds, that row (the key's range finds it, and it says
 *   the object is old).
 * - bytes written: each version it writes, that same row by `getConvexSize` (as the instrument
 *   sizes a write); a deletion writes 0 bytes.
 *
 * Each delivery's case, for the per-event goals (one place, here: the stream knows which
 * deliveries are Svix retries, the oracle which versions are news):
 * - `fresh`: news, it changes what is stored (a Svix retry that arrives before its original is
 *   fresh, and the original then a duplicate);
 * - `duplicate`: no news, and a Svix retry or the same version again (of every change of the
 *   event's own kind; a deletion of an object its own deletion already removed);
 * - `stale`: no news otherwise: an older version than stored, anything after a deletion (its
 *   own, or its parent's), a version of an object superseded by one created later.
 */
import { getConvexSize, getDocumentSize, type Value } from "convex/values";
import { createdLater } from "../../../src/component/ordering.js";
import { changesOfEvent, childrenOf, kindNamed } from "../../../src/shared/kinds/registry.js";
import type { Stream } from "./generate.js";

export const CASES = ["fresh", "duplicate", "stale"] as const;
export type DeliveryCase = (typeof CASES)[number];

export type FloorCost = {
  reads: number;
  writes: number;
  ranges: number;
  bytesRead: number;
  bytesWritten: number;
  case: DeliveryCase;
  facts: Facts;
};

/**
 * What the oracle saw of a delivery that the rules of the sync (bench/lib/cost/rules.ts) need to
 * state their allowance: counts the floor itself does not pay for, since it knows.
 */
export type Facts = {
  /** Changes whose object had no stored row when they arrived (a unique key's object with a rival created later aside: the rival says it is old). */
  absent: number;
  /** Objects the delivery deletes or supersedes that were not gone already, and the bytes of a tombstone for each. */
  tombstones: number;
  tombstoneBytes: number;
  /** Of those, objects with no row: a receiver looks the row up to find none; the floor, knowing, does not. */
  tombstoneLookups: number;
  /** Deletions of the event's own object, new or repeated, and the child index ranges the floor paid for them (children it removed). */
  deletions: number;
  childRanges: number;
  /** Changes that are not news, beyond the one a delivery with no news reads, and the bytes of the document each is told by. */
  lookedAt: number;
  lookedAtBytes: number;
  /** Parent ids held by versions that reach the parents' check (news, or an object whose parent is deleted), but for parents an earlier change of the delivery found stored or wrote (a membership event's embedded organization). */
  parentChecks: number;
  /** Versions written, by kind name. */
  written: Record<string, number>;
};

/** How an object stopped being news: its own deletion, its parent's, or a rival created later. */
type Gone = "deleted" | "parent" | "superseded";

type State = {
  kind: string;
  clerkId: string;
  createdAt?: number;
  stored: boolean;
  gone?: Gone;
  version: number;
  /** Its stored document's size, as read. */
  size: number;
  /** Parents' Clerk ids by the field holding them (`orgId`). */
  parents: Record<string, string>;
  /** Its unique key's value, for a kind that has one. */
  key?: string;
};

/** An id of `table` as convex-test makes a component's (32 characters, as Convex's are) and a creation time: the system fields every document has. */
const systemFields = (table: string) => ({ _id: `${"10000".padStart(32 - table.length, "0")}${table}`, _creationTime: 1_700_000_000_000.5 });
/** A stored document of `kind`, as a read and as a write size it. */
export function documentSizes(table: string, row: Record<string, unknown>) {
  const doc = { ...systemFields(table), ...row } as Record<string, Value>;
  return { read: getDocumentSize(doc), written: getConvexSize(doc) };
}
/** A tombstone as this package writes it: the least document that says an object was deleted. */
export const tombstoneSizes = (kind: string, clerkId: string) => documentSizes("tombstones", { kind, clerkId, deletedAt: 1_700_000_000_000 });

export function floorCosts(stream: Stream): FloorCost[] {
  const states = new Map<string, State>();
  /** The stored object holding each value of a unique key. */
  const holders = new Map<string, State>();
  const at = (kind: string, clerkId: string) => `${kind}|${clerkId}`;
  const state = (kind: string, clerkId: string, fields: Record<string, unknown>) => {
    const found = states.get(at(kind, clerkId));
    if (found) return found;
    const def = kindNamed(kind);
    const parents = Object.fromEntries(def.parents.flatMap((p) => (typeof fields[p.field] === "string" ? [[p.field, fields[p.field] as string]] : [])));
    const unique = def.unique;
    const created: State = {
      kind,
      clerkId,
      createdAt: fields.createdAt as number | undefined,
      stored: false,
      version: -Infinity,
      size: 0,
      parents,
      ...(unique ? { key: `${kind}|${unique.fields.map((f) => fields[f]).join("|")}` } : {}),
    };
    states.set(at(kind, clerkId), created);
    return created;
  };
  /** A stored row read and changed (patched, replaced or deleted): 2 reads of it, 1 write. */
  const change = (cost: FloorCost, s: State) => {
    cost.reads += 2;
    cost.bytesRead += 2 * s.size;
    cost.writes += 1;
  };
  const unstore = (s: State, why: Gone) => {
    s.stored = false;
    s.gone = why;
    if (s.key !== undefined && holders.get(s.key) === s) holders.delete(s.key);
  };
  const parentGone = (s: State) => kindNamed(s.kind).parents.some((p) => s.parents[p.field] !== undefined && states.get(at(p.kind, s.parents[p.field]!))?.gone);

  return stream.events.map(({ event, kind: own, duplicate }) => {
    const facts: Facts = {
      absent: 0,
      tombstones: 0,
      tombstoneBytes: 0,
      tombstoneLookups: 0,
      deletions: 0,
      childRanges: 0,
      lookedAt: 0,
      lookedAtBytes: 0,
      parentChecks: 0,
      written: {},
    };
    const cost: FloorCost = { reads: 0, writes: 0, ranges: 0, bytesRead: 0, bytesWritten: 0, case: "fresh", facts };
    /** The document a change that is not news is told by: its stored row, its deleted parent's tombstone, or its own. */
    const toldBy = (s: State) => {
      if (s.stored) return s.size;
      const holder = s.key === undefined ? undefined : holders.get(s.key);
      // A row created later holding its unique key says it is old (the key's range finds it): no tombstone is read.
      if (holder && holder !== s && createdLater(holder, s)) return holder.size;
      const parent = kindNamed(s.kind).parents.find((p) => s.parents[p.field] !== undefined && states.get(at(p.kind, s.parents[p.field]!))?.gone);
      return parent ? tombstoneSizes(parent.kind, s.parents[parent.field]!).read : tombstoneSizes(s.kind, s.clerkId).read;
    };
    const notNews = (s: State) => {
      facts.lookedAt += 1;
      facts.lookedAtBytes += toldBy(s);
    };
    /** A tombstone for `s`; `unfound`: of an object with no row, which the floor deletes without looking (it knows). */
    const tombstone = (s: State, unfound = false) => {
      facts.tombstones += 1;
      facts.tombstoneBytes += tombstoneSizes(s.kind, s.clerkId).written;
      if (unfound) facts.tombstoneLookups += 1;
    };
    /** Objects an earlier change of this delivery found stored or wrote: a receiver knows they have no tombstone. */
    const seenLive = new Set<string>();
    const heldParents = (s: State) =>
      kindNamed(s.kind).parents.filter((p) => s.parents[p.field] !== undefined && !seenLive.has(at(p.kind, s.parents[p.field]!))).length;
    let news = false;
    /** Whether every change of the event's own kind is the version already stored (or a repeated deletion). */
    let same = true;
    /** The event's own object, last seen: the 1 read of a delivery with no news reads it. */
    let subject: State | undefined;
    const asked = changesOfEvent(event.type, event.data);
    if (!("changes" in asked)) throw new Error(`floorCosts: the registry does not apply ${event.type}`);
    for (const c of asked.changes) {
      if (c.op === "delete") {
        const s = state(c.kind, c.clerkId, c.belongsTo ?? {});
        if (c.kind === own) [subject, same] = [s, same && s.gone === "deleted"];
        if (!s.stored) facts.absent += 1;
        if (c.kind === own && (!s.gone || s.gone === "deleted")) facts.deletions += 1;
        if (s.gone === "deleted") {
          notNews(s);
          continue;
        }
        // No row: a receiver checks the parents (a cascade may have removed it) before it leaves a tombstone.
        if (!s.stored) facts.parentChecks += heldParents(s);
        if (s.gone || parentGone(s)) {
          // Superseded in Clerk, its deletion still leaves a tombstone: a late version must not return once its rival goes.
          if (s.gone === "superseded" && !parentGone(s)) tombstone(s, true);
          notNews(s);
          continue;
        }
        news = true;
        if (s.stored) {
          change(cost, s);
          cost.ranges += 1;
        }
        tombstone(s, !s.stored);
        unstore(s, "deleted");
        for (const child of childrenOf(c.kind)) {
          let found = false;
          for (const m of states.values()) {
            if (m.kind !== child.kind.name || m.gone || m.parents[child.field] !== c.clerkId) continue;
            if (m.stored) {
              change(cost, m);
              found = true;
            }
            unstore(m, "parent");
          }
          if (found) {
            cost.ranges += 1;
            facts.childRanges += 1;
          }
        }
        continue;
      }
      const row = c.row as Record<string, unknown> & { clerkId: string; updatedAt: number };
      const s = state(c.kind, row.clerkId, row);
      if (s.stored) seenLive.add(at(c.kind, row.clerkId));
      if (c.kind === own) [subject, same] = [s, same && s.stored && row.updatedAt === s.version];
      const rival = s.key === undefined ? undefined : holders.get(s.key);
      const laterRival = rival !== undefined && rival !== s && createdLater(rival, s);
      if (!s.stored && !laterRival) facts.absent += 1;
      if (s.gone === "parent" || (!s.gone && parentGone(s))) facts.parentChecks += heldParents(s);
      if (s.gone || parentGone(s) || row.updatedAt <= s.version) {
        notNews(s);
        continue;
      }
      if (laterRival) {
        // Superseded: gone in Clerk, nothing to store.
        s.gone = "superseded";
        notNews(s);
        continue;
      }
      if (rival && rival !== s) {
        change(cost, rival);
        tombstone(rival);
        unstore(rival, "superseded");
      }
      facts.parentChecks += heldParents(s);
      facts.written[c.kind] = (facts.written[c.kind] ?? 0) + 1;
      news = true;
      const sizes = documentSizes(kindNamed(c.kind).table, row);
      if (s.stored) change(cost, s);
      else cost.writes += 1;
      cost.ranges += 1;
      cost.bytesWritten += sizes.written;
      Object.assign(s, { stored: true, version: row.updatedAt, size: sizes.read });
      seenLive.add(at(c.kind, row.clerkId));
      if (s.key !== undefined) holders.set(s.key, s);
    }
    if (news) return cost;
    // The 1 read that tells it so is the subject's: not one looked at beyond the floor.
    const told = subject ? toldBy(subject) : 0;
    facts.lookedAt -= 1;
    facts.lookedAtBytes -= told;
    return { reads: 1, writes: 0, ranges: 1, bytesRead: told, bytesWritten: 0, case: duplicate || same ? "duplicate" : "stale", facts };
  });
}
