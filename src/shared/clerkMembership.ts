import type { OrganizationMembershipJSON } from "@clerk/backend";
import { v } from "convex/values";
import { isClerkObject, nullable, withoutUndefined } from "./clerkJson.js";
import { isClerkOrganizationJSON } from "./clerkOrganization.js";
import { storableMetadata } from "./metadata.js";
import type { MembershipFields } from "./validators.js";

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
  const user = json.public_user_data;
  return withoutUndefined({
    clerkId: json.id,
    orgId: json.organization.id,
    userId: user.user_id,
    role: json.role,
    permissions: json.permissions ?? [],
    publicMetadata: storableMetadata(json.public_metadata),
    identifier: user.identifier || undefined,
    firstName: user.first_name || undefined,
    lastName: user.last_name || undefined,
    imageUrl: user.image_url || undefined,
    createdAt: json.created_at ?? undefined,
    updatedAt: json.updated_at,
  });
}
