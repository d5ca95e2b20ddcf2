import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  /** The app's own per-user data, kept in step by the component's hooks. */
  profiles: defineTable({
    clerkId: v.string(),
    displayName: v.string(),
    versions: v.number(),
  }).index("by_clerk_id", ["clerkId"]),
  /** An organization's projects: any member sees them, an admin removes them. */
  projects: defineTable({
    orgId: v.string(),
    name: v.string(),
  }).index("by_org", ["orgId"]),
  messages: defineTable({
    clerkId: v.string(),
    author: v.string(),
    body: v.string(),
    pro: v.boolean(),
  }).index("by_clerk_id", ["clerkId"]),
});
