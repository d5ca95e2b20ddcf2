import { v } from "convex/values";
import { organization, vOrganization } from "../shared/kinds/organization.js";
import { query } from "./_generated/server.js";
import { holderOf, MAX_HOLDERS } from "./lists.js";
import { kindReads } from "./reads.js";

const vOrganizationOrNull = v.union(vOrganization, v.null());

/** `getByClerkId({ clerkId })`: the synced organization with this Clerk id (`org_...`), or null. `list({ paginationOpts })`: every organization in Clerk id order. */
export const { getByClerkId, list } = kindReads(organization);

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
        .query(organization.table)
        .withIndex("by_slug", (q) => q.eq("slug", slug))
        .take(MAX_HOLDERS),
    ),
});
