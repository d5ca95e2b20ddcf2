import {
  createFunctionHandle,
  type FunctionReference,
  type GenericDataModel,
  type GenericMutationCtx,
  type MutationBuilder,
  type RegisteredMutation,
} from "convex/server";
import { v } from "convex/values";
import { userHookArgs, type User, type UserChangeSource, type UserHookEvent } from "../shared/validators.js";

/**
 * What the app's hooks receive for each real change (never a duplicate or a stale version).
 * `source` says whether a webhook delivery or a resync brought it: a resync's first pass creates
 * every user who already existed.
 */
export type UserHookHandlers<Ctx> = {
  /** A user appeared (or Clerk's first version replaced a provisional row). */
  onUserCreated?: (ctx: Ctx, change: { user: User; source: UserChangeSource }) => void | Promise<void>;
  /** A newer version of a user arrived. */
  onUserUpdated?: (ctx: Ctx, change: { user: User; previous: User; source: UserChangeSource }) => void | Promise<void>;
  /** A user was deleted in Clerk; `user` is null if it was never synced. */
  onUserDeleted?: (ctx: Ctx, change: { clerkId: string; user: User | null; source: UserChangeSource }) => void | Promise<void>;
};

/** The app's hooks mutation, as `defineUserHooks` makes it. */
export type UserHooksMutation = FunctionReference<"mutation", "internal", { source: UserChangeSource; events: UserHookEvent[] }, unknown>;

/** The option that connects the webhook and the resync to the app's hooks. */
export type UserHooks = {
  /**
   * The app's hooks, `internal.<module>.<name>` of a mutation made with `defineUserHooks`.
   * They run inside the sync's transaction: if one throws, nothing of it is written.
   */
  hooks?: UserHooksMutation;
};

/**
 * Makes the internal mutation that runs the app's hooks. The webhook and the resync call it in
 * their own transaction, once per transaction with every real change in it, in order (a resync
 * page is one call, not one per user), so a hook's writes commit or roll back with the sync.
 * ```ts
 * // convex/profiles.ts
 * export const userHooks = defineUserHooks(internalMutation, {
 *   onUserCreated: async (ctx, { user }) => {
 *     await ctx.db.insert("profiles", { clerkId: user.clerkId });
 *   },
 * });
 * // convex/http.ts: registerRoutes(http, components.clerkUsers, { hooks: internal.profiles.userHooks });
 * ```
 */
export function defineUserHooks<DataModel extends GenericDataModel>(
  internalMutation: MutationBuilder<DataModel, "internal">,
  handlers: UserHookHandlers<GenericMutationCtx<DataModel>>,
): RegisteredMutation<"internal", { source: UserChangeSource; events: UserHookEvent[] }, Promise<null>> {
  return internalMutation({
    args: userHookArgs,
    returns: v.null(),
    handler: async (ctx, { source, events }) => {
      for (const event of events) {
        if (event.type === "created") await handlers.onUserCreated?.(ctx, { user: event.user, source });
        else if (event.type === "updated") await handlers.onUserUpdated?.(ctx, { user: event.user, previous: event.previous, source });
        else await handlers.onUserDeleted?.(ctx, { clerkId: event.clerkId, user: event.user, source });
      }
      return null;
    },
  });
}

// A handle names a function of this deployment, so it is made once per reference (defined at
// module load), not once per webhook delivery.
const made = new WeakMap<object, string>();

/** Turns the app's hooks reference into a handle the component can call, or undefined if none. */
export async function hookHandle(hooks: UserHooksMutation | undefined): Promise<string | undefined> {
  if (!hooks) return undefined;
  const known = made.get(hooks);
  if (known) return known;
  const handle = await createFunctionHandle(hooks);
  made.set(hooks, handle);
  return handle;
}
