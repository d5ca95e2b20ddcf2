import { defineSchema, defineTable } from "convex/server";
import { v, type PropertyValidators } from "convex/values";
import { vListCursor } from "../shared/paging.js";
import { deliveryRecordFields, healthHourFields } from "../shared/health.js";
import { vResyncStatus } from "../shared/resync.js";
import type { CommonFields } from "../shared/kinds/define.js";
import { invitation } from "../shared/kinds/invitation.js";
import { membership } from "../shared/kinds/membership.js";
import { organization } from "../shared/kinds/organization.js";
import { paymentAttempt } from "../shared/kinds/paymentAttempt.js";
import { subscriptionItem } from "../shared/kinds/subscriptionItem.js";
import { user } from "../shared/kinds/user.js";
import { planFields } from "../shared/billing.js";
import { vKind } from "../shared/validators.js";
import { vSpan } from "./resync/listing.js";

const { runId: _runId, ...runStatusFields } = vResyncStatus.fields;

/**
 * A synced kind's table, with the indexes the engine reads of every kind: by Clerk id (a change's
 * row) and by Clerk's creation time (a resync page's span: resync/listing.ts). A kind's parents
 * and unique key need more, added in its line below (test/component.rules.test.ts checks them).
 */
function kindTable<Fields extends PropertyValidators & CommonFields>(kind: { table: string; fields: Fields }) {
  return defineTable(kind.fields).index("by_clerk_id", ["clerkId"]).index("by_created_at", ["createdAt"]);
}

