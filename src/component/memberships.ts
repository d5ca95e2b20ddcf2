import { paginationOptsValidator, paginationResultValidator } from "convex/server";
import { v } from "convex/values";
import { membership, vMembership } from "../shared/kinds/membership.js";
import { organization, vOrganization } from "../shared/kinds/organization.js";
import type { Doc } from "./_generated/dataModel.js";
import { query } from "./_generated/server.js";
import { rowOf } from "./apply.js";
import { awaitsCascade } from "./cascades.js";
import { MAX_PAGE_SIZE, pageByKey } from "./lists.js";
import { asDoc } from "./rows.js";
import { createdLater } from "./ordering.js";

/**
 * Reads of memberships. A membership whose organization or user is deleted is never returned,
 * even while the cascade that removes it (cascades.ts) is still running: each read asks
 * `awaitsCascade`, one index range (and no document) while no cascade runs.
 */

/**
 * The membership of user `userId` (Clerk's user id) in organization `orgId`, or null. Clerk keeps
 * one per pair; while deliveries of a leave and a rejoin cross, the one created last is returned.
 */
export const get = query({
  args: { orgId: v.string(), userId: v.string() },
  returns: v.union(vMembership, v.null()),
  handler: async (ctx, { orgId, userId }) => {
    const rows = await ctx.db
      .query(membership.table)
      .withIndex("by_org_user", (q) => q.eq("orgId", orgId).eq("userId", userId))
      .take(10);
    if (rows.length === 0 || (await awaitsCascade(ctx, membership.name, { orgId, userId }))) return null;
    return newest(rows);
  },
});

/** Pages through an organization's members in user id order, up to 1,000 a page. */
export const listByOrganization = query({
  args: { orgId: v.string(), paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(vMembership),
  handler: async (ctx, { orgId, paginationOpts }) => {
    if (await awaitsCascade(ctx, membership.name, { orgId })) return { page: [], isDone: true, continueCursor: "" };
    return pageByKey(
      paginationOpts,
      (after, limit) =>
        ctx.db
          .query(membership.table)
          .withIndex("by_org_user", (q) => (after === undefined ? q.eq("orgId", orgId) : q.eq("orgId", orgId).gt("userId", after)))
          .take(limit),
      (row) => row.userId,
      async (row) => !(await awaitsCascade(ctx, membership.name, { userId: row.userId })),
    );
  },
});

/** Pages through a user's memberships in organization id order, up to 1,000 a page. */
export const listByUser = query({
  args: { userId: v.string(), paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(vMembership),
  handler: async (ctx, { userId, paginationOpts }) => {
    if (await awaitsCascade(ctx, membership.name, { userId })) return { page: [], isDone: true, continueCursor: "" };
    return pageByKey(
      paginationOpts,
      (after, limit) =>
        ctx.db
          .query(membership.table)
          .withIndex("by_user", (q) => (after === undefined ? q.eq("userId", userId) : q.eq("userId", userId).gt("orgId", after)))
          .take(limit),
      (row) => row.orgId,
      async (row) => !(await awaitsCascade(ctx, membership.name, { orgId: row.orgId })),
    );
  },
});

/**
 * Every organization user `userId` is a member of, with the membership, in organization id
 * order (at most 1,000). Organizations not synced yet are left out: there is nothing to show.
 */
export const organizationsOf = query({
  args: { userId: v.string() },
  returns: v.array(v.object({ organization: vOrganization, membership: vMembership })),
  handler: async (ctx, { userId }) => {
    if (await awaitsCascade(ctx, membership.name, { userId })) return [];
    const rows = await ctx.db
      .query(membership.table)
      .withIndex("by_user", (q) => q.eq("userId", userId))
      .take(MAX_PAGE_SIZE);
    const out = [];
    for (const member of onePerOrganization(rows)) {
      // A deleted organization's row is gone at once, so finding the row is the liveness check.
      const row = await rowOf(ctx, organization.name, member.orgId);
      if (row) out.push({ organization: asDoc(vOrganization, row), membership: member });
    }
    return out;
  },
});

function newest(rows: Doc<typeof membership.table>[]): Doc<typeof membership.table> {
  return rows.reduce((a, b) => (createdLater(b, a) ? b : a));
}

function onePerOrganization(rows: Doc<typeof membership.table>[]) {
  const byOrg = new Map<string, Doc<typeof membership.table>[]>();
  for (const row of rows) byOrg.set(row.orgId, [...(byOrg.get(row.orgId) ?? []), row]);
  return [...byOrg.values()].map(newest);
}
