import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// The users live in the component. The app's one table is what its `onEvent` writes (events.ts),
// which only the onEvent measurement's backend calls (bench/lib/onEvent.ts).
export default defineSchema({
  auditLog: defineTable({ svixId: v.string(), type: v.string() }),
});
