import {
  createFunctionHandle,
  type FunctionReference,
  type GenericDataModel,
  type GenericMutationCtx,
  type MutationBuilder,
  type RegisteredMutation,
} from "convex/server";
import { v } from "convex/values";
import { hookArgs, type ChangeSource, type HookEvent, type Membership, type Organization, type User } from "../shared/validators.js";

type Handler<Ctx, Change> = (ctx: Ctx, change: Change & { source: ChangeSource }) => void | Promise<void>;

/**
 * What the app's hooks receive for each real change (never a duplicate or a stale version).
 * `source` says whether a webhook delivery or a resync brought it: a resync's first pass creates
 * every user who already existed.
 */
export type UserHookHandlers<Ctx> = {
  /** A user appeared (or Clerk's first version replaced a provisional row). */
  onUserCreated?: Handler<Ctx, { user: User }>;
  /** A newer version of a user arrived. */
  onUserUpdated?: Handler<Ctx, { user: User; previous: User }>;
  /** A user was deleted in Clerk; `user` is null if it was never synced. Their memberships go too, each with `onMembershipDeleted`. */
  onUserDeleted?: Handler<Ctx, { clerkId: string; user: User | null }>;
};

/** The user hooks, and those of organizations and memberships. */
export type ClerkHookHandlers<Ctx> = UserHookHandlers<Ctx> & {
  onOrganizationCreated?: Handler<Ctx, { organization: Organization }>;
  onOrganizationUpdated?: Handler<Ctx, { organization: Organization; previous: Organization }>;
  /** An organization was deleted in Clerk; its memberships go too, each with `onMembershipDeleted`. */
  onOrganizationDeleted?: Handler<Ctx, { clerkId: string; organization: Organization | null }>;
  onMembershipCreated?: Handler<Ctx, { membership: Membership }>;
  /** A newer version of a membership arrived: a role or permission change, most often. */
  onMembershipUpdated?: Handler<Ctx, { membership: Membership; previous: Membership }>;
  /** A membership ended: the member left or was removed, or its organization or user was deleted. */
  onMembershipDeleted?: Handler<Ctx, { clerkId: string; membership: Membership | null }>;
};

/** The hooks mutation's arguments: a transaction's changes, in the order applied, and where they came from. */
export type HookArgs = { source: ChangeSource; events: HookEvent[] };

/** The app's hooks mutation, as `defineClerkHooks` makes it (or hand-written with `hookArgs`). */
export type ClerkHooksMutation = FunctionReference<"mutation", "internal", HookArgs, unknown>;
/** @deprecated Use `ClerkHooksMutation`. */
export type UserHooksMutation = ClerkHooksMutation;

/** The option that connects the webhook and the resync to the app's hooks. */
export type ClerkHooks = {
  /**
   * The app's hooks, `internal.<module>.<name>` of a mutation made with `defineClerkHooks`.
   * They run inside the sync's transaction: if one throws, nothing of it is written.
   */
  hooks?: ClerkHooksMutation;
};
/** @deprecated Use `ClerkHooks`. */
export type UserHooks = ClerkHooks;

const HANDLERS: Record<HookEvent["type"], keyof ClerkHookHandlers<unknown>> = {
  "user.created": "onUserCreated",
  "user.updated": "onUserUpdated",
  "user.deleted": "onUserDeleted",
  "organization.created": "onOrganizationCreated",
  "organization.updated": "onOrganizationUpdated",
  "organization.deleted": "onOrganizationDeleted",
  "membership.created": "onMembershipCreated",
  "membership.updated": "onMembershipUpdated",
  "membership.deleted": "onMembershipDeleted",
};

/**
 * Makes the internal mutation that runs the app's hooks. The webhook and the resync call it in
 * their own transaction, once per transaction with every real change in it, in order (a resync
 * page is one call, not one per user), so a hook's writes commit or roll back with the sync.
 * ```ts
 * // convex/profiles.ts
 * export const clerkHooks = defineClerkHooks(internalMutation, {
 *   onUserCreated: async (ctx, { user }) => {
 *     await ctx.db.insert("profiles", { clerkId: user.clerkId });
 *   },
 *   onMembershipDeleted: async (ctx, { clerkId }) => {
 *     console.log(`membership ${clerkId} ended`);
 *   },
 * });
 * // convex/http.ts: registerRoutes(http, components.clerkUsers, { hooks: internal.profiles.clerkHooks });
 * ```
 */
export function defineClerkHooks<DataModel extends GenericDataModel>(
  internalMutation: MutationBuilder<DataModel, "internal">,
  handlers: ClerkHookHandlers<GenericMutationCtx<DataModel>>,
): RegisteredMutation<"internal", HookArgs, Promise<null>> {
  return internalMutation({
    args: hookArgs,
    returns: v.null(),
    handler: async (ctx, { source, events }) => {
      for (const { type, ...change } of events) {
        const handler = handlers[HANDLERS[type]] as Handler<typeof ctx, typeof change> | undefined;
        await handler?.(ctx, { ...change, source });
      }
      return null;
    },
  });
}

/** `defineClerkHooks` with the user hooks only; organization and membership changes are ignored. */
export function defineUserHooks<DataModel extends GenericDataModel>(
  internalMutation: MutationBuilder<DataModel, "internal">,
  handlers: UserHookHandlers<GenericMutationCtx<DataModel>>,
): RegisteredMutation<"internal", HookArgs, Promise<null>> {
  return defineClerkHooks(internalMutation, handlers);
}

// A handle names a function of this deployment, so it is made once per reference (defined at
// module load), not once per webhook delivery.
const made = new WeakMap<object, string>();

/** Turns the app's hooks reference into a handle the component can call, or undefined if none. */
export async function hookHandle(hooks: ClerkHooksMutation | undefined): Promise<string | undefined> {
  if (!hooks) return undefined;
  const known = made.get(hooks);
  if (known) return known;
  const handle = await createFunctionHandle(hooks);
  made.set(hooks, handle);
  return handle;
}
