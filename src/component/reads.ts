import { paginationOptsValidator, paginationResultValidator } from "convex/server";
import { v } from "convex/values";
import { docValidator } from "../shared/kinds/define.js";
import type { AnyKind } from "../shared/kinds/registry.js";
import { query, type QueryCtx } from "./_generated/server.js";
import { rowOf } from "./apply.js";
import { awaitsCascade } from "./cascades.js";
import { pageByKey } from "./lists.js";
import { asDoc, kindReader, type Row } from "./rows.js";

/**
 * The reads every kind has, made once for any kind: its row by Clerk id, and its rows paged in
 * Clerk id order. A row whose parent is deleted (its cascade still running) is never returned:
 * what every read hides (`awaitsCascade`). Returned rows are validated against the kind's public
 * document shape; `_id` crosses into the app as a string.
 * ```ts
 * export const { getByClerkId, list } = kindReads(user);
 * ```
 */
export function kindReads<K extends AnyKind>(kind: K) {
  const vDoc = docValidator(kind.fields);
  const visible = async (ctx: QueryCtx, row: Row | null): Promise<typeof vDoc.type | null> =>
    row && !(await awaitsCascade(ctx, kind.name, row)) ? asDoc(vDoc, row) : null;
  return {
    /** The synced object with this Clerk id, or null. */
    getByClerkId: query({
      args: { clerkId: v.string() },
      returns: v.union(vDoc, v.null()),
      handler: async (ctx, { clerkId }) => visible(ctx, await rowOf(ctx, kind.name, clerkId)),
    }),
    /** Pages through the synced objects in Clerk id order, up to 1,000 a page. */
    list: query({
      args: { paginationOpts: paginationOptsValidator },
      returns: paginationResultValidator(vDoc),
      handler: async (ctx, { paginationOpts }) => {
        const page = await pageByKey(
          paginationOpts,
          (after, limit) =>
            kindReader(ctx)
              .query(kind.table)
              .withIndex("by_clerk_id", (q) => (after === undefined ? q : q.gt("clerkId", after)))
              .take(limit),
          (row) => row.clerkId,
          async (row) => !(await awaitsCascade(ctx, kind.name, row)),
        );
        return { ...page, page: page.page.map((row) => asDoc(vDoc, row)) };
      },
    }),
  };
}
