import type { FunctionHandle } from "convex/server";
import { getConvexSize } from "convex/values";
import type { UserHookEvent } from "../shared/validators.js";
import type { MutationCtx } from "./_generated/server.js";

/**
 * Convex caps a function's arguments at 16 MiB; one call carries at most half of that, so a page
 * of users with large metadata is handed over in a few calls instead of failing.
 */
export const MAX_HOOK_CALL_BYTES = 8 * 2 ** 20;

/**
 * The hook events of one transaction. They are handed to the app's hooks mutation (made with
 * `defineUserHooks`) at its end, in one call for a whole resync page rather than one per user:
 * each call from a component starts a fresh JS context in the app. With no hooks mutation,
 * nothing is collected.
 */
export class HookEvents {
  private readonly events: UserHookEvent[] = [];

  constructor(private readonly handle: string | undefined) {}

  /** Whether the app has hooks: an event is only worth building if so. */
  get wanted() {
    return this.handle !== undefined;
  }

  add(event: UserHookEvent) {
    if (this.handle !== undefined) this.events.push(event);
  }

  /** Runs the app's hooks on the events, in order, inside this transaction: if they throw, it rolls back. */
  async flush(ctx: MutationCtx) {
    if (this.handle === undefined || this.events.length === 0) return;
    const handle = this.handle as FunctionHandle<"mutation", { events: UserHookEvent[] }>;
    let batch: UserHookEvent[] = [];
    let bytes = 0;
    for (const event of this.events.splice(0)) {
      const size = getConvexSize(event);
      if (batch.length > 0 && bytes + size > MAX_HOOK_CALL_BYTES) {
        await ctx.runMutation(handle, { events: batch });
        batch = [];
        bytes = 0;
      }
      batch.push(event);
      bytes += size;
    }
    await ctx.runMutation(handle, { events: batch });
  }
}
