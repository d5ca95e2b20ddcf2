import { v } from "convex/values";
import { vChangeSource, vKind, type Kind } from "../shared/validators.js";
import { internal } from "./_generated/api.js";
import { internalMutation, type MutationCtx } from "./_generated/server.js";
import { HookEvents } from "./hooks.js";
import { KINDS } from "./kinds.js";

/**
 * Rows removed per transaction when an object that others belong to is deleted (an organization's
 * memberships): an organization can have more members than Convex lets one transaction write
 * (16,000), and each removal also hands an event to the app's hooks. The rest continue in
 * scheduled transactions of the same size.
 *
 * Nothing waits for them to be seen as gone: the deleted object's tombstone is written first, and
 * every read of a membership checks its organization's and user's tombstones (memberships.ts).
 */
export const CASCADE_BATCH = 1000;

/**
 * Removes the rows that belong to the object of `kind` deleted as `clerkId`, up to
 * `CASCADE_BATCH` per child kind in this transaction, scheduling the rest. A removed child
 * leaves no tombstone of its own: its parent's tombstone already drops any late event about it.
 */
export async function removeChildren(ctx: MutationCtx, kind: Kind, clerkId: string, hooks: HookEvents) {
  let more = false;
  for (const child of KINDS[kind].children) {
    const spec = KINDS[child.kind];
    const rows = await ctx.db
      .query(spec.table as "memberships")
      .withIndex(child.index as "by_user", (q) => q.eq(child.field as "userId", clerkId))
      .take(CASCADE_BATCH);
    for (const row of rows) {
      await ctx.db.delete(spec.table as "memberships", row._id);
      hooks.add({ type: `${child.kind}.deleted`, clerkId: row.clerkId, [spec.field]: row } as never);
    }
    if (rows.length === CASCADE_BATCH) more = true;
  }
  if (more) {
    await ctx.scheduler.runAfter(0, internal.cascades.continueRemoval, { kind, clerkId, hooks: hooks.handle, source: hooks.source });
  }
}

/** The next batch of a cascade `removeChildren` scheduled, with the app's hooks of the delete that started it. */
export const continueRemoval = internalMutation({
  args: { kind: vKind, clerkId: v.string(), hooks: v.optional(v.string()), source: vChangeSource },
  returns: v.null(),
  handler: async (ctx, { kind, clerkId, hooks, source }) => {
    const events = new HookEvents(hooks, source);
    await removeChildren(ctx, kind, clerkId, events);
    await events.flush(ctx);
    return null;
  },
});
