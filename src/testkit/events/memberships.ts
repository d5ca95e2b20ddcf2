import type { OrganizationJSON, OrganizationMembershipJSON, OrganizationMembershipWebhookEvent, UserJSON } from "@clerk/backend";
import { clerkId } from "../random.js";
import { clerkEvent, nextVersionAt, now } from "./envelope.js";

/** `organizationMembership.created` / `.updated` / `.deleted`: each carries the whole membership. */
export type MembershipEvent = OrganizationMembershipWebhookEvent;

/** The system permissions Clerk lists on a membership of each default role. */
export const SYSTEM_PERMISSIONS: Record<string, string[]> = {
  "org:admin": [
    "org:sys_profile:manage",
    "org:sys_profile:delete",
    "org:sys_memberships:read",
    "org:sys_memberships:manage",
    "org:sys_domains:read",
    "org:sys_domains:manage",
  ],
  "org:member": ["org:sys_memberships:read"],
};

/** What a membership is built from: its organization and user, and any membership field. */
export type MembershipInput = Partial<Omit<OrganizationMembershipJSON, "organization" | "public_user_data">> & {
  organization: OrganizationJSON;
  user: UserJSON;
};

/**
 * An `OrganizationMembershipJSON` as Clerk sends it: a Clerk-shaped id, `role` with its `org:`
 * prefix, the role's permissions (system ones included), the whole organization embedded, and
 * the member's `public_user_data`. Permissions follow the role unless given.
 *
 * ```ts
 * const m = clerkMembership({ organization: acme.data, user: ada.data, role: "org:admin" });
 * ```
 */
export function clerkMembership(input: MembershipInput): OrganizationMembershipJSON {
  const { organization, user, ...fields } = input;
  const role = fields.role ?? "org:member";
  const createdAt = fields.created_at ?? fields.updated_at ?? now();
  const primary = user.email_addresses.find((e) => e.id === user.primary_email_address_id);
  return {
    object: "organization_membership",
    id: clerkId("orgmem", `${organization.id}:${user.id}:${createdAt}`),
    role,
    permissions: SYSTEM_PERMISSIONS[role] ?? [],
    public_metadata: {},
    private_metadata: {},
    created_at: createdAt,
    updated_at: createdAt,
    organization,
    public_user_data: {
      identifier: primary?.email_address ?? user.username ?? user.id,
      first_name: user.first_name,
      last_name: user.last_name,
      image_url: user.image_url,
      has_image: user.has_image,
      user_id: user.id,
    },
    ...fields,
  };
}

/**
 * `organizationMembership.created`: a user joins (or creates) an organization.
 *
 * ```ts
 * const joined = membershipCreated({ organization: acme.data, user: ada.data, role: "org:admin" });
 * ```
 */
export function membershipCreated(input: MembershipInput): MembershipEvent {
  const membership = clerkMembership(input);
  return clerkEvent("organizationMembership.created", membership, membership.updated_at);
}

/**
 * `organizationMembership.updated`: the next version with `changes` (a new role brings its
 * permissions unless `changes.permissions` is given), a second later or at `changes.updated_at`.
 *
 * ```ts
 * const promoted = membershipUpdated(joined.data, { role: "org:admin" });
 * ```
 */
export function membershipUpdated(membership: OrganizationMembershipJSON, changes: Partial<OrganizationMembershipJSON> = {}): MembershipEvent {
  const permissions = changes.permissions ?? (changes.role ? (SYSTEM_PERMISSIONS[changes.role] ?? []) : membership.permissions);
  const next = { ...membership, ...changes, permissions, updated_at: nextVersionAt(membership.updated_at, changes.updated_at) };
  return clerkEvent("organizationMembership.updated", next, next.updated_at);
}

/**
 * `organizationMembership.deleted`: the member left or was removed. Unlike the other
 * deletions, Clerk sends the whole membership as it last was (its `updated_at` unchanged).
 * Rejoining makes a new membership, with a new id.
 *
 * ```ts
 * const left = membershipDeleted(joined.data);
 * ```
 */
export function membershipDeleted(membership: OrganizationMembershipJSON, at: number = now()): MembershipEvent {
  return clerkEvent("organizationMembership.deleted", membership, at);
}
