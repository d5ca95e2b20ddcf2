import { v, type Infer } from "convex/values";

/**
 * The fields of a synced user, as stored in the component's `users` table.
 * Everything Clerk may send as null is optional here and stored as absent.
 * Times are Clerk's own (ms since epoch), so ordering compares Clerk's clock, not ours.
 */
export const userFields = {
  clerkId: v.string(),
  email: v.optional(v.string()),
  emailVerified: v.optional(v.boolean()),
  phoneNumber: v.optional(v.string()),
  username: v.optional(v.string()),
  firstName: v.optional(v.string()),
  lastName: v.optional(v.string()),
  name: v.optional(v.string()),
  imageUrl: v.optional(v.string()),
  publicMetadata: v.optional(v.record(v.string(), v.any())),
  externalId: v.optional(v.string()),
  createdAt: v.optional(v.number()),
  updatedAt: v.number(),
  lastSignInAt: v.optional(v.number()),
  /**
   * Made from the signed-in identity's claims before Clerk's webhook arrived
   * (`requireUser(..., { createIfMissing: true })`). Clerk never sends this field, so no
   * payload can look provisional; Clerk's first real version replaces the row, whatever its `updated_at`.
   */
  provisional: v.optional(v.literal(true)),
};

/** `updatedAt` of a provisional row. `user.provisional` says a row is one; this value alone does not. */
export const PROVISIONAL_UPDATED_AT = 0;

/** A user's fields as applied from Clerk, before they are a document. */
export const vUserFields = v.object(userFields);
export type UserFields = Infer<typeof vUserFields>;

/**
 * A synced user as the app sees it: the row plus its system fields.
 */
export const vUser = v.object({
  _id: v.string(),
  _creationTime: v.number(),
  ...userFields,
});
export type User = Infer<typeof vUser>;

/** A Clerk organization, as stored in the component's `organizations` table. Null fields are absent. */
export const organizationFields = {
  clerkId: v.string(),
  name: v.string(),
  slug: v.optional(v.string()),
  imageUrl: v.optional(v.string()),
  membersCount: v.optional(v.number()),
  maxAllowedMemberships: v.optional(v.number()),
  adminDeleteEnabled: v.optional(v.boolean()),
  publicMetadata: v.optional(v.record(v.string(), v.any())),
  /** Clerk id of the user who created it. */
  createdBy: v.optional(v.string()),
  createdAt: v.optional(v.number()),
  updatedAt: v.number(),
};
export const vOrganizationFields = v.object(organizationFields);
export type OrganizationFields = Infer<typeof vOrganizationFields>;
export const vOrganization = v.object({ _id: v.string(), _creationTime: v.number(), ...organizationFields });
export type Organization = Infer<typeof vOrganization>;

/**
 * A user's membership of an organization, as stored in the component's `memberships` table, with
 * what a member list shows (Clerk's `public_user_data`) so listing members needs no join.
 */
export const membershipFields = {
  /** Clerk's membership id (`orgmem_...`): leaving and rejoining makes a new one. */
  clerkId: v.string(),
  orgId: v.string(),
  userId: v.string(),
  /** As Clerk names it, e.g. `"org:admin"`. */
  role: v.string(),
  /** As Clerk names them, e.g. `"org:posts:edit"`. */
  permissions: v.array(v.string()),
  publicMetadata: v.optional(v.record(v.string(), v.any())),
  /** The member's primary identifier (email, phone or username), from `public_user_data`. */
  identifier: v.optional(v.string()),
  firstName: v.optional(v.string()),
  lastName: v.optional(v.string()),
  imageUrl: v.optional(v.string()),
  createdAt: v.optional(v.number()),
  updatedAt: v.number(),
};
export const vMembershipFields = v.object(membershipFields);
export type MembershipFields = Infer<typeof vMembershipFields>;
export const vMembership = v.object({ _id: v.string(), _creationTime: v.number(), ...membershipFields });
export type Membership = Infer<typeof vMembership>;

