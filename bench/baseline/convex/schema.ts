import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// Convex's Clerk guide's `users` table, widened to the profile fields this package
// stores so bytes written compare like for like.
export default defineSchema({
  users: defineTable({
    externalId: v.string(), // Clerk's user id
    name: v.string(),
    email: v.optional(v.string()),
    emailVerified: v.optional(v.boolean()),
    username: v.optional(v.string()),
    firstName: v.optional(v.string()),
    lastName: v.optional(v.string()),
    imageUrl: v.optional(v.string()),
    publicMetadata: v.optional(v.any()),
    createdAt: v.optional(v.number()),
    updatedAt: v.optional(v.number()),
    lastSignInAt: v.optional(v.number()),
  }).index("byExternalId", ["externalId"]),
  // The guide's pattern applied to memberships (memberships.ts): the fields this package stores.
  memberships: defineTable({
    externalId: v.string(), // Clerk's membership id
    orgId: v.string(),
    userId: v.string(),
    role: v.string(),
    permissions: v.array(v.string()),
    publicMetadata: v.optional(v.any()),
    identifier: v.optional(v.string()),
    firstName: v.optional(v.string()),
    lastName: v.optional(v.string()),
    imageUrl: v.optional(v.string()),
    createdAt: v.optional(v.number()),
    updatedAt: v.number(),
  })
    .index("byExternalId", ["externalId"])
    .index("byOrgUser", ["orgId", "userId"]),
  // Clerk Billing by hand (billing.ts): the fields this package stores of an item.
  items: defineTable({
    externalId: v.string(), // Clerk's subscription item id
    payerId: v.optional(v.string()),
    userId: v.optional(v.string()),
    orgId: v.optional(v.string()),
    status: v.string(),
    subscriptionId: v.optional(v.string()),
    planId: v.optional(v.string()),
    planSlug: v.optional(v.string()),
    planName: v.optional(v.string()),
    interval: v.optional(v.string()),
    isFreeTrial: v.boolean(),
    periodStart: v.optional(v.number()),
    periodEnd: v.optional(v.number()),
    seats: v.optional(v.number()),
    createdAt: v.optional(v.number()),
    updatedAt: v.number(),
  }).index("byExternalId", ["externalId"]),
  // The second endpoint's own write (events.ts): one row per delivery it receives.
  auditLog: defineTable({ svixId: v.string(), type: v.string() }),
});
