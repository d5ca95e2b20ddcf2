/**
 * Indexes for convex-test's in-memory database, for bench/sync.ts only.
 *
 * convex-test answers every `withIndex(...)` query by scanning every document of every table,
 * so a lookup costs O(documents) and a 100,000-user sync O(users²). A deployment answers it
 * from a B-tree. This patch answers index ranges that start with an equality (`q.eq(...)`,
 * every lookup the example's hooks make) from a hash of the committed and pending documents,
 * and other ranges on an index's first field (`q.gte(...).lt(...)`, the sync's reads of a page's
 * ids and window) from a sorted list of that field's values. Each hit is re-read and re-checked against
 * the whole range, so results are the same; anything else falls back to convex-test's scan.
 *
 * Needs `bench/sync.vitest.config.ts`, which exports the internals used here.
 */
import * as convexTestModule from "convex-test";
import { compareValues, jsonToConvex, type JSONValue, type Value } from "convex/values";

type Doc = Record<string, Value> & { _id: string };
type RangeExpr = { type: "Eq" | "Gt" | "Gte" | "Lt" | "Lte"; fieldPath: string; value: JSONValue };
type Query = {
  source: { type: string; indexName: string; range: RangeExpr[]; order?: "asc" | "desc" };
  operators: Array<{ filter?: unknown; limit?: number }>;
};
/** Ids by field value (a superset: ids are added on every write, never removed), and the field's values in Convex's order. */
type Index = { byKey: Map<string, Set<string>>; values: Array<Value | undefined> };
type Fake = {
  _documents: Record<string, Doc | null>;
  _writes: Array<Record<string, Doc | null>>;
  _schema: { tables: Map<string, { indexes: Array<{ indexDescriptor: string; fields: string[] }> }> } | null;
  __indexes?: Map<string, Map<string, Index>>;
  get(table: string, id: string): Doc | null;
};
type Internals = {
  __DatabaseFake: { prototype: Record<string, unknown> };
  __evaluateRangeFilter(doc: Doc, expr: RangeExpr): boolean;
  __evaluateFilter(doc: Doc, filter: unknown): boolean;
  __tableNameFromId(id: string): string | null;
  __evaluateFieldPath(fieldPath: string, doc: Doc): Value | undefined;
};

export function installHashIndexes() {
  const internals = convexTestModule as unknown as Internals;
  if (!internals.__DatabaseFake) throw new Error("run with --config bench/sync.vitest.config.ts");
  const { __evaluateRangeFilter: inRange, __evaluateFilter: matches, __tableNameFromId: tableOf, __evaluateFieldPath: field } = internals;
  const proto = internals.__DatabaseFake.prototype as Record<string, unknown> & { __hashIndexes?: true };
  if (proto.__hashIndexes) return;
  proto.__hashIndexes = true;

  const keyOf = (value: unknown) =>
    value === undefined
      ? "u"
      : typeof value === "string"
        ? `s${value}`
        : typeof value === "number"
          ? `n${value}`
          : typeof value === "boolean"
            ? `b${value}`
            : null;
  // First position in `sorted` not before `value` (after it, with `after`).
  const bound = (sorted: Array<Value | undefined>, value: Value | undefined, after = false) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = compareValues(sorted[mid] as Value, value as Value);
      if (c < 0 || (after && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const add = (index: Index, value: Value | undefined, id: string) => {
    const key = keyOf(value);
    if (key === null) return;
    let ids = index.byKey.get(key);
    if (!ids) {
      index.byKey.set(key, (ids = new Set()));
      index.values.splice(bound(index.values, value), 0, value);
    }
    ids.add(id);
  };

  function indexFor(db: Fake, table: string, fieldPath: string): Index {
    db.__indexes ??= new Map();
    let byField = db.__indexes.get(table);
    if (!byField) db.__indexes.set(table, (byField = new Map()));
    let index = byField.get(fieldPath);
    if (!index) {
      const built: Index = { byKey: new Map(), values: [] };
      const visit = (id: string, doc: Doc | null) => {
        if (doc && tableOf(id) === table) add(built, field(fieldPath, doc), id);
      };
      for (const [id, doc] of Object.entries(db._documents)) visit(id, doc);
      for (const layer of db._writes) for (const [id, doc] of Object.entries(layer)) visit(id, doc);
      byField.set(fieldPath, (index = built));
    }
    return index;
  }

  const addWrite = proto._addWrite as (this: Fake, id: string, value: Doc | null) => void;
  proto._addWrite = function (this: Fake, id: string, value: Doc | null) {
    addWrite.call(this, id, value);
    const byField = value && this.__indexes?.get(tableOf(id) ?? "");
    if (byField) for (const [fieldPath, index] of byField) add(index, field(fieldPath, value), id);
  };

  const resolve = proto._resolveQuerySource as (this: Fake, query: Query) => unknown;
  proto._resolveQuerySource = function (this: Fake, query: Query) {
    const { source } = query;
    if (source.type !== "IndexRange" || !source.range?.length) return resolve.call(this, query);
    const [table, indexName] = source.indexName.split(".") as [string, string];
    const schemaIndex = this._schema?.tables.get(table)?.indexes.find((i) => i.indexDescriptor === indexName);
    const ids = schemaIndex && candidates(this, table, schemaIndex.fields[0]!, source.range);
    if (!ids) return resolve.call(this, query);
    const fields = [...schemaIndex.fields, "_creationTime", "_id"];
    const docs: Doc[] = [];
    for (const id of ids) {
      const doc = this.get(table, id);
      if (doc && source.range.every((expr) => inRange(doc, expr))) docs.push(doc);
    }
    const order = source.order ?? "asc";
    docs.sort((a, b) => {
      for (const fp of fields) {
        const c = compareValues(field(fp, a) as Value, field(fp, b) as Value);
        if (c !== 0) return order === "asc" ? c : -c;
      }
      return 0;
    });
    const filters = query.operators.filter((op) => "filter" in op).map((op) => op.filter);
    const limit = query.operators.find((op) => "limit" in op)?.limit ?? null;
    return { sortedDocs: docs, filterFn: (doc: Doc) => filters.every((f) => matches(doc, f)), limit, fieldPathsToSortBy: fields, order };
  };

  /** Ids that may be in the range on the index's first field, or null to let convex-test scan. */
  function candidates(db: Fake, table: string, firstField: string, range: RangeExpr[]): Iterable<string> | null {
    const value = (expr: RangeExpr) => {
      const raw = expr.value as unknown;
      return typeof raw === "object" && raw !== null && "$undefined" in raw ? undefined : jsonToConvex(expr.value);
    };
    const onFirst = range.filter((expr) => expr.fieldPath === firstField);
    const eq = onFirst.find((expr) => expr.type === "Eq");
    if (eq) {
      const key = keyOf(value(eq));
      return key === null ? null : (indexFor(db, table, firstField).byKey.get(key) ?? []);
    }
    const lower = onFirst.find((expr) => expr.type === "Gt" || expr.type === "Gte");
    const upper = onFirst.find((expr) => expr.type === "Lt" || expr.type === "Lte");
    const index = indexFor(db, table, firstField);
    const values = index.values.slice(
      lower ? bound(index.values, value(lower), lower.type === "Gt") : 0,
      upper ? bound(index.values, value(upper), upper.type === "Lte") : index.values.length,
    );
    return values.flatMap((v) => [...(index.byKey.get(keyOf(v)!) ?? [])]);
  }
}
