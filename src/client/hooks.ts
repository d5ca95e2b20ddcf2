import { createFunctionHandle, type FunctionReference } from "convex/server";
import type { HookHandles, User } from "../shared/validators.js";

/**
 * App mutations run inside the same transaction as the sync, once per real change
 * (never for a duplicate or a stale delivery). Validate their args with `vUser`:
 * ```ts
 * export const onUserCreated = internalMutation({
 *   args: { user: vUser },
 *   handler: async (ctx, { user }) => { await ctx.db.insert("profiles", { clerkId: user.clerkId }); },
 * });
 * ```
 */
export type UserHooks = {
  /** A user appeared: `{ user }`. */
  onUserCreated?: FunctionReference<"mutation", "internal", { user: User }>;
  /** A newer version of a user arrived: `{ user, previous }`. */
  onUserUpdated?: FunctionReference<"mutation", "internal", { user: User; previous: User }>;
  /** A user was deleted in Clerk: `{ clerkId, user }`, `user` is null if it was never synced. */
  onUserDeleted?: FunctionReference<"mutation", "internal", { clerkId: string; user: User | null }>;
};

// A handle names a function of this deployment, so it is made once per options object
// (defined at module load), not once per webhook delivery.
const made = new WeakMap<UserHooks, HookHandles>();

/** Turns the app's hook references into handles the component can call. */
export async function hookHandles(hooks: UserHooks): Promise<HookHandles> {
  const known = made.get(hooks);
  if (known) return known;
  const handles: HookHandles = {};
  if (hooks.onUserCreated) handles.onUserCreated = await createFunctionHandle(hooks.onUserCreated);
  if (hooks.onUserUpdated) handles.onUserUpdated = await createFunctionHandle(hooks.onUserUpdated);
  if (hooks.onUserDeleted) handles.onUserDeleted = await createFunctionHandle(hooks.onUserDeleted);
  made.set(hooks, handles);
  return handles;
}
