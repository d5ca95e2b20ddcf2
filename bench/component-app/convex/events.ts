import { defineClerkHooks } from "convex-clerk-users";
import { internalMutation } from "./_generated/server";

/**
 * The app's hooks with `onEvent`: every event the package does not sync is audited, one row of the
 * app's own per delivery. Not wired into http.ts (whose synced figures are the README's setup, no
 * hooks): bench/lib/onEvent.ts routes it on a backend of its own.
 */
export const withOnEvent = defineClerkHooks(internalMutation, {
  onEvent: async (ctx, { event, svixId }) => {
    await ctx.db.insert("auditLog", { svixId, type: event.type });
  },
});

/** Hooks without `onEvent` (an app with change hooks only): the webhook asks it once per isolate, then remembers. */
export const withoutOnEvent = defineClerkHooks(internalMutation, {
  onUserCreated: async () => {},
});
