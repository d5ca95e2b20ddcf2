import { getConvexSize, v, type Value } from "convex/values";
import { user, type User } from "../shared/kinds/user.js";
import { PERSONAL_KINDS, vUserExport, type UserExport } from "../shared/privacy.js";
import type { KindName } from "../shared/kinds/registry.js";
import { query, type QueryCtx } from "./_generated/server.js";
import { isDeleted, rowOf } from "./apply.js";
import { KINDS } from "./kinds.js";
import { LIMITS } from "./limits.js";
import { kindReader, type Row } from "./rows.js";

/**
 * The privacy export: what the component holds about one person, in one query, for an access
 * request (shared/privacy.ts says what is in it). Rows are returned as stored: while a deletion's
 * cascade runs, the rows it has not removed yet are still listed (and `deleted` is true).
 */

/**
 * Every document the component holds about the user `clerkId`, bounded so one query stays within
 * Convex's read limits: a kind cut short is named in `truncated`.
 * ```ts
 * const data = await ctx.runQuery(components.clerkUsers.privacy.exportUser, { clerkId: "user_..." });
 * ```
 */
export const exportUser = query({
  args: { clerkId: v.string() },
  returns: vUserExport,
  handler: async (ctx, { clerkId }): Promise<UserExport> => {
    const person = await rowOf(ctx, user.name, clerkId);
    const deleted = person ? false : await isDeleted(ctx, user.name, clerkId);
    const values = await addressedValues(ctx, clerkId, person);
    const budget = { bytes: LIMITS.exportBytes - (person ? getConvexSize(person as Value) : 0) };
    const rows: Record<string, Row[]> = {};
    const truncated: KindName[] = [];
    for (const kind of PERSONAL_KINDS) {
      const { rows: found, cut } = await rowsOf(ctx, kind.name, clerkId, values, budget);
      rows[kind.name] = found;
      if (cut) truncated.push(kind.name);
    }
    return { clerkId, user: person as User | null, deleted, rows: rows as UserExport["rows"], truncated };
  },
});

/**
 * The values rows are addressed to the user by (their email address), per addressed kind: from
 * their stored row, or, once it is deleted, from the erasures its cascade still holds.
 */
async function addressedValues(ctx: QueryCtx, clerkId: string, person: Row | null): Promise<string[]> {
  if (person) return [...new Set(KINDS[user.name].addressed.map((to) => to.valueOf(person)).filter((value) => value !== undefined))];
  const erasures = await ctx.db
    .query("erasures")
    .withIndex("by_clerk_id", (q) => q.eq("kind", user.name).eq("clerkId", clerkId))
    .collect();
  return erasures.map((erasure) => erasure.value);
}

/**
 * The user's rows of one kind (by each parent field naming them, and each value they are
 * addressed to), each once, at most `LIMITS.exportRowsPerKind` and the bytes left: `cut` when
 * more were there.
 */
async function rowsOf(ctx: QueryCtx, kind: KindName, clerkId: string, values: string[], budget: { bytes: number }) {
  const spec = KINDS[user.name];
  const lists = [
    ...spec.children.filter((child) => child.kind === kind).map((child) => ({ ...child, value: clerkId })),
    ...spec.addressed.filter((to) => to.kind === kind).flatMap((to) => values.map((value) => ({ ...to, value }))),
  ];
  const found = new Map<string, Row>();
  for (const { index, field, value } of lists) {
    // Read row by row, so that a bound reached stops the reads too.
    const query = kindReader(ctx)
      .query(KINDS[kind].table)
      .withIndex(index, (q) => q.eq(field, value));
    for await (const row of query) {
      if (found.has(row._id)) continue;
      const size = getConvexSize(row as Value);
      if (found.size >= LIMITS.exportRowsPerKind || size > budget.bytes) return { rows: [...found.values()], cut: true };
      found.set(row._id, row);
      budget.bytes -= size;
    }
  }
  return { rows: [...found.values()], cut: false };
}
