import type { OrganizationJSON, UserJSON } from "@clerk/backend";
import { clerkId } from "../random.js";
import { clerkEvent, nextVersionAt, now, personFor, type ClerkEvent } from "./envelope.js";

/**
 * An organization invitation as Clerk's webhooks send it (the webhook spec's
 * `OrganizationInvitation`, with `user_id` once accepted and the organization's public data).
 */
export type ClerkInvitationJSON = {
  object: "organization_invitation";
  id: string;
  email_address: string;
  role: string;
  role_name: string;
  organization_id: string;
  inviter_id: string | null;
  public_inviter_data: {
    user_id: string;
    first_name: string | null;
    last_name: string | null;
    image_url: string;
    has_image: boolean;
    identifier: string;
  } | null;
  /** `pending`, `accepted`, `revoked` or `expired`. */
  status: string;
  public_metadata: Record<string, unknown>;
  private_metadata: Record<string, unknown>;
  /** The link the invitee follows; in Clerk's, a token. */
  url: string | null;
  /** The user who accepted it: only on an accepted invitation. */
  user_id?: string;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
  public_organization_data?: { id: string; name: string; slug: string; image_url?: string; has_image: boolean } | null;
};

/** `organizationInvitation.created` / `.accepted` / `.revoked`: each carries the whole invitation. */
export type InvitationEvent = ClerkEvent<
  "organizationInvitation.created" | "organizationInvitation.accepted" | "organizationInvitation.revoked",
  ClerkInvitationJSON
>;

/** What an invitation is built from: its organization (or its id), who sent it, and any invitation field. */
export type InvitationInput = Partial<Omit<ClerkInvitationJSON, "organization_id">> & {
  organization: OrganizationJSON | string;
  /** The admin who sent it; absent, one sent from Clerk's dashboard or the Backend API (`inviter_id: null`). */
  inviter?: UserJSON;
};

/** How long Clerk keeps an invitation pending, as in its webhook spec's example: a week. */
export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

const ROLE_NAMES: Record<string, string> = { "org:admin": "Admin", "org:member": "Member" };

let invitations = 0;

/**
 * An organization invitation as Clerk sends it: an `orginv_` id, `pending`, `org:member`, a week
 * to accept it, `private_metadata` this package must never store, and the `url` Clerk sends
 * (here a placeholder, never a real token: it must never be stored either). Any field can be
 * overridden.
 *
 * ```ts
 * const invite = clerkInvitation({ organization: acme.data, email_address: "ada@example.com", inviter: grace.data });
 * ```
 */
export function clerkInvitation(input: InvitationInput): ClerkInvitationJSON {
  const { organization, inviter, ...fields } = input;
  const orgId = typeof organization === "string" ? organization : organization.id;
  const key = fields.id ?? `kit-${++invitations}`;
  const id = fields.id ?? clerkId("orginv", key);
  const role = fields.role ?? "org:member";
  const createdAt = fields.created_at ?? fields.updated_at ?? now();
  const inviterEmail = inviter?.email_addresses.find((e) => e.id === inviter.primary_email_address_id)?.email_address;
  const invitee = personFor(id);
  return {
    object: "organization_invitation",
    id,
    email_address: `${invitee.first}.${invitee.last}.${id.slice(-6)}@example.com`.toLowerCase(),
    role,
    role_name: ROLE_NAMES[role] ?? role,
    organization_id: orgId,
    inviter_id: inviter?.id ?? null,
    public_inviter_data: inviter
      ? {
          user_id: inviter.id,
          first_name: inviter.first_name,
          last_name: inviter.last_name,
          image_url: inviter.image_url,
          has_image: inviter.has_image,
          identifier: inviterEmail ?? inviter.id,
        }
      : null,
    status: "pending",
    public_metadata: {},
    private_metadata: { referral: `crm_${id.slice(-8)}` },
    url: `https://accounts.example.com/accept-invitation?token=test-kit-placeholder-${id.slice(-8)}`,
    expires_at: createdAt + INVITATION_LIFETIME_MS,
    created_at: createdAt,
    updated_at: createdAt,
    public_organization_data:
      typeof organization === "string"
        ? null
        : {
            id: organization.id,
            name: organization.name,
            slug: organization.slug ?? "",
            image_url: organization.image_url ?? undefined,
            has_image: organization.has_image,
          },
    ...fields,
  };
}

/**
 * `organizationInvitation.created`: an admin invites an address, `pending` (see `clerkInvitation`).
 *
 * ```ts
 * const invited = invitationCreated({ organization: acme.data, email_address: "ada@example.com" });
 * ```
 */
export function invitationCreated(input: InvitationInput): InvitationEvent {
  const invitation = clerkInvitation(input);
  return clerkEvent("organizationInvitation.created", invitation, invitation.updated_at);
}

/**
 * `organizationInvitation.accepted`: `user` (or a user id) accepted it; the next version, a second
 * later or at `changes.updated_at`, with `status: "accepted"` and `user_id`.
 *
 * ```ts
 * const accepted = invitationAccepted(invited.data, ada.data);
 * ```
 */
export function invitationAccepted(invitation: ClerkInvitationJSON, user: UserJSON | string, changes: Partial<ClerkInvitationJSON> = {}): InvitationEvent {
  const userId = typeof user === "string" ? user : user.id;
  const next = { ...invitation, status: "accepted", user_id: userId, ...changes, updated_at: nextVersionAt(invitation.updated_at, changes.updated_at) };
  return clerkEvent("organizationInvitation.accepted", next, next.updated_at);
}

/**
 * `organizationInvitation.revoked`: an admin revoked it; the next version, a second later or at
 * `changes.updated_at`, with `status: "revoked"`. Clerk keeps the invitation: it is not deleted.
 *
 * ```ts
 * const revoked = invitationRevoked(invited.data);
 * ```
 */
export function invitationRevoked(invitation: ClerkInvitationJSON, changes: Partial<ClerkInvitationJSON> = {}): InvitationEvent {
  const next = { ...invitation, status: "revoked", ...changes, updated_at: nextVersionAt(invitation.updated_at, changes.updated_at) };
  return clerkEvent("organizationInvitation.revoked", next, next.updated_at);
}
