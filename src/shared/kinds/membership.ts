import type { OrganizationMembershipJSON } from "@clerk/backend";
import { v, type Infer } from "convex/values";
import { isClerkObject, nullable, withoutUndefined } from "../clerkJson.js";
import { storableMetadata } from "../metadata.js";
import { defineKind, docValidator, type KindChange } from "./define.js";
import { isClerkOrganizationJSON, organization, organizationFromClerk, type OrganizationFields } from "./organization.js";
import { user } from "./user.js";

/**
 * A user's membership of an organization: the `memberships` table, with what a member list
 * shows (Clerk's `public_user_data`) so listing members needs no join.
 */
export const membershipFields = {
  /** Clerk's membership id (`orgmem_...`): leaving and rejoining makes a new one. */
  clerkId: v.string(),
  orgId: v.string(),
  userId: v.string(),
  /** As Clerk names it, e.g. `"org:admin"`. */
  role: v.string(),
  /** As Clerk names them, e.g. `"org:posts:edit"`. */
  permissions: v.array(v.string()),
  publicMetadata: v.optional(v.record(v.string(), v.any())),
  /** The member's primary identifier (email, phone or username), from `public_user_data`. */
  identifier: v.optional(v.string()),
  firstName: v.optional(v.string()),
  lastName: v.optional(v.string()),
  imageUrl: v.optional(v.string()),
  /**
   * Clerk's `updated_at` of the user version the member data above was copied from, when a
   * `user.updated` refreshed it; absent when it came with the membership itself.
   */
  userDataAt: v.optional(v.number()),
  createdAt: v.optional(v.number()),
  updatedAt: v.number(),
};
export const vMembershipFields = v.object(membershipFields);
export type MembershipFields = Infer<typeof vMembershipFields>;
export const vMembership = docValidator(membershipFields);
export type Membership = Infer<typeof vMembership>;

/**
 * The parts of Clerk's `OrganizationMembershipJSON` this package reads. Its `organization` is
 * the whole organization (checked by `isClerkOrganizationJSON`), and `public_user_data` what a
 * member list shows of the user.
 */
export const vClerkMembershipJSON = v.object({
  id: v.string(),
  role: v.string(),
  updated_at: v.number(),
  permissions: nullable(v.array(v.string())),
  public_metadata: nullable(v.any()),
  created_at: nullable(v.number()),
  organization: v.any(),
  public_user_data: v.object({
    user_id: v.string(),
    identifier: nullable(v.string()),
    first_name: nullable(v.string()),
    last_name: nullable(v.string()),
    image_url: nullable(v.string()),
  }),
});

/** Whether `json` has the shape of a Clerk membership this package can store, with its organization. */
export function isClerkMembershipJSON(json: unknown): json is OrganizationMembershipJSON {
  if (!isClerkObject(vClerkMembershipJSON, json)) return false;
  const { organization, public_user_data } = json as OrganizationMembershipJSON;
  return isClerkOrganizationJSON(organization) && public_user_data.user_id.length > 0;
}

/** Maps Clerk's membership JSON to the stored row; `private_metadata` is never read. */
export function membershipFromClerk(json: OrganizationMembershipJSON): MembershipFields {
  const member = json.public_user_data;
  return withoutUndefined({
    clerkId: json.id,
    orgId: json.organization.id,
    userId: member.user_id,
    role: json.role,
    permissions: json.permissions ?? [],
    publicMetadata: storableMetadata(json.public_metadata),
    identifier: member.identifier || undefined,
    firstName: member.first_name || undefined,
    lastName: member.last_name || undefined,
    imageUrl: member.image_url || undefined,
    createdAt: json.created_at ?? undefined,
    updatedAt: json.updated_at,
  });
}

const PREFIX = "organizationMembership";
type MembershipChange = KindChange<"membership", MembershipFields> | KindChange<"organization", OrganizationFields>;

/**
 * A membership event carries its whole organization, applied first under the same ordering
 * rules, so a membership that arrives before its organization's own event has its organization.
 */
function changes(type: string, data: unknown): MembershipChange[] | { error: string } {
  if (!isClerkMembershipJSON(data)) {
    return {
      error: `${type} payload is not a Clerk membership (needs a non-empty id, a role, a finite updated_at, its organization and public_user_data.user_id).`,
    };
  }
  const parent = { kind: organization.name, op: "upsert", row: organizationFromClerk(data.organization) } as const;
  const row = membershipFromClerk(data);
  if (type !== `${PREFIX}.deleted`) return [parent, { kind: membership.name, op: "upsert", row }];
  return [parent, { kind: membership.name, op: "delete", clerkId: row.clerkId, belongsTo: { orgId: row.orgId, userId: row.userId } }];
}

const toRow = (json: unknown) => (isClerkMembershipJSON(json) ? membershipFromClerk(json) : null);

export const membership = defineKind({
  name: "membership",
  table: "memberships",
  fields: membershipFields,
  resyncOption: "organizations",
  parents: [
    { kind: organization.name, field: "orgId", index: "by_org_user" },
    { kind: user.name, field: "userId", index: "by_user" },
  ],
  // Leaving and rejoining makes a new membership id; the old one is gone in Clerk.
  unique: { index: "by_org_user", fields: ["orgId", "userId"] },
  // The member's public data, which Clerk changes with the user, not with the membership.
  volatile: ["identifier", "firstName", "lastName", "imageUrl", "userDataAt"],
  copies: {
    parent: user.name,
    field: "userId",
    fields: ["identifier", "firstName", "lastName", "imageUrl"],
    at: "userDataAt",
    // Clerk's identifier is the user's primary email, else phone, else username.
    from: (member) => ({
      identifier: member.email ?? member.phoneNumber ?? member.username,
      firstName: member.firstName,
      lastName: member.lastName,
      imageUrl: member.imageUrl,
    }),
  },
  webhook: { events: [`${PREFIX}.created`, `${PREFIX}.updated`, `${PREFIX}.deleted`], changes },
  api: {
    path: "/v1/organization_memberships",
    order: { by: "oldestFirst" },
    // Asked per organization, for the candidates' users in it.
    embedded: (json) => (isClerkMembershipJSON(json) ? [{ kind: organization.name, op: "upsert", row: organizationFromClerk(json.organization) }] : []),
    recheck: {
      by: "byParent",
      parentField: "orgId",
      path: (orgId) => `/v1/organizations/${encodeURIComponent(orgId)}/memberships`,
      param: "user_id",
      idField: "userId",
    },
    toRow,
  },
});
