import { paginationOptsValidator, paginationResultValidator } from "convex/server";
import { v } from "convex/values";
import { vUser } from "../shared/validators.js";
import { query } from "./_generated/server.js";
import { holderOf, MAX_HOLDERS, pageByKey } from "./lists.js";

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

/**
 * The synced user whose primary email is this one (case-insensitive), or null. While two users
 * trade an address, deliveries can leave both rows holding it for a moment: the one Clerk updated
 * last is the address's holder.
 */
export const getByEmail = query({
  args: { email: v.string() },
  returns: vUserOrNull,
  handler: async (ctx, { email }) =>
    holderOf(
      await ctx.db
        .query("users")
        .withIndex("by_email", (q) => q.eq("email", email.toLowerCase()))
        .take(MAX_HOLDERS),
    ),
});

/** Pages through synced users in Clerk id order, up to 1,000 a page. */
export const list = query({
  args: { paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(vUser),
  handler: (ctx, { paginationOpts }) =>
    pageByKey(
      paginationOpts,
      (after, limit) =>
        ctx.db
          .query("users")
          .withIndex("by_clerk_id", (q) => (after === undefined ? q : q.gt("clerkId", after)))
          .take(limit),
      (row) => row.clerkId,
    ),
});
