import {
  createFunctionHandle,
  type FunctionReference,
  type GenericDataModel,
  type GenericMutationCtx,
  type MutationBuilder,
  type RegisteredMutation,
} from "convex/server";
import type { WebhookEvent } from "@clerk/backend";
import { handlerNameOf, type HandlerNameOf } from "../shared/kinds/registry.js";
import { hookArgs, vHooksResult, type ChangeSource, type HookEvent, type HooksResult, type UnsyncedEvent, type UserHookEvent } from "../shared/validators.js";

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
 *
 * And one for everything else the endpoint receives, `onEvent({ event, svixId })`: every verified
 * event of a type the package does not sync (`session.*`, `email.created`, `sms.created`, `role.*`,
 * `permission.*`, `organizationDomain.*`, `waitlistEntry.*`, any type Clerk adds later), once per
 * delivery: a redelivery of the same svix id within `HANDLED_KEPT_MS` (3 days) does not reach it
 * again. If it throws, nothing it wrote is kept, the endpoint answers 500 and Svix retries.
 */
export type ClerkHookHandlers<Ctx> = {
  [E in HookEvent as HandlerNameOf<E["type"]>]?: (ctx: Ctx, change: Omit<E, "type"> & { source: ChangeSource }) => void | Promise<void>;
} & {
  onEvent?: (ctx: Ctx, delivery: ClerkEventDelivery) => void | Promise<void>;
};

/**
 * What `onEvent` receives: Clerk's event as sent, typed as `@clerk/backend`'s `WebhookEvent`
 * (`switch (event.type)` narrows `event.data`), and the delivery's svix id (an idempotency key
 * for what it starts, such as an email provider's). A type your `@clerk/backend` does not list
 * yet arrives too, as Clerk sent it: a `switch` meets it in `default`.
 */
export type ClerkEventDelivery = { event: WebhookEvent; svixId: string };

/** The user hooks alone: `onUserCreated`, `onUserUpdated`, `onUserDeleted`. */
export type UserHookHandlers<Ctx> = Pick<ClerkHookHandlers<Ctx>, HandlerNameOf<UserHookEvent["type"]>>;

/**
 * The hooks mutation's arguments: a transaction's changes, in the order applied, and where they
 * came from; or, from the webhook, `events: []` and an `event` it does not sync (`hookArgs`).
 */
export type HookArgs = { source: ChangeSource; events: HookEvent[]; event?: UnsyncedEvent };

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
 * With `onEvent`, the webhook hands it every event it does not sync. The mutation says so by its
 * answer (`"handled"`, `vHooksResult`), so `registerRoutes` needs no option for it.
 */
export function defineClerkHooks<DataModel extends GenericDataModel>(
  internalMutation: MutationBuilder<DataModel, "internal">,
  handlers: ClerkHookHandlers<GenericMutationCtx<DataModel>>,
): RegisteredMutation<"internal", HookArgs, Promise<HooksResult>> {
  return internalMutation({
    args: hookArgs,
    returns: vHooksResult,
    handler: async (ctx, { source, events, event }) => {
      for (const { type, ...change } of events) {
        // Each event reaches the handler named for its type (`plansChanged` → `onPlansChanged`), which takes exactly its fields.
        const handler = handlers[handlerNameOf(type)] as ((ctx: unknown, change: object) => void | Promise<void>) | undefined;
        await handler?.(ctx, { ...change, source });
      }
      if (event === undefined || handlers.onEvent === undefined) return null;
      await handlers.onEvent(ctx, { event: JSON.parse(event.body) as WebhookEvent, svixId: event.svixId });
      return "handled";
    },
  });
}

/** `defineClerkHooks` with the user hooks only; organization and membership changes are ignored. */
export function defineUserHooks<DataModel extends GenericDataModel>(
  internalMutation: MutationBuilder<DataModel, "internal">,
  handlers: UserHookHandlers<GenericMutationCtx<DataModel>>,
): RegisteredMutation<"internal", HookArgs, Promise<HooksResult>> {
  return defineClerkHooks(internalMutation, handlers);
}

// A handle names a function of this deployment, so it is made once per reference (defined at
// module load), not once per webhook delivery.
const made = new WeakMap<object, string>();

/** Turns the app's hooks reference into a handle the component can call, or undefined if none. */
export async function hookHandle(hooks: ClerkHooksMutation): Promise<string>;
export async function hookHandle(hooks: ClerkHooksMutation | undefined): Promise<string | undefined>;
export async function hookHandle(hooks: ClerkHooksMutation | undefined): Promise<string | undefined> {
  if (!hooks) return undefined;
  const known = made.get(hooks);
  if (known) return known;
  const handle = await createFunctionHandle(hooks);
  made.set(hooks, handle);
  return handle;
}
