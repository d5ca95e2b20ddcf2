import { v, type Infer } from "convex/values";
import { KIND_NAMES, vHookEvent, type HookEvent, type KindName } from "./kinds/registry.js";
import type { user } from "./kinds/user.js";

/**
 * The validators both sides of the component boundary use. Each kind's own (its fields, its
 * document) live in its module under kinds/; the unions over every kind are derived in
 * kinds/registry.ts. They are re-exported here, the one import for the rest of the package.
 */

export { PROVISIONAL_UPDATED_AT, vUser, vUserFields, type User, type UserFields } from "./kinds/user.js";
export { vOrganization, vOrganizationFields, type Organization, type OrganizationFields } from "./kinds/organization.js";
export { vMembership, vMembershipFields, type Membership, type MembershipFields } from "./kinds/membership.js";
export { vKind, vChange, vHookEvent, vKindRows, type Change, type HookEvent, type KindRows } from "./kinds/registry.js";

/** The name of a synced kind (`user`, `organization`, ...). */
export type Kind = KindName;

/** The kinds in the order a resync syncs them: an object's parents before it. */
export const KIND_ORDER: readonly Kind[] = KIND_NAMES;

/** Where a change came from: a Clerk webhook delivery, or a resync from Clerk's Backend API. */
export const vChangeSource = v.union(v.literal("webhook"), v.literal("resync"));
export type ChangeSource = Infer<typeof vChangeSource>;
/** @deprecated Use `vChangeSource`. */
export const vUserChangeSource = vChangeSource;
/** @deprecated Use `ChangeSource`. */
export type UserChangeSource = ChangeSource;

/** The events about users. */
export type UserHookEvent = Extract<HookEvent, { type: `${(typeof user)["name"]}.${string}` }>;

/**
 * A verified Clerk event of a type the package does not sync, handed to the app's hooks mutation
 * for `onEvent`: the delivery's svix id and the event as Clerk sent it, in JSON text (a payload
 * may hold keys no Convex value can, such as `$`-prefixed metadata keys).
 */
export const vUnsyncedEvent = v.object({ svixId: v.string(), body: v.string() });
export type UnsyncedEvent = Infer<typeof vUnsyncedEvent>;

/**
 * The arguments of the app's hooks mutation: a transaction's changes, in the order applied, and
 * where they came from; or, from the webhook, `events: []` and one `event` it does not sync.
 */
export const hookArgs = { source: vChangeSource, events: v.array(vHookEvent), event: v.optional(vUnsyncedEvent) };

/**
 * What the hooks mutation returns: `"handled"` when it took the `event` it was given (its svix id
 * is then remembered, so a redelivery does not reach it again); anything else (`null`) says it
 * takes no events, and the webhook stops handing them over for as long as that code is deployed
 * (it asks again in each new isolate, so a push that adds `onEvent` is heard).
 */
export const vHooksResult = v.union(v.null(), v.literal("handled"));
export type HooksResult = Infer<typeof vHooksResult>;
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
