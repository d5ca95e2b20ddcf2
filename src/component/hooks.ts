import type { FunctionHandle } from "convex/server";
import { getConvexSize, type Value } from "convex/values";
import type { ChangeSource, HookEvent } from "../shared/validators.js";
import type { MutationCtx } from "./_generated/server.js";

/**
 * Convex caps a function's arguments at 16 MiB; one call carries at most half of that, so a page
 * of users with large metadata is handed over in a few calls instead of failing.
 */
export const MAX_HOOK_CALL_BYTES = 8 * 2 ** 20;

/**
 * The hook events of one transaction. They are handed to the app's hooks mutation (made with
 * `defineClerkHooks`) at its end, in one call for a whole resync page rather than one per user:
 * each call from a component starts a fresh JS context in the app. With no hooks mutation,
 * nothing is collected.
 */
export class HookEvents {
  private readonly events: HookEvent[] = [];

  constructor(
    readonly handle: string | undefined,
    readonly source: ChangeSource,
  ) {}

  /** Whether the app has hooks: an event is only worth building if so. */
  get wanted() {
    return this.handle !== undefined;
  }

  add(event: HookEvent) {
    if (this.handle !== undefined) this.events.push(event);
  }

  /** Runs the app's hooks on the events, in order, inside this transaction: if they throw, it rolls back. */
  async flush(ctx: MutationCtx) {
    if (this.handle === undefined || this.events.length === 0) return;
    const handle = this.handle as FunctionHandle<"mutation", { source: ChangeSource; events: HookEvent[] }>;
    let batch: HookEvent[] = [];
    let bytes = 0;
    for (const event of this.events.splice(0)) {
      const size = eventBytes(event);
      if (batch.length > 0 && bytes + size > MAX_HOOK_CALL_BYTES) {
        await ctx.runMutation(handle, { source: this.source, events: batch });
        batch = [];
        bytes = 0;
      }
      batch.push(event);
      bytes += size;
    }
    await ctx.runMutation(handle, { source: this.source, events: batch });
  }
}

/**
 * A row's fields other than `publicMetadata` are a few short strings and numbers; a generous
 * allowance for them keeps the size estimate cheap (measuring every field of 500 rows costs
 * more than the rest of the call), while metadata, the one field that can be large, is measured.
 */
const ROW_FIELDS_BYTES = 8 * 1024;

function eventBytes(event: HookEvent) {
  let bytes = 64;
  for (const value of Object.values(event)) {
    if (typeof value !== "object" || value === null) continue;
    const metadata = (value as { publicMetadata?: Value }).publicMetadata;
    bytes += ROW_FIELDS_BYTES + (metadata === undefined ? 0 : getConvexSize(metadata));
  }
  return bytes;
}
