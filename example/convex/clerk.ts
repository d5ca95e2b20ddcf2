import { makeResyncAction, requireMembership } from "convex-clerk-users";
import { components, internal } from "./_generated/api";
import { internalQuery, query } from "./_generated/server";

/**
 * Fills the users table from Clerk's Backend API and repairs drift, with the same hooks as the
 * webhook (http.ts), so profiles follow users whichever way they arrive. Reads CLERK_SECRET_KEY.
 *   npx convex run clerk:resync
 */
export const resync = makeResyncAction(components.clerkUsers, { organizations: true, billing: true, hooks: internal.profiles.clerkHooks });

/** The latest resync's progress: `npx convex run clerk:resyncStatus`. */
export const resyncStatus = internalQuery({
  args: {},
  handler: (ctx) => ctx.runQuery(components.clerkUsers.resync.status, {}),
});

/** "Is my webhook working?": `npx convex run clerk:webhookHealth`. */
export const webhookHealth = internalQuery({
  args: {},
  handler: (ctx) => ctx.runQuery(components.clerkUsers.health.status, {}),
});

/** The same status for the page, shown to admins of the active organization only. */
export const health = query({
  args: {},
  handler: async (ctx) => {
    await requireMembership(ctx, components.clerkUsers, { role: "org:admin" });
    return ctx.runQuery(components.clerkUsers.health.status, {});
  },
});
