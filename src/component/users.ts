import { paginator } from "convex-helpers/server/pagination";
import { paginationOptsValidator, paginationResultValidator } from "convex/server";
import { v } from "convex/values";
import { vUser } from "../shared/validators.js";
import { query } from "./_generated/server.js";
import schema from "./schema.js";

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

/** Pages through synced users in Clerk id order. */
export const list = query({
  args: { paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(vUser),
  // The built-in `.paginate()` is not available inside components; this paginator is.
  handler: (ctx, { paginationOpts }) =>
    paginator(ctx.db, schema).query("users").withIndex("by_clerk_id").paginate(paginationOpts),
});
