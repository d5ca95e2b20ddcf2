import { paginationOptsValidator, paginationResultValidator } from "convex/server";
import { v } from "convex/values";
import { vOrganization } from "../shared/validators.js";
import { query } from "./_generated/server.js";
import { holderOf, MAX_HOLDERS, pageByKey } from "./lists.js";

const vOrganizationOrNull = v.union(vOrganization, v.null());

/** The synced organization with this Clerk id (`org_...`), or null. */
export const getByClerkId = query({
  args: { clerkId: v.string() },
  returns: vOrganizationOrNull,
  handler: (ctx, { clerkId }) =>
    ctx.db
      .query("organizations")
      .withIndex("by_clerk_id", (q) => q.eq("clerkId", clerkId))
      .unique(),
});

/**
 * The synced organization with this slug, or null. While two organizations trade a slug,
 * deliveries can leave both rows holding it for a moment: the one Clerk updated last holds it.
 */
export const getBySlug = query({
  args: { slug: v.string() },
  returns: vOrganizationOrNull,
  handler: async (ctx, { slug }) =>
    holderOf(
      await ctx.db
        .query("organizations")
        .withIndex("by_slug", (q) => q.eq("slug", slug))
        .take(MAX_HOLDERS),
    ),
});

/** Pages through synced organizations in Clerk id order, up to 1,000 a page. */
export const list = query({
  args: { paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(vOrganization),
  handler: (ctx, { paginationOpts }) =>
    pageByKey(
      paginationOpts,
      (after, limit) =>
        ctx.db
          .query("organizations")
          .withIndex("by_clerk_id", (q) => (after === undefined ? q : q.gt("clerkId", after)))
          .take(limit),
      (row) => row.clerkId,
    ),
});