/** The kinds of Clerk object this package syncs. */
export const vKind = v.union(v.literal("user"), v.literal("organization"), v.literal("membership"));
export type Kind = Infer<typeof vKind>;

/**
 * The kinds in the order a resync syncs them: an object's parents before it (organizations and
 * users before their memberships). Users always; the others with `{ organizations: true }`.
 */
export const KIND_ORDER: readonly Kind[] = ["user", "organization", "membership"];

/** A page of rows of one kind, as a resync hands them to the component. */
export const vKindRows = v.union(
  v.object({ kind: v.literal("user"), rows: v.array(vUserFields) }),
  v.object({ kind: v.literal("organization"), rows: v.array(vOrganizationFields) }),
  v.object({ kind: v.literal("membership"), rows: v.array(vMembershipFields) }),
);
export type KindRows = Infer<typeof vKindRows>;

/** One change Clerk told us about: an object's latest state, or its deletion. */
export const vChange = v.union(
  v.object({ kind: v.literal("user"), op: v.literal("upsert"), row: vUserFields }),
  v.object({ kind: v.literal("organization"), op: v.literal("upsert"), row: vOrganizationFields }),
  v.object({ kind: v.literal("membership"), op: v.literal("upsert"), row: vMembershipFields }),
  v.object({
    kind: vKind,
    op: v.literal("delete"),
    clerkId: v.string(),
    /** The Clerk ids of what the deleted object belonged to, by field (a membership's `orgId`, `userId`), when the event says. */
    belongsTo: v.optional(v.record(v.string(), v.string())),
  }),
);
export type Change = Infer<typeof vChange>;

/** Where a change came from: a Clerk webhook delivery, or a resync from Clerk's Backend API. */
export const vChangeSource = v.union(v.literal("webhook"), v.literal("resync"));
export type ChangeSource = Infer<typeof vChangeSource>;
/** @deprecated Use `vChangeSource`. */
export const vUserChangeSource = vChangeSource;
/** @deprecated Use `ChangeSource`. */
export type UserChangeSource = ChangeSource;

/**
 * One real change, as the app's hooks receive it (`defineClerkHooks`): never a duplicate or a
 * stale version. The type names Clerk's event; a deleted object is null if it was never synced.
 */
export const vHookEvent = v.union(
  v.object({ type: v.literal("user.created"), user: vUser }),
  v.object({ type: v.literal("user.updated"), user: vUser, previous: vUser }),
  v.object({ type: v.literal("user.deleted"), clerkId: v.string(), user: v.union(vUser, v.null()) }),
  v.object({ type: v.literal("organization.created"), organization: vOrganization }),
  v.object({ type: v.literal("organization.updated"), organization: vOrganization, previous: vOrganization }),
  v.object({ type: v.literal("organization.deleted"), clerkId: v.string(), organization: v.union(vOrganization, v.null()) }),
  v.object({ type: v.literal("membership.created"), membership: vMembership }),
  v.object({ type: v.literal("membership.updated"), membership: vMembership, previous: vMembership }),
  v.object({ type: v.literal("membership.deleted"), clerkId: v.string(), membership: v.union(vMembership, v.null()) }),
);
export type HookEvent = Infer<typeof vHookEvent>;
/** The events about users. */
export type UserHookEvent = Extract<HookEvent, { type: `user.${string}` }>;

/** The arguments of the app's hooks mutation: a transaction's changes, in the order applied, and where they came from. */
export const hookArgs = { source: vChangeSource, events: v.array(vHookEvent) };
/** @deprecated Use `hookArgs`. */
export const userHookArgs = hookArgs;

/** What applying a change did; the webhook and resync report it. */
export const vApplyOutcome = v.union(
  v.literal("created"),
  v.literal("updated"),
  v.literal("deleted"),
  /** The same version is already stored: nothing written. */
  v.literal("duplicate"),
  /** Older than the stored version (it arrived late): nothing written. */
  v.literal("stale"),
  /** The object, or one it belongs to (a membership's organization or user), was deleted before: dropped. */
  v.literal("tombstoned"),
);
export type ApplyOutcome = Infer<typeof vApplyOutcome>;
