/**
 * Hash indexes for convex-test's in-memory database, for bench/sync.ts only.
 *
 * convex-test answers every `withIndex(...)` query by scanning every document of every table,
 * so a lookup costs O(documents) and a 100,000-user sync O(users²). A deployment answers it
 * from a B-tree. This patch answers index ranges that start with an equality (`q.eq(...)`,
 * every lookup the sync and the example's hooks make) from a hash of the committed and pending
 * documents; each hit is re-read and re-checked against the whole range, so results are the
 * same, and anything else falls back to convex-test's own scan.
 *
 * Needs `bench/sync.vitest.config.ts`, which exports the internals used here.
 */
import * as convexTestModule from "convex-test";
import { compareValues, jsonToConvex, type JSONValue, type Value } from "convex/values";

type Doc = Record<string, Value> & { _id: string };
type RangeExpr = { type: "Eq" | "Gt" | "Gte" | "Lt" | "Lte"; fieldPath: string; value: JSONValue };
type Query = { source: { type: string; indexName: string; range: RangeExpr[]; order?: "asc" | "desc" }; operators: Array<{ filter?: unknown; limit?: number }> };
type Index = Map<string, Set<string>>;
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
    value === undefined ? "u" : typeof value === "string" ? `s${value}` : typeof value === "number" ? `n${value}` : typeof value === "boolean" ? `b${value}` : null;
  const add = (index: Index, key: string | null, id: string) => {
    if (key === null) return;
    let ids = index.get(key);
    if (!ids) index.set(key, (ids = new Set()));
    ids.add(id);
  };

  // A superset index: ids are added on every write and never removed; hits are re-checked.
  function indexFor(db: Fake, table: string, fieldPath: string): Index {
    db.__indexes ??= new Map();
    let byField = db.__indexes.get(table);
    if (!byField) db.__indexes.set(table, (byField = new Map()));
    let index = byField.get(fieldPath);
    if (!index) {
      const built: Index = new Map();
      const visit = (id: string, doc: Doc | null) => {
        if (doc && tableOf(id) === table) add(built, keyOf(field(fieldPath, doc)), id);
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
    if (byField) for (const [fieldPath, index] of byField) add(index, keyOf(field(fieldPath, value)), id);
  };

  const resolve = proto._resolveQuerySource as (this: Fake, query: Query) => unknown;
  proto._resolveQuerySource = function (this: Fake, query: Query) {
    const { source } = query;
    const first = source.range?.[0];
    if (source.type !== "IndexRange" || first?.type !== "Eq") return resolve.call(this, query);
    const [table, indexName] = source.indexName.split(".") as [string, string];
    const index = this._schema?.tables.get(table)?.indexes.find((i) => i.indexDescriptor === indexName);
    const raw = first.value as unknown;
    const key = keyOf(typeof raw === "object" && raw !== null && "$undefined" in raw ? undefined : jsonToConvex(first.value));
    if (!index || key === null) return resolve.call(this, query);
    const fields = [...index.fields, "_creationTime", "_id"];
    const docs: Doc[] = [];
    for (const id of indexFor(this, table, first.fieldPath).get(key) ?? []) {
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
}
