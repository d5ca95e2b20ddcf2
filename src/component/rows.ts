import type { GenericDatabaseReader, GenericDatabaseWriter, IndexRange, IndexRangeBuilder } from "convex/server";
import type { GenericId, GenericValidator, Value } from "convex/values";
import type { KindTable } from "../shared/kinds/registry.js";
import type { MutationCtx, QueryCtx } from "./_generated/server.js";

/**
 * The engine's one view of the synced kinds' tables: every one holds rows with a Clerk id and
 * Clerk's times, and has the indexes schema.ts's `kindTable` gives it (`by_clerk_id`,
 * `by_created_at`) plus those its kind's parents and unique key name. The engine reads and
 * writes any kind through this view, so it never names a table's own type.
 */

/** A stored row of any kind. */
export type Row = {
  _id: GenericId<KindTable>;
  _creationTime: number;
  clerkId: string;
  updatedAt: number;
} & {
  createdAt?: number;
  /** Only users: a row made from a token before the webhook (kinds/user.ts). */
  provisional?: true;
} & Record<string, Value>;

type KindTableInfo = {
  document: Row;
  fieldPaths: string;
  indexes: Record<string, string[]>;
  searchIndexes: Record<string, never>;
  vectorIndexes: Record<string, never>;
};
type KindsDataModel = Record<KindTable, KindTableInfo>;

/**
 * `ctx.db` seen through the kinds' common shape. The schema's own types know each table apart;
 * this view is what every kind's table has in common, which is all the engine may rely on.
 */
export function kindReader(ctx: QueryCtx): GenericDatabaseReader<KindsDataModel> {
  return ctx.db as unknown as GenericDatabaseReader<KindsDataModel>;
}

export function kindWriter(ctx: MutationCtx): GenericDatabaseWriter<KindsDataModel> {
  return ctx.db as unknown as GenericDatabaseWriter<KindsDataModel>;
}

/**
 * The range of an index whose first fields equal `key`'s values, in the order of `fields`: a
 * unique key or a parent's id, of any number of fields. The builder's type counts fields one
 * literal at a time, which a list of fields known only at run time cannot satisfy.
 */
export function withKey(fields: readonly string[], key: Record<string, unknown>) {
  return (q: IndexRangeBuilder<Row, string[]>): IndexRange => {
    let range: IndexRange | IndexRangeBuilder<Row, string[], number> = q;
    for (const field of fields) range = (range as IndexRangeBuilder<Row, string[], number>).eq(field, key[field] as Value);
    return range as IndexRange;
  };
}

/** A row read from a kind's table is a document of the kind (`doc`, its validator): the schema made that table of its fields. */
export function asDoc<V extends GenericValidator>(_doc: V, row: Row): V["type"] {
  return row as V["type"];
}
