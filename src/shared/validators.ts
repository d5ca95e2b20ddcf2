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
};

/**
 * `updatedAt` of a row made from the identity's claims before Clerk's webhook arrived
 * (`requireUser(..., { createIfMissing: true })`): older than any real Clerk version.
 */
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

/**
 * One real change to a user, as the app's hooks receive it (`defineUserHooks`): never a
 * duplicate or a stale version. A `deleted` user is null if it was never synced.
 */
export const vUserHookEvent = v.union(
  v.object({ type: v.literal("created"), user: vUser }),
  v.object({ type: v.literal("updated"), user: vUser, previous: vUser }),
  v.object({ type: v.literal("deleted"), clerkId: v.string(), user: v.union(vUser, v.null()) }),
);
export type UserHookEvent = Infer<typeof vUserHookEvent>;

/** Where a change came from: a Clerk webhook delivery, or a resync from Clerk's Backend API. */
export const vUserChangeSource = v.union(v.literal("webhook"), v.literal("resync"));
export type UserChangeSource = Infer<typeof vUserChangeSource>;

/** The arguments of the app's hooks mutation: a transaction's changes, in the order applied, and where they came from. */
export const userHookArgs = { source: vUserChangeSource, events: v.array(vUserHookEvent) };

/** One change Clerk told us about: a user's latest state, or its deletion. */
export const vUserChange = v.union(
  v.object({ kind: v.literal("upsert"), user: vUserFields }),
  v.object({ kind: v.literal("delete"), clerkId: v.string() }),
);
export type UserChange = Infer<typeof vUserChange>;

/** What applying a change did; the webhook and resync report it. */
export const vApplyOutcome = v.union(
  v.literal("created"),
  v.literal("updated"),
  v.literal("deleted"),
  /** The same version is already stored: nothing written. */
  v.literal("duplicate"),
  /** Older than the stored version (it arrived late): nothing written. */
  v.literal("stale"),
  /** The user was deleted before: a late create or update is dropped. */
  v.literal("tombstoned"),
);
export type ApplyOutcome = Infer<typeof vApplyOutcome>;
