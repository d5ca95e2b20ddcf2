import type { WebhookEvent } from "@clerk/backend";
import { isClerkMembershipJSON, membershipFromClerk } from "../shared/clerkMembership.js";
import { isClerkOrganizationJSON, organizationFromClerk } from "../shared/clerkOrganization.js";
import { isClerkUserJSON, userFromClerk } from "../shared/clerkUser.js";
import type { Change } from "../shared/validators.js";

/** The Clerk events this package applies; subscribe the endpoint to these. */
export const HANDLED_EVENTS = [
  "user.created",
  "user.updated",
  "user.deleted",
  "organization.created",
  "organization.updated",
  "organization.deleted",
  "organizationMembership.created",
  "organizationMembership.updated",
  "organizationMembership.deleted",
] as const;

/**
 * How far past the delivery's signed time an `updated_at` may be. Clerk stamps a version before
 * it sends it; one stamped well after the signature (a clock gone wrong, a crafted payload) would
 * make every later real version of the object stale.
 */
export const MAX_FUTURE_UPDATED_AT_MS = 60 * 60_000;

/** What a verified delivery asks for: changes to apply in order, an event this package does not handle, or why it is malformed (a 400). */
export type Parsed = { changes: Change[]; ignored?: false } | { ignored: true } | { error: string };

/**
 * The changes a verified body asks for, `ignored` for events this package does not handle, or
 * why it is a 400. `signedAt` is the delivery's svix timestamp (ms). A membership event carries
 * its whole organization, applied first under the same ordering rules, so a membership that
 * arrives before its organization's own event has its organization.
 */
export function changesFromBody(body: string, signedAt: number): Parsed {
  let event: WebhookEvent;
  try {
    event = JSON.parse(body) as WebhookEvent;
  } catch {
    return bad("Body is not JSON.");
  }
  if (typeof event !== "object" || event === null || typeof event.type !== "string" || typeof event.data !== "object" || event.data === null) {
    return bad("Body is not a Clerk event: expected { type, data }.");
  }
  const parsed = changesOf(event);
  if ("changes" in parsed) {
    for (const change of parsed.changes) {
      if (change.op === "upsert" && change.row.updatedAt > signedAt + MAX_FUTURE_UPDATED_AT_MS) {
        return bad(`${event.type} payload's updated_at (${change.row.updatedAt}) is more than an hour after the delivery was signed.`);
      }
    }
  }
  return parsed;
}

function changesOf(event: WebhookEvent): Parsed {
  const data: unknown = event.data;
  switch (event.type) {
    case "user.created":
    case "user.updated":
      if (!isClerkUserJSON(data)) return bad(`${event.type} payload is not a Clerk user (needs a non-empty string id and a finite numeric updated_at).`);
      return { changes: [{ kind: "user", op: "upsert", row: userFromClerk(data) }] };
    case "organization.created":
    case "organization.updated":
      if (!isClerkOrganizationJSON(data))
        return bad(`${event.type} payload is not a Clerk organization (needs a non-empty string id, a name and a finite numeric updated_at).`);
      return { changes: [{ kind: "organization", op: "upsert", row: organizationFromClerk(data) }] };
    case "organizationMembership.created":
    case "organizationMembership.updated":
    case "organizationMembership.deleted": {
      if (!isClerkMembershipJSON(data)) {
        return bad(
          `${event.type} payload is not a Clerk membership (needs a non-empty id, a role, a finite updated_at, its organization and public_user_data.user_id).`,
        );
      }
      const organization = { kind: "organization", op: "upsert", row: organizationFromClerk(data.organization) } as const;
      const membership = membershipFromClerk(data);
      if (event.type !== "organizationMembership.deleted") return { changes: [organization, { kind: "membership", op: "upsert", row: membership }] };
      const belongsTo = { orgId: membership.orgId, userId: membership.userId };
      return { changes: [organization, { kind: "membership", op: "delete", clerkId: membership.clerkId, belongsTo }] };
    }
    case "user.deleted":
    case "organization.deleted": {
      const id = (data as { id?: unknown }).id;
      if (typeof id !== "string" || id.length === 0) return bad(`${event.type} payload has no id.`);
      return { changes: [{ kind: event.type === "user.deleted" ? "user" : "organization", op: "delete", clerkId: id }] };
    }
    default:
      return { ignored: true };
  }
}

const bad = (error: string): Parsed => ({ error });
