import type { OrganizationJSON, OrganizationWebhookEvent } from "@clerk/backend";
import { clerkId } from "../random.js";
import { clerkEvent, defaultImageUrl, nextVersionAt, now, slugOf } from "./envelope.js";

/** `organization.created` / `organization.updated`: the events that carry a whole organization. */
export type OrganizationEvent = Extract<OrganizationWebhookEvent, { data: OrganizationJSON }>;
/** `organization.deleted`: only the id (Clerk's `DeletedObjectJSON`). */
export type OrganizationDeletedEvent = Exclude<OrganizationWebhookEvent, OrganizationEvent>;

let organizations = 0;

/**
 * An `OrganizationJSON` as Clerk sends it: a Clerk-shaped id, the slug Clerk derives from the
 * name, `members_count` and `private_metadata` (never stored by this package), `updated_at`
 * equal to `created_at`. Any field can be overridden.
 *
 * ```ts
 * const acme = clerkOrganization({ name: "Acme", created_by: ada.id });
 * ```
 */
export function clerkOrganization(overrides: Partial<OrganizationJSON> = {}): OrganizationJSON {
  const id = overrides.id ?? clerkId("org", `kit-${++organizations}`);
  const name = overrides.name ?? `Team ${id.slice(-4)}`;
  const createdAt = overrides.created_at ?? overrides.updated_at ?? now();
  return {
    object: "organization",
    id,
    name,
    slug: slugOf(name),
    image_url: defaultImageUrl(id),
    has_image: false,
    members_count: 0,
    pending_invitations_count: 0,
    max_allowed_memberships: 5,
    admin_delete_enabled: true,
    public_metadata: {},
    private_metadata: { billingAccount: `acct_${id.slice(-8)}` },
    created_at: createdAt,
    updated_at: createdAt,
    ...overrides,
  };
}

/**
 * `organization.created` (see `clerkOrganization` for the defaults).
 *
 * ```ts
 * const acme = organizationCreated({ name: "Acme", created_by: ada.id });
 * ```
 */
export function organizationCreated(overrides: Partial<OrganizationJSON> = {}): OrganizationEvent {
  const organization = clerkOrganization(overrides);
  return clerkEvent("organization.created", organization, organization.updated_at);
}

/**
 * `organization.updated`: the next version with `changes`, a second later (or at
 * `changes.updated_at`). A new name does not change the slug unless `changes.slug` does, as in Clerk.
 *
 * ```ts
 * const renamed = organizationUpdated(acme.data, { name: "Acme Inc" });
 * ```
 */
export function organizationUpdated(organization: OrganizationJSON, changes: Partial<OrganizationJSON> = {}): OrganizationEvent {
  const next = { ...organization, ...changes, updated_at: nextVersionAt(organization.updated_at, changes.updated_at) };
  return clerkEvent("organization.updated", next, next.updated_at);
}

/**
 * `organization.deleted`: only `{ object: "organization", id, deleted: true }`. This package
 * removes the organization's memberships itself.
 *
 * ```ts
 * const gone = organizationDeleted(acme.data);
 * ```
 */
export function organizationDeleted(organization: OrganizationJSON | string, at: number = now()): OrganizationDeletedEvent {
  const id = typeof organization === "string" ? organization : organization.id;
  return clerkEvent("organization.deleted", { object: "organization", id, deleted: true }, at);
}
