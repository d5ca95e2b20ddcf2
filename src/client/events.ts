import type { WebhookEvent } from "@clerk/backend";
import { isClerkUserJSON, userFromClerk } from "../shared/clerkUser.js";
import type { UserChange } from "../shared/validators.js";

/** What a verified delivery asks for: a change to apply, an event this package does not handle, or why it is malformed (a 400). */
export type Parsed = { change: UserChange; ignored?: false } | { ignored: true } | { error: string };

/** The change a verified body asks for, `ignored` for events this package does not handle, or why it is a 400. */
export function changeFromBody(body: string): Parsed {
  let event: WebhookEvent;
  try {
    event = JSON.parse(body) as WebhookEvent;
  } catch {
    return bad("Body is not JSON.");
  }
  if (typeof event !== "object" || event === null || typeof event.type !== "string" || typeof event.data !== "object" || event.data === null) {
    return bad("Body is not a Clerk event: expected { type, data }.");
  }
  switch (event.type) {
    case "user.created":
    case "user.updated":
      if (!isClerkUserJSON(event.data)) return bad(`${event.type} payload is not a Clerk user (needs string id and numeric updated_at).`);
      return { change: { kind: "upsert", user: userFromClerk(event.data) } };
    case "user.deleted":
      if (typeof event.data.id !== "string") return bad("user.deleted payload has no user id.");
      return { change: { kind: "delete", clerkId: event.data.id } };
    default:
      return { ignored: true };
  }
}

const bad = (error: string): Parsed => ({ error });
