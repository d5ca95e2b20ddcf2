import { paginationOptsValidator, paginationResultValidator } from "convex/server";
import { v } from "convex/values";
import { vUser } from "../shared/validators.js";
import { query } from "./_generated/server.js";

// Returned rows are validated against the public `User` shape; `_id` crosses into the app as a string.
const vUserOrNull = v.union(vUser, v.null());

/** The synced user with this Clerk id (`identity.subject`), or null. */
export const getByClerkId = query({
  args: { clerkId: v.string() },
  returns: vUserOrNull,
  handler: (ctx, { clerkId }) =>
    ctx.db
      .query("users")
      .withIndex("by_clerk_id", (q) => q.eq("clerkId", clerkId))
      .unique(),
});

/** The synced user whose primary email is this one (case-insensitive), or null. */
export const getByEmail = query({
  args: { email: v.string() },
  returns: vUserOrNull,
  handler: (ctx, { email }) =>
    ctx.db
      .query("users")
      .withIndex("by_email", (q) => q.eq("email", email.toLowerCase()))
      .first(),
});

/** Most rows one page returns, whatever `numItems` asks: a page stays far inside Convex's read limits. */
export const MAX_PAGE_SIZE = 1000;

/**
 * Pages through synced users in Clerk id order. The cursor is the last Clerk id returned,
 * so a page is one range read of `by_clerk_id` (the built-in `.paginate()` is not available
 * inside components, and a paginator library would load into every query of this module).
 */
export const list = query({
  args: { paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(vUser),
  handler: async (ctx, { paginationOpts }) => {
    const size = Math.max(1, Math.min(Math.floor(paginationOpts.numItems), MAX_PAGE_SIZE));
    const after = paginationOpts.cursor;
    const rows = await ctx.db
      .query("users")
      .withIndex("by_clerk_id", (q) => (after ? q.gt("clerkId", after) : q))
      .take(size + 1);
    const page = rows.slice(0, size);
    const isDone = rows.length <= size;
    return { page, isDone, continueCursor: isDone ? "" : page[page.length - 1]!.clerkId };
  },
});
