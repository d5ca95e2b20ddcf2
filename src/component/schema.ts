import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { vListCursor } from "../shared/paging.js";
import { vSyncStatus } from "../shared/syncStatus.js";
import { userFields } from "../shared/validators.js";

const { runId: _runId, ...runStatusFields } = vSyncStatus.fields;

export default defineSchema({
  /** Clerk's users as of the newest event applied. Only live users: deleted ones move to `deletedUsers`. */
  users: defineTable({
    ...userFields,
    /**
     * When a resync last saw the user in Clerk's list or by id (backfill.ts); absent if none has.
     * Written with the row itself, so a sighting costs no document of its own. Internal: `toUser`
     * (userView.ts) strips it from every row that leaves the component, so `User` and hooks see
     * Clerk's data only. Reconcile reads the stale end of `by_resync_seen_at`.
     */
    resyncSeenAt: v.optional(v.number()),
  })
    .index("by_clerk_id", ["clerkId"])
    .index("by_email", ["email"])
    .index("by_resync_seen_at", ["resyncSeenAt"]),
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
    /**
     * `_creationTime` of the newest user row when the run started: reconcile considers rows up to
     * it. Later rows were written during the run (by a webhook), so Clerk had them after it started.
     */
    existingUpTo: v.number(),
    cursor: vListCursor,
    /** Reconcile's place in `users.by_resync_seen_at` (a paginator cursor; null: from the start). */
    unseenCursor: v.optional(v.union(v.string(), v.null())),
  }).index("by_state", ["state"]),
});
