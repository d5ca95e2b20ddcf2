import { changesOfEvent, type Change } from "../shared/kinds/registry.js";

export { HANDLED_EVENTS } from "../shared/kinds/registry.js";

/**
 * How far past the delivery's signed time an `updated_at` may be. Clerk stamps a version before
 * it sends it; one stamped well after the signature (a clock gone wrong, a crafted payload) would
 * make every later real version of the object stale.
 */
export const MAX_FUTURE_UPDATED_AT_MS = 60 * 60_000;

/**
 * What a verified delivery asks for: changes to apply in order, or an event this package does not
 * sync (the app's `onEvent` may take it), each with the event's type; or why it is malformed (a 400).
 */
export type Parsed = { type: string; changes: Change[]; ignored?: false } | { type: string; ignored: true } | { error: string };

/**
 * The changes a verified body asks for, `ignored` for events this package does not sync, or
 * why it is a 400. `signedAt` is the delivery's svix timestamp (ms). Each kind's module says
 * which events are its own and what they ask for (kinds/registry.ts).
 */
export function changesFromBody(body: string, signedAt: number): Parsed {
  let event: { type?: unknown; data?: unknown } | null;
  try {
    event = JSON.parse(body) as typeof event;
  } catch {
    return bad("Body is not JSON.");
  }
  if (typeof event !== "object" || event === null || typeof event.type !== "string" || typeof event.data !== "object" || event.data === null) {
    return bad("Body is not a Clerk event: expected { type, data }.");
  }
  const parsed = changesOfEvent(event.type, event.data);
  if ("error" in parsed) return parsed;
  if ("changes" in parsed) {
    for (const change of parsed.changes) {
      if (change.op === "upsert" && change.row.updatedAt > signedAt + MAX_FUTURE_UPDATED_AT_MS) {
        return bad(`${event.type} payload's updated_at (${change.row.updatedAt}) is more than an hour after the delivery was signed.`);
      }
    }
  }
  return { type: event.type, ...parsed };
}

const bad = (error: string): Parsed => ({ error });
