import type { Kind } from "../shared/validators.js";

/**
 * What the sync engine (apply.ts) knows about each kind of Clerk object. The rules (ordering,
 * tombstones, dedupe, cascades, hooks) are written once; a kind is this description. A new kind
 * is a table with a `by_clerk_id` index, a mapping from Clerk's JSON, and an entry here.
 */
export type KindSpec = {
  /** The table of live rows; it has a `by_clerk_id` index. */
  table: "users" | "organizations" | "memberships";
  /** The field naming the row in a hook event (`{ type: "user.created", user }`). */
  field: "user" | "organization" | "membership";
  /** Objects this one belongs to: once one of them is deleted, this kind's rows of it are dropped. */
  parents: readonly { kind: Kind; field: string }[];
  /** Rows of other kinds removed with an object of this kind, found by an index whose first field holds its Clerk id. */
  children: readonly { kind: Kind; index: string; field: string }[];
  /**
   * At most one live row per value of these fields (first fields of `index`): of two, the one
   * created later (by Clerk's `created_at`, then id) wins, and the other is deleted.
   */
  unique?: { index: string; fields: readonly string[] };
  /**
   * Fields Clerk changes without a new `updated_at` (an organization's member count moves as
   * members join): not content for ordering, so two copies of one version that differ only in
   * them are the same version (no hook fires); the stored row takes their newest values.
   */
  volatile?: readonly string[];
};

export const KINDS: Record<Kind, KindSpec> = {
  user: {
    table: "users",
    field: "user",
    parents: [],
    children: [{ kind: "membership", index: "by_user", field: "userId" }],
    // Stamped at each sign-in: a resync must not rewrite every active user (and fire onUserUpdated) for it.
    volatile: ["lastSignInAt"],
  },
  organization: {
    table: "organizations",
    field: "organization",
    parents: [],
    children: [{ kind: "membership", index: "by_org_user", field: "orgId" }],
    volatile: ["membersCount"],
  },
  membership: {
    table: "memberships",
    field: "membership",
    parents: [
      { kind: "organization", field: "orgId" },
      { kind: "user", field: "userId" },
    ],
    children: [],
    // Leaving and rejoining makes a new membership id; the old one is gone in Clerk.
    unique: { index: "by_org_user", fields: ["orgId", "userId"] },
    // The member's public data, which Clerk changes with the user, not with the membership.
    volatile: ["identifier", "firstName", "lastName", "imageUrl"],
  },
};
