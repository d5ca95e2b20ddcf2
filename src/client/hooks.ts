import {
  createFunctionHandle,
  type FunctionReference,
  type GenericDataModel,
  type GenericMutationCtx,
  type MutationBuilder,
  type RegisteredMutation,
} from "convex/server";
import { v } from "convex/values";
import { handlerNameOf, type HandlerNameOf } from "../shared/kinds/registry.js";
import { hookArgs, type ChangeSource, type HookEvent, type UserHookEvent } from "../shared/validators.js";

/**
 * What the app's hooks receive for each real change (never a duplicate or a stale version), one
 * handler per kind and what happened, named from the hook event's type (`membership.created` →
 * `onMembershipCreated`) and given the event's fields:
 * - `on<Kind>Created({ <kind> })`: the object appeared (for a user, also Clerk's first version
 *   replacing a provisional row);
 * - `on<Kind>Updated({ <kind>, previous })`: a newer version arrived;
 * - `on<Kind>Deleted({ clerkId, <kind> })`: deleted in Clerk; the object is null if it was never
 *   synced. What belonged to it (an organization's or a user's memberships) goes too, each with
 *   its own `onMembershipDeleted`.
 *
 * Clerk Billing has three more, worked out from those changes:
 * - `onPlansChanged({ payer, before, after })`: the slugs of the plans a payer (`{ type: "user",
 *   userId }` or `{ type: "org", orgId }`) is on now (its active, past due and canceled items'),
 *   sorted, changed: once per transaction that changes them (a subscription event ending the free
 *   item and starting a paid one fires once), never for a repeat or a stale delivery. A user's or
 *   an organization's deletion changes its plans to `[]`;
 * - `onTrialEnding({ subscriptionItem, trialEndsAt })`: Clerk's `subscriptionItem.freeTrialEnding`,
 *   once per item and trial end however often Clerk sends it, and only while the stored item is
 *   still a free trial ending then;
 * - `onPaymentAttempt({ paymentAttempt })`: an attempt reached a status (`pending`, then `paid` or
 *   `failed`), once per status.
 *
 * `source` says whether a webhook delivery or a resync brought it: a resync's first pass creates
 * every object that already existed.
 */
export type ClerkHookHandlers<Ctx> = {
  [E in HookEvent as HandlerNameOf<E["type"]>]?: (ctx: Ctx, change: Omit<E, "type"> & { source: ChangeSource }) => void | Promise<void>;
};

/** The user hooks alone: `onUserCreated`, `onUserUpdated`, `onUserDeleted`. */
export type UserHookHandlers<Ctx> = Pick<ClerkHookHandlers<Ctx>, HandlerNameOf<UserHookEvent["type"]>>;

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
        // Each event reaches the handler named for its type (`plansChanged` → `onPlansChanged`), which takes exactly its fields.
        const handler = handlers[handlerNameOf(type)] as ((ctx: unknown, change: object) => void | Promise<void>) | undefined;
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
