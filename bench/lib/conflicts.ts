/**
 * Convex's optimistic concurrency rule, applied to the transactions instrument.ts records.
 *
 * A mutation runs against a snapshot and records its read set: every document it read by id
 * (`db.get`, and the document a `patch`, `replace` or `delete` loads before it writes) and every
 * index range it streamed (`.withIndex(...)`; a table scan is a range of `by_creation_time`). At
 * commit, if a transaction that committed after that snapshot wrote a document (insert, patch,
 * replace or delete) that falls within the read set, the mutation conflicts and is retried (and
 * fails after several retries: the "hot document"). A written document falls within:
 * - a document read by id: it is that document;
 * - an index range: its old or its new version's index key (the index's fields, then
 *   `_creationTime` and `_id`) is inside the range, for that index of its table. Convex records
 *   the part of a range a query actually read: to its end if the query exhausted it, else up to
 *   the last document it took (`.first()`, `.unique()` finding one, `.take(n)`), inclusive.
 * Queries run at a snapshot and never retry; only mutations are judged, and a mutation called by
 * a mutation is part of it (instrument.ts joins them). Writes of the same transaction never
 * conflict with it.
 *
 * A burst of deliveries is treated as fully concurrent (each started before any committed): a
 * pair (i < j) conflicts if either one's writes fall within the other's read set, whichever
 * commits first. The transactions are recorded by running the burst one delivery at a time, so a
 * range's stopping point and a write's old version are those of that run; the bursts are built so
 * that no delivery's reads depend on another's writes (distinct objects).
 */
import type { GenericSchema, SchemaDefinition } from "convex/server";
import type { Value } from "convex/values";
import type { DocWrite, RangeRead, Transaction, Where } from "./instrument.js";

/** An index's fields, as a schema declares them (without the `_creationTime`, `_id` suffix). */
export type IndexFields = (where: Where, table: string, index: string) => string[];

type AnySchema = SchemaDefinition<GenericSchema, boolean>;
type TableWithIndexes = { " indexes"(): { indexDescriptor: string; fields: string[] }[] };

/** The fields of every index of the app's schema and (if any) the component's. */
export function indexFieldsOf(schemas: Partial<Record<Where, AnySchema>>): IndexFields {
  return (where, table, index) => {
    if (index === "by_creation_time") return [];
    if (index === "by_id") return [];
    const definition = schemas[where]?.tables[table] as TableWithIndexes | undefined;
    const found = definition?.[" indexes"]().find((i) => i.indexDescriptor === index);
    if (!found) throw new Error(`conflicts: no index ${index} on ${where} table ${table}`);
    return found.fields;
  };
}

/** Convex's order of values across types: undefined < null < int64 < float64 < boolean < string < bytes < array < object. */
const RANK = (v: Key) =>
  v === undefined
    ? 0
    : v === null
      ? 1
      : typeof v === "bigint"
        ? 2
        : typeof v === "number"
          ? 3
          : typeof v === "boolean"
            ? 4
            : typeof v === "string"
              ? 5
              : v instanceof ArrayBuffer
                ? 6
                : Array.isArray(v)
                  ? 7
                  : 8;

type Key = Value | undefined | Key[];
export function compareValues(a: Key, b: Key): number {
  const [ra, rb] = [RANK(a), RANK(b)];
  if (ra !== rb) return ra - rb;
  if (ra <= 1) return 0;
  if (ra === 7) {
    const [x, y] = [a as Key[], b as Key[]];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = compareValues(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  if (ra === 8) return compareValues(JSON.stringify(a), JSON.stringify(b));
  if (ra === 6) return compareValues([...new Uint8Array(a as ArrayBuffer)], [...new Uint8Array(b as ArrayBuffer)]);
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

const fieldOf = (doc: Record<string, Value>, path: string): Value | undefined =>
  path
    .split(".")
    .reduce<Value | undefined>((v, key) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, Value>)[key] : undefined), doc);

/** A document's key in an index: its fields, then `_creationTime` and `_id` (`by_id`: `_id` alone). */
export const indexKey = (doc: Record<string, Value>, index: string, fields: string[]): Key[] =>
  index === "by_id" ? [doc._id] : [...fields.map((f) => fieldOf(doc, f)), doc._creationTime, doc._id];

/** Whether `doc` (a version of a document of the range's table) is inside the part of `range` that was read. */
export function inRange(range: RangeRead, doc: Record<string, Value>, fields: string[]): boolean {
  const inBounds = range.range.every((bound) => {
    const c = compareValues(fieldOf(doc, bound.fieldPath), bound.value);
    return bound.type === "Eq" ? c === 0 : bound.type === "Gt" ? c > 0 : bound.type === "Gte" ? c >= 0 : bound.type === "Lt" ? c < 0 : c <= 0;
  });
  if (!inBounds || range.stop === null) return inBounds;
  if (range.stop === "start") return false;
  const c = compareValues(indexKey(doc, range.index, fields), indexKey(range.stop, range.index, fields));
  return range.order === "asc" ? c <= 0 : c >= 0;
}

const op = (w: DocWrite) => (w.old === null ? "insert" : w.new === null ? "delete" : "patch");
const place = (where: Where) => (where === "component" ? "" : "app ");

/**
 * Why `reader` conflicts with a commit of `writer`: the first written document found in its read
 * set, as `<write> -> <read>` (`insert memberships -> range memberships.by_org`), or null.
 */
export function conflictOf(writer: Transaction, reader: Transaction, fields: IndexFields): string | null {
  for (const w of writer.writes) {
    const what = `${op(w)} ${place(w.where)}${w.table}`;
    for (const r of reader.ranges) {
      if (r.where !== w.where || r.table !== w.table) continue;
      const f = fields(r.where, r.table, r.index);
      if ((w.old && inRange(r, w.old, f)) || (w.new && inRange(r, w.new, f))) return `${what} -> range ${place(r.where)}${r.table}.${r.index}`;
    }
    if (reader.gets.some((g) => g.where === w.where && g.id === w.id)) return `${what} -> get ${place(w.where)}${w.table} by id`;
  }
  return null;
}

export type Conflicts = {
  /** Pairs of deliveries (i < j) of the burst that conflict. */
  pairs: number;
  /** The pairs by cause (the first found of each pair). */
  causes: Map<string, number>;
};

/**
 * The conflicting pairs among the first `n` deliveries of a burst, each delivery its mutation
 * transactions (queries never conflict).
 */
export function countConflicts(burst: readonly Transaction[][], n: number, fields: IndexFields): Conflicts {
  const mutations = burst.slice(0, n).map((txs) => txs.filter((tx) => tx.kind === "mutation"));
  const causes = new Map<string, number>();
  let pairs = 0;
  for (let i = 0; i < mutations.length; i++) {
    for (let j = i + 1; j < mutations.length; j++) {
      const cause = firstConflict(mutations[i]!, mutations[j]!, fields);
      if (cause === null) continue;
      pairs++;
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
  }
  return { pairs, causes };
}

function firstConflict(a: Transaction[], b: Transaction[], fields: IndexFields): string | null {
  for (const x of a)
    for (const y of b) {
      const cause = conflictOf(x, y, fields) ?? conflictOf(y, x, fields);
      if (cause !== null) return cause;
    }
  return null;
}