export default defineSchema({
  /** Clerk's users as of the newest event applied. Only live users: a deleted one leaves a tombstone. */
  users: kindTable(user)
    .index("by_email", ["email"])
    /** Rows made from a token before the webhook (`provisional: true`) by creation time: health's `silent`. */
    .index("by_provisional", ["provisional"]),
  /** Clerk's organizations as of the newest event applied. */
  organizations: kindTable(organization).index("by_slug", ["slug"]),
  /**
   * Memberships as of the newest event applied. `by_org_user` lists an organization's members
   * and finds one user's membership in it; `by_user` lists a user's organizations.
   */
  memberships: kindTable(membership).index("by_org_user", ["orgId", "userId"]).index("by_user", ["userId", "orgId"]),
  /** Clerk Billing's subscription items, by payer (`by_user`, `by_org`: one of the two is set) and by plan (who is on plan X). */
  subscriptionItems: kindTable(subscriptionItem)
    .index("by_user", ["userId", "status"])
    .index("by_org", ["orgId", "status"])
    .index("by_plan", ["planSlug", "status"])
    .index("by_status", ["status"])
    /** Items still current after their period ended: health's `billingOverdue` (health.ts). */
    .index("by_status_period_end", ["status", "periodEnd"]),
  /** Clerk Billing's payment attempts, by payer, newest first through `_creationTime`. */
  paymentAttempts: kindTable(paymentAttempt).index("by_user", ["userId"]).index("by_org", ["orgId"]),
  /**
   * Organization invitations: an organization's by status, oldest first (`by_org_status`: its
   * pending ones, and its cascade), every invitation to one address (`by_email`, lower-cased: a
   * user's deletion removes them), and those one user accepted (`by_user`: so does it).
   */
  invitations: kindTable(invitation)
    .index("by_org_status", ["orgId", "status", "createdAt"])
    .index("by_email", ["emailAddress", "createdAt"])
    .index("by_user", ["userId"]),
  /**
   * Clerk Billing's plans and their features, replaced whole by a resync with `billing: true`
   * (resync/plans.ts): the Backend API is their only source (no webhook), and a plan has no
   * `updated_at` to order copies by, so the newest complete listing is the truth.
   */
  billingPlans: defineTable(planFields).index("by_clerk_id", ["clerkId"]).index("by_slug", ["slug"]),
  /**
   * The trial ends `onTrialEnding` announced, one per item and trial end (billingHooks.ts): Clerk
   * may send `subscriptionItem.freeTrialEnding` again. Kept beside the item, whose row each version
   * replaces whole; removed with it (when its payer's deletion reaches the app's hooks).
   */
  trialNotices: defineTable({ itemId: v.string(), trialEndsAt: v.number() }).index("by_item", ["itemId", "trialEndsAt"]),
  /**
   * Tombstones of deleted users, organizations and memberships: Clerk never reuses an id, so once
   * deleted an object stays deleted, and a late event or a resync page must not bring it back.
   */
  tombstones: defineTable({ kind: vKind, clerkId: v.string(), deletedAt: v.number() })
    .index("by_clerk_id", ["kind", "clerkId"])
    /** Pruned after the retention period (prune.ts). */
    .index("by_deleted_at", ["deletedAt"]),
  /**
   * The value a deleted object's rows are addressed to (a deleted user's email address: kinds'
   * `addressedTo`), kept only while the deletion's cascade removes those rows (cascades.ts): reads
   * hide them meanwhile (`isOrphaned`), and each batch finds them by it. Deleted with the
   * cascade's last batch, so no tombstone ever holds it.
   */
  erasures: defineTable({ kind: vKind, clerkId: v.string(), value: v.string() }).index("by_clerk_id", ["kind", "clerkId"]).index("by_value", ["kind", "value"]),
  /**
   * Deletions whose cascade needs more than their own transaction (an organization of thousands
   * of members), one row each from the deletion until the cascade's last batch (cascades.ts).
   * Reads hide a child of a deleted object only while its cascade runs, so they read this table,
   * which is empty nearly always, in one range instead of a tombstone per parent (`awaitsCascade`).
   */
  cascades: defineTable({ kind: vKind, clerkId: v.string() }).index("by_clerk_id", ["kind", "clerkId"]),
  /** Resync runs (resync.ts): progress, cursor and last error of each; the latest few are kept. */
  resyncRuns: defineTable({
    // What the status query shows (its `runId` is this row's `_id`)...
    ...runStatusFields,
    // ...and what only the run's own steps read.
    /** Token of the action step allowed to write this run; a step that lost it stops. */
    lease: v.string(),
    /**
     * `_creationTime` of the newest row of the kind being listed when its listing started:
     * reconcile considers rows up to it. Later rows were written during the run (by a webhook),
     * so Clerk had them after the listing started.
     */
    existingUpTo: v.number(),
    cursor: vListCursor,
    /** The part of the last committed page's span still to judge (resync/listing.ts), if any. */
    span: v.optional(vSpan),
  }).index("by_state", ["state"]),
  /**
   * Rows a run's listing did not find in their span of creation time: once the listing is
   * complete, reconcile asks Clerk about each by id and removes those it no longer has.
   */
  resyncCandidates: defineTable({
    runId: v.id("resyncRuns"),
    clerkId: v.string(),
    /** What the row belonged to (a membership's `orgId` and `userId`): how Clerk is asked about it. */
    belongsTo: v.optional(v.record(v.string(), v.string())),
  }).index("by_run", ["runId"]),
  /**
   * The webhook's health (health.ts, shared/health.ts): one document per shard per hour, counts
   * per 15 minutes. A shard's newest document carries its last times and open failures forward.
   * Verified deliveries insert a record each (`webhookDeliveries`), folded into these by pruning.
   */
  webhookHealth: defineTable(healthHourFields).index("by_shard", ["shard", "hourStart"]).index("by_hour", ["hourStart"]),
  /** One per verified delivery, read by nothing in its transaction: folded into `webhookHealth` and deleted by pruning. */
  webhookDeliveries: defineTable(deliveryRecordFields).index("by_at", ["at"]),
  /**
   * The svix ids of deliveries the app's `onEvent` handled (events.ts), so a redelivery (Svix
   * retries for about 28 hours, and again on a manual replay) does not reach it twice. Only events
   * the package does not sync write it; pruned after `HANDLED_KEPT_MS` (prune.ts).
   */
  handledDeliveries: defineTable({ svixId: v.string(), at: v.number() }).index("by_svix_id", ["svixId"]).index("by_at", ["at"]),
  /** The one pruning run scheduled (prune.ts), if any, and the tombstone retention it applies. */
  pruneState: defineTable({
    scheduledId: v.optional(v.id("_scheduled_functions")),
    runAt: v.optional(v.number()),
    tombstoneRetentionMs: v.number(),
  }),
});
