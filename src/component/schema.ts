import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { userFields } from "../shared/validators.js";

export default defineSchema({
  /** Clerk's users as of the newest event applied. Only live users: deleted ones move to `deletedUsers`. */
  users: defineTable(userFields).index("by_clerk_id", ["clerkId"]).index("by_email", ["email"]),
  /**
   * Tombstones: Clerk never reuses a user id, so once deleted a user stays deleted,
   * and a late `user.updated` or backfilled page must not bring it back.
   */
  deletedUsers: defineTable({ clerkId: v.string(), deletedAt: v.number() }).index("by_clerk_id", ["clerkId"]),
});
