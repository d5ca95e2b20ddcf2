import type { OrganizationJSON } from "@clerk/backend";
import { v } from "convex/values";
import { isClerkObject, nullable, withoutUndefined } from "./clerkJson.js";
import { storableMetadata } from "./metadata.js";
import type { OrganizationFields } from "./validators.js";

/** The parts of Clerk's `OrganizationJSON` this package reads, with the types it relies on. */
export const vClerkOrganizationJSON = v.object({
  id: v.string(),
  name: v.string(),
  updated_at: v.number(),
  slug: nullable(v.string()),
  image_url: nullable(v.string()),
  members_count: nullable(v.number()),
  max_allowed_memberships: nullable(v.number()),
  admin_delete_enabled: nullable(v.boolean()),
  public_metadata: nullable(v.any()),
  created_by: nullable(v.string()),
  created_at: nullable(v.number()),
});

/** Whether `json` has the shape of a Clerk organization this package can store. */
export function isClerkOrganizationJSON(json: unknown): json is OrganizationJSON {
  return isClerkObject(vClerkOrganizationJSON, json);
}

/** Maps Clerk's organization JSON to the stored row; `private_metadata` is never read. */
export function organizationFromClerk(json: OrganizationJSON): OrganizationFields {
  return withoutUndefined({
    clerkId: json.id,
    name: json.name,
    slug: json.slug || undefined,
    imageUrl: json.image_url || undefined,
    membersCount: json.members_count ?? undefined,
    maxAllowedMemberships: json.max_allowed_memberships ?? undefined,
    adminDeleteEnabled: json.admin_delete_enabled ?? undefined,
    publicMetadata: storableMetadata(json.public_metadata),
    createdBy: json.created_by || undefined,
    createdAt: json.created_at ?? undefined,
    updatedAt: json.updated_at,
  });
}
