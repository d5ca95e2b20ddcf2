import type { OrganizationJSON } from "@clerk/backend";
import { v, type Infer } from "convex/values";
import { isClerkObject, nullable, withoutUndefined } from "../clerkJson.js";
import { storableMetadata } from "../metadata.js";
import { defineKind, docValidator, objectEvents } from "./define.js";

/** A Clerk organization: the `organizations` table. Null fields are absent. */
export const organizationFields = {
  clerkId: v.string(),
  name: v.string(),
  slug: v.optional(v.string()),
  imageUrl: v.optional(v.string()),
  membersCount: v.optional(v.number()),
  maxAllowedMemberships: v.optional(v.number()),
  adminDeleteEnabled: v.optional(v.boolean()),
  publicMetadata: v.optional(v.record(v.string(), v.any())),
  /** Clerk id of the user who created it. */
  createdBy: v.optional(v.string()),
  createdAt: v.optional(v.number()),
  updatedAt: v.number(),
};
export const vOrganizationFields = v.object(organizationFields);
export type OrganizationFields = Infer<typeof vOrganizationFields>;
export const vOrganization = docValidator(organizationFields);
export type Organization = Infer<typeof vOrganization>;

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

const toRow = (json: unknown) => (isClerkOrganizationJSON(json) ? organizationFromClerk(json) : null);

export const organization = defineKind({
  name: "organization",
  table: "organizations",
  fields: organizationFields,
  resyncOption: "organizations",
  parents: [],
  volatile: ["membersCount"],
  // A copy without it (one listed without include_members_count) does not know the count.
  omittable: ["membersCount"],
  webhook: objectEvents("organization", "organization", toRow, "a Clerk organization (needs a non-empty string id, a name and a finite numeric updated_at)"),
  api: {
    path: "/v1/organizations",
    // Without it Clerk leaves `members_count` out of the list.
    params: { include_members_count: "true" },
    order: { by: "oldestFirst" },
    // The list's `query` matches an organization id exactly (and names and slugs in part).
    recheck: { by: "query", path: "/v1/organizations" },
    toRow,
  },
});
