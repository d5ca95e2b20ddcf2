import type { ComponentApi } from "../component/_generated/component.js";
import type { UserExport } from "../shared/privacy.js";
import type { RunQueryCtx } from "./auth.js";

/**
 * Everything the component holds about one person, for an access request: their user row,
 * whether Clerk deleted them, and their rows of every kind that is a user's data (memberships,
 * the billing rows they pay for, invitations to their stored email address or accepted by them),
 * by kind name. One component query, bounded: a kind cut short is named in `truncated`. It holds
 * only what the package stores, never Clerk's private metadata. Add the app's own tables' rows
 * about them yourself.
 * ```ts
 * const data = await exportUserData(ctx, components.clerkUsers, identity.subject);
 * // { clerkId, user, deleted, rows: { membership: [...], invitation: [...], ... }, truncated: [] }
 * ```
 */
export async function exportUserData(ctx: RunQueryCtx, component: ComponentApi, clerkId: string): Promise<UserExport> {
  return (await ctx.runQuery(component.privacy.exportUser, { clerkId })) as UserExport;
}
