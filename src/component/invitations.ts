import { paginationOptsValidator, paginationResultValidator } from "convex/server";
import { v } from "convex/values";
import { INVITATION_STATUS, invitation, invitationStatusAt, normalizedEmail, vInvitation } from "../shared/kinds/invitation.js";
import { query, type QueryCtx } from "./_generated/server.js";
import { awaitsCascade } from "./cascades.js";
import { MAX_PAGE_SIZE, pageByKey } from "./lists.js";

/**
 * Reads of organization invitations. Clerk sends no event when an invitation expires, so each read
 * judges expiry at query time (`invitationStatusAt`): a pending invitation past its `expiresAt` is
 * `expired`. Invitations of a deleted organization are never returned, even while the cascade
 * that removes them (cascades.ts) is still running: what every read hides (`awaitsCascade`).
 */

/**
 * Pages through an organization's pending invitations that have not expired, oldest first (by
 * Clerk's `created_at`), up to 1,000 a page. Expired ones are skipped, so a page may hold fewer
 * than asked while `isDone` is false.
 * ```ts
 * const page = await ctx.runQuery(components.clerkUsers.invitations.listPending, { organizationId: "org_...", paginationOpts });
 * ```
 */
export const listPending = query({
  args: { organizationId: v.string(), paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(vInvitation),
  handler: async (ctx, { organizationId, paginationOpts }) => {
    if (await awaitsCascade(ctx, invitation.name, { orgId: organizationId })) return { page: [], isDone: true, continueCursor: "" };
    const now = Date.now();
    return pageByKey(
      paginationOpts,
      (after, limit) => pendingAfter(ctx, organizationId, after === undefined ? undefined : keyOf(after), limit),
      (row) => JSON.stringify([row.createdAt ?? 0, row._creationTime] satisfies PendingKey),
      // The organization was checked above; its invitee's or acceptor's deletion may hide a row too.
      async (row) =>
        invitationStatusAt(row, now) === INVITATION_STATUS.pending &&
        !(await awaitsCascade(ctx, invitation.name, { emailAddress: row.emailAddress, userId: row.userId })),
    );
  },
});

/** Where a pending invitation sits in `by_org_status` past the organization and status: Clerk's creation time, then the row's. */
type PendingKey = [createdAt: number, creationTime: number];

function keyOf(cursor: string): PendingKey {
  let key: unknown;
  try {
    key = JSON.parse(cursor);
  } catch {
    // reported below
  }
  if (Array.isArray(key) && key.length === 2 && key.every((n) => typeof n === "number")) return key as PendingKey;
  throw new Error(`Not a cursor this list returned: ${JSON.stringify(cursor.slice(0, 100))}. Pass null for the first page, then continueCursor.`);
}

/**
 * The next `limit` pending invitations of the organization after `after`: the rest of its creation
 * time (invitations sent in bulk share one), then the later ones.
 */
async function pendingAfter(ctx: QueryCtx, orgId: string, after: PendingKey | undefined, limit: number) {
  const pending = () => ctx.db.query(invitation.table);
  const status = INVITATION_STATUS.pending;
  if (after === undefined)
    return pending()
      .withIndex("by_org_status", (q) => q.eq("orgId", orgId).eq("status", status))
      .take(limit);
  const [createdAt, creationTime] = after;
  const tied = await pending()
    .withIndex("by_org_status", (q) => q.eq("orgId", orgId).eq("status", status).eq("createdAt", createdAt).gt("_creationTime", creationTime))
    .take(limit);
  if (tied.length >= limit) return tied;
  const later = await pending()
    .withIndex("by_org_status", (q) => q.eq("orgId", orgId).eq("status", status).gt("createdAt", createdAt))
    .take(limit - tied.length);
  return [...tied, ...later];
}

/**
 * Every invitation to `email` (matched case-insensitively), oldest first, at most 1,000, with its
 * status as of now: a pending one past its `expiresAt` says `expired`.
 * ```ts
 * const invitations = await ctx.runQuery(components.clerkUsers.invitations.byEmail, { email: "Ada@Example.com" });
 * ```
 */
export const byEmail = query({
  args: { email: v.string() },
  returns: v.array(vInvitation),
  handler: async (ctx, { email }) => {
    const rows = await ctx.db
      .query(invitation.table)
      .withIndex("by_email", (q) => q.eq("emailAddress", normalizedEmail(email)))
      .take(MAX_PAGE_SIZE);
    const now = Date.now();
    const out = [];
    for (const row of rows) if (!(await awaitsCascade(ctx, invitation.name, row))) out.push({ ...row, status: invitationStatusAt(row, now) });
    return out;
  },
});
