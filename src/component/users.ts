import { v } from "convex/values";
import { user, vUser } from "../shared/kinds/user.js";
import { query } from "./_generated/server.js";
import { holderOf, MAX_HOLDERS } from "./lists.js";
import { kindReads } from "./reads.js";

// Returned rows are validated against the public `User` shape; `_id` crosses into the app as a string.
const vUserOrNull = v.union(vUser, v.null());

/** `getByClerkId({ clerkId })`: the synced user with this Clerk id (`identity.subject`), or null. `list({ paginationOpts })`: every user in Clerk id order. */
export const { getByClerkId, list } = kindReads(user);

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
        .query(user.table)
        .withIndex("by_email", (q) => q.eq("email", email.toLowerCase()))
        .take(MAX_HOLDERS),
    ),
});
