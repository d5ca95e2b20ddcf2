import type { FunctionHandle } from "convex/server";
import { getConvexSize, type Value } from "convex/values";
import { derivedHooksOf, type DerivedHookType } from "../shared/kinds/registry.js";
import type { Change, ChangeSource, HookEvent } from "../shared/validators.js";
import type { MutationCtx } from "./_generated/server.js";
import { BILLING_HOOKS } from "./billingHooks.js";
import { INVITATION_HOOKS } from "./invitationHooks.js";
import { KINDS, type KindSpec } from "./kinds.js";

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
  private readonly notices: Notice[] = [];

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

  /**
   * Keeps a change that carries a notice (`subscriptionItem.freeTrialEnding`) for the derived
   * hooks, whatever applying it did: a notice repeating a stored version is still a notice.
   */
  addNotice(change: Change) {
    if (this.handle !== undefined && change.op === "upsert" && change.notice !== undefined) this.notices.push(change as Notice);
  }

  /**
   * Runs the app's hooks on the events, in order, inside this transaction: if they throw, it rolls
   * back. The derived hooks' events (a payer's plans changed) are worked out first and come last.
   */
  async flush(ctx: MutationCtx) {
    if (this.handle === undefined) return;
    this.events.push(...(await this.derived(ctx)));
    if (this.events.length === 0) return;
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

  /** Every kind's derived hook events of this transaction, kind by kind in registry order. */
  private async derived(ctx: MutationCtx): Promise<HookEvent[]> {
    const transaction: Transaction = { events: [...this.events], notices: this.notices.splice(0), source: this.source };
    const derived: HookEvent[] = [];
    for (const kind of Object.values(KINDS))
      for (const type of Object.keys(derivedHooksOf(kind)))
        for (const fields of await deriverOf(type as DerivedHookType)(ctx, kind, transaction)) derived.push({ type, ...fields } as HookEvent);
    return derived;
  }
}

/** An upsert that carries a notice (kinds/define.ts `KindChange`). */
export type Notice = Extract<Change, { op: "upsert" }> & { notice: string };

/** What a transaction did, as the derived hooks read it: its hook events in order, and the notices its changes carried. */
export type Transaction = { events: readonly HookEvent[]; notices: readonly Notice[]; source: ChangeSource };

/**
 * Works out one derived hook (kinds/define.ts `DerivedHooks`) of `kind`, the kind declaring it,
 * from a transaction, after its changes are written: the events to add, in order, each without
 * its `type` (the derived hook's).
 */
export type Deriver<T extends DerivedHookType = DerivedHookType> = (
  ctx: MutationCtx,
  kind: KindSpec,
  transaction: Transaction,
) => Promise<Omit<Extract<HookEvent, { type: T }>, "type">[]>;

/**
 * Who works out each derived hook a kind declares (one module per kind that has them); the type
 * checker asks for every one. Read when called: billingHooks.ts reads through the engine, which
 * imports this module.
 */
function deriverOf(type: DerivedHookType): Deriver {
  const derivers: Derivers = { ...BILLING_HOOKS, ...INVITATION_HOOKS };
  return derivers[type] as Deriver;
}

/**
 * The rows of `kind` whose hook events in `events` pass `test` (given what happened, the row, and
 * the replaced row of an update), in order: what a derived hook about a row's own changes reads.
 */
export function rowsWhere<Row>(kind: KindSpec, events: readonly HookEvent[], test: (what: string, row: Row, previous: Row | undefined) => boolean): Row[] {
  return (events as readonly ({ type: string } & Record<string, unknown>)[]).flatMap((event) => {
    const [name, what = ""] = event.type.split(".");
    const row = event[kind.name] as Row | null | undefined;
    return name === kind.name && row && test(what, row, event.previous as Row | undefined) ? [row] : [];
  });
}

/** A deriver for each derived hook type. */
export type Derivers = { [T in DerivedHookType]: Deriver<T> };

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
