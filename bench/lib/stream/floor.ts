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
 */
import { createdLater } from "../../../src/component/ordering.js";
import { changesOfEvent, childrenOf, kindNamed } from "../../../src/shared/kinds/registry.js";
import type { Stream } from "./generate.js";

export type FloorCost = { reads: number; writes: number };

type State = {
  kind: string;
  clerkId: string;
  createdAt?: number;
  stored: boolean;
  /** Deleted, with a parent, or superseded: nothing about it is news any more. */
  gone: boolean;
  version: number;
  /** Parents' Clerk ids by the field holding them (`orgId`). */
  parents: Record<string, string>;
  /** Its unique key's value, for a kind that has one. */
  key?: string;
};

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
      gone: false,
      version: -Infinity,
      parents,
      ...(unique ? { key: `${kind}|${unique.fields.map((f) => fields[f]).join("|")}` } : {}),
    };
    states.set(at(kind, clerkId), created);
    return created;
  };
  const change = (cost: FloorCost, stored: boolean) => {
    cost.reads += stored ? 2 : 0;
    cost.writes += 1;
  };
  const unstore = (s: State) => {
    s.stored = false;
    s.gone = true;
    if (s.key !== undefined && holders.get(s.key) === s) holders.delete(s.key);
  };
  const parentGone = (s: State) => kindNamed(s.kind).parents.some((p) => s.parents[p.field] !== undefined && states.get(at(p.kind, s.parents[p.field]!))?.gone);

  return stream.events.map(({ event }) => {
    const cost: FloorCost = { reads: 0, writes: 0 };
    let news = false;
    const asked = changesOfEvent(event.type, event.data);
    if (!("changes" in asked)) throw new Error(`floorCosts: the registry does not apply ${event.type}`);
    for (const c of asked.changes) {
      if (c.op === "delete") {
        const s = state(c.kind, c.clerkId, c.belongsTo ?? {});
        if (s.gone) continue;
        news = true;
        if (s.stored) change(cost, true);
        unstore(s);
        for (const child of childrenOf(c.kind)) {
          for (const m of states.values()) {
            if (m.kind !== child.kind.name || m.gone || m.parents[child.field] !== c.clerkId) continue;
            if (m.stored) change(cost, true);
            unstore(m);
          }
        }
        continue;
      }
      const row = c.row as Record<string, unknown> & { clerkId: string; updatedAt: number };
      const s = state(c.kind, row.clerkId, row);
      if (s.gone || parentGone(s) || row.updatedAt <= s.version) continue;
      const rival = s.key === undefined ? undefined : holders.get(s.key);
      if (rival && rival !== s) {
        if (createdLater(rival, s)) {
          // Superseded: gone in Clerk, nothing to store.
          s.gone = true;
          continue;
        }
        change(cost, true);
        unstore(rival);
      }
      news = true;
      change(cost, s.stored);
      Object.assign(s, { stored: true, version: row.updatedAt });
      if (s.key !== undefined) holders.set(s.key, s);
    }
    return news ? cost : { reads: 1, writes: 0 };
  });
}
