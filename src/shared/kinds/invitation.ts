import { v, type Infer } from "convex/values";
import { isClerkObject, nullable, withoutUndefined } from "../clerkJson.js";
import { storableMetadata } from "../metadata.js";
import { defineKind, docValidator, reachedStatus, type KindChange } from "./define.js";
import { organization } from "./organization.js";
import { user } from "./user.js";

/**
 * An invitation to join an organization (`orginv_...`): `pending` until the invitee accepts it or
 * an admin revokes it. Clerk never deletes one and sends no event when one expires: an invitation
 * whose `expiresAt` has passed is expired whatever its stored status says (`invitationStatusAt`).
 * Its `url` holds the invitation's token and its `private_metadata` is the backend's: neither is
 * ever read.
 */
export const invitationFields = {
  clerkId: v.string(),
  orgId: v.string(),
  /** The invited address, lower-cased: Clerk matches addresses case-insensitively. */
  emailAddress: v.string(),
  /** As Clerk names it, e.g. `"org:member"`. */
  role: v.string(),
  /** The role's display name, e.g. `"Member"`. */
  roleName: v.optional(v.string()),
  /** As Clerk sends it: `pending`, `accepted`, `revoked` (or `expired`, as a resync lists it). */
  status: v.string(),
  /** The user who accepted it, once accepted. */
  userId: v.optional(v.string()),
  /** The admin who sent it, when Clerk says. */
  inviterId: v.optional(v.string()),
  publicMetadata: v.optional(v.record(v.string(), v.any())),
  expiresAt: v.optional(v.number()),
  createdAt: v.optional(v.number()),
  updatedAt: v.number(),
};
export const vInvitationFields = v.object(invitationFields);
export type InvitationFields = Infer<typeof vInvitationFields>;
export const vInvitation = docValidator(invitationFields);
export type Invitation = Infer<typeof vInvitation>;

/** Clerk's statuses this package reads; Clerk may add others, stored as it spells them. */
export const INVITATION_STATUS = { pending: "pending", accepted: "accepted", revoked: "revoked", expired: "expired" } as const;

/**
 * The parts of Clerk's invitation JSON read here, in the webhook's and the Backend API's shapes
 * alike. `created_at` is required (Clerk always sends it): pending invitations are listed oldest
 * first by it. `organization_id` names the parent; the webhook spec leaves it out of `required`,
 * so `public_organization_data.id` stands in when it is absent.
 */
export const vClerkInvitationJSON = v.object({
  id: v.string(),
  email_address: v.string(),
  role: v.string(),
  status: v.string(),
  updated_at: v.number(),
  created_at: v.number(),
  role_name: nullable(v.string()),
  organization_id: nullable(v.string()),
  public_organization_data: nullable(v.object({ id: v.string() })),
  user_id: nullable(v.string()),
  inviter_id: nullable(v.string()),
  public_metadata: nullable(v.any()),
  expires_at: nullable(v.number()),
});
type ClerkInvitationJSON = Infer<typeof vClerkInvitationJSON>;

/** The stored row of an invitation's JSON, or null when it is not one (or names no organization). */
export function invitationFromClerk(json: unknown): InvitationFields | null {
  if (!isClerkObject(vClerkInvitationJSON, json)) return null;
  const invitation = json as ClerkInvitationJSON;
  const orgId = invitation.organization_id || invitation.public_organization_data?.id;
  if (!orgId || invitation.email_address.length === 0 || !Number.isFinite(invitation.created_at)) return null;
  return withoutUndefined({
    clerkId: invitation.id,
    orgId,
    emailAddress: normalizedEmail(invitation.email_address),
    role: invitation.role,
    roleName: invitation.role_name || undefined,
    status: invitation.status,
    userId: invitation.user_id || undefined,
    inviterId: invitation.inviter_id || undefined,
    publicMetadata: storableMetadata(invitation.public_metadata),
    expiresAt: invitation.expires_at ?? undefined,
    createdAt: invitation.created_at,
    updatedAt: invitation.updated_at,
  });
}

/** An address as invitations are stored and looked up by: lower-cased, trimmed. */
export function normalizedEmail(address: string): string {
  return address.trim().toLowerCase();
}

/** The invitation's status at `now`: a pending one past its `expiresAt` is expired (Clerk sends no event for it). */
export function invitationStatusAt(invitation: Pick<InvitationFields, "status" | "expiresAt">, now: number): string {
  const { status, expiresAt } = invitation;
  return status === INVITATION_STATUS.pending && expiresAt !== undefined && expiresAt <= now ? INVITATION_STATUS.expired : status;
}

/**
 * Whether an invitation's hook event (`created`, `updated` from `previous`) is its arrival at
 * `status`: created in it, or a newer version in it whose replaced row was not. A duplicate or
 * stale copy is no hook event, so each arrival is announced once.
 */
export function enteredStatus(
  status: string,
  what: string,
  invitation: Pick<InvitationFields, "status">,
  previous?: Pick<InvitationFields, "status">,
): boolean {
  return invitation.status === status && reachedStatus(what, invitation, previous);
}

const PREFIX = "organizationInvitation";

/** Every event carries the whole invitation; `revoked` is a status, not a deletion. */
function changes(type: string, data: unknown): KindChange<"invitation", InvitationFields>[] | { error: string } {
  const row = invitationFromClerk(data);
  if (!row)
    return {
      error: `${type} payload is not a Clerk organization invitation (needs a non-empty id, an email_address, a role, a status, its organization_id and finite created_at and updated_at).`,
    };
  return [{ kind: "invitation", op: "upsert", row }];
}

export const invitation = defineKind({
  name: "invitation",
  table: "invitations",
  fields: invitationFields,
  resyncOption: "invitations",
  parents: [
    { kind: organization.name, field: "orgId", index: "by_org_status" },
    // The user who accepted it: their deletion removes it.
    { kind: user.name, field: "userId", index: "by_user" },
  ],
  // Its address is the invitee's personal data: a user's deletion removes the invitations to the
  // email address their stored row holds (accepted or not, sent before they signed up or after).
  addressedTo: [
    { kind: user.name, field: "emailAddress", index: "by_email", valueOf: (row) => (typeof row.email === "string" ? normalizedEmail(row.email) : undefined) },
  ],
  // The Backend API's invitations do not say who accepted them: a listed copy of a version the
  // webhook stored knows less, not something else.
  volatile: ["userId"],
  omittable: ["userId"],
  webhook: { events: [`${PREFIX}.created`, `${PREFIX}.accepted`, `${PREFIX}.revoked`], changes },
  api: {
    // Every invitation of the instance, whatever its status (no `status` filter).
    path: "/v1/organization_invitations",
    order: { by: "oldestFirst" },
    // One invitation by id, under its organization: a 404 is one Clerk no longer has.
    recheck: {
      by: "one",
      path: (clerkId, { orgId }) => `/v1/organizations/${encodeURIComponent(orgId!)}/invitations/${encodeURIComponent(clerkId)}`,
      needs: ["orgId"],
    },
    toRow: invitationFromClerk,
  },
  // Worked out by component/invitationHooks.ts.
  derivedHooks: {
    /** `onInvitationAccepted`: the invitation's stored status became `accepted` (created so included), once. */
    invitationAccepted: { invitation: vInvitation },
    /** `onInvitationRevoked`: the invitation's stored status became `revoked` (created so included), once. */
    invitationRevoked: { invitation: vInvitation },
  },
});
