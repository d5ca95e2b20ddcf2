import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { vListCursor } from "../shared/paging.js";
import { vSyncStatus } from "../shared/syncStatus.js";
import { userFields } from "../shared/validators.js";

const { runId: _runId, ...runStatusFields } = vSyncStatus.fields;

export default defineSchema({
  /** Clerk's users as of the newest event applied. Only live users: deleted ones move to `deletedUsers`. */
  users: defineTable(userFields).index("by_clerk_id", ["clerkId"]).index("by_email", ["email"]),
  /**
   * Tombstones: Clerk never reuses a user id, so once deleted a user stays deleted,
   * and a late `user.updated` or backfilled page must not bring it back.
   */
  deletedUsers: defineTable({ clerkId: v.string(), deletedAt: v.number() }).index("by_clerk_id", ["clerkId"]),
  /** Resync runs (backfill.ts): progress, cursor and last error of each; the latest few are kept. */
  syncRuns: defineTable({
    // What the status query shows (its `runId` is this row's `_id`)...
    ...runStatusFields,
    // ...and what only the run's own steps read.
    /** Token of the action step allowed to write this run; a step that lost it stops. */
    lease: v.string(),
    /** `_creationTime` of the newest user row when the run started: rows up to it are reconciled by it. */
    existingUpTo: v.number(),
    /** `existingUpTo` of the last completed run (0 if none): older rows were all seen or re-checked by it. */
    reconcileFrom: v.number(),
    cursor: vListCursor,
    /** Reconcile: `stale` reads old `syncSeen` entries, then `unseen` pages through rows never seen. */
    reconcileStage: v.optional(v.union(v.literal("stale"), v.literal("unseen"))),
    unseenCursor: v.optional(v.union(v.string(), v.null())),
  }).index("by_state", ["state"]),
  /**
   * When a resync last saw each user in Clerk's list (backfill.ts). Kept beside `users`, not in
   * it, so rows, hooks and `User` stay exactly Clerk's data. Reconcile reads the stale end of
   * `by_seen_at` to find users a complete pass did not see.
   */
  syncSeen: defineTable({ clerkId: v.string(), seenAt: v.number() }).index("by_clerk_id", ["clerkId"]).index("by_seen_at", ["seenAt"]),
});
