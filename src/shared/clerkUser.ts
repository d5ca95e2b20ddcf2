import type { UserJSON } from "@clerk/backend";
import { v } from "convex/values";
import { isClerkObject, nullable, withoutUndefined } from "./clerkJson.js";
import { storableMetadata } from "./metadata.js";
import type { UserFields } from "./validators.js";

/**
 * The parts of Clerk's `UserJSON` this package reads, with the types it relies on.
 * Checked before mapping so a wrongly shaped payload is rejected, not half-stored.
 * Unknown fields are allowed: Clerk adds fields over time.
 */
const vClerkIdentifier = v.object({
  id: v.string(),
  email_address: v.optional(v.string()),
  phone_number: v.optional(v.string()),
  verification: nullable(v.object({ status: nullable(v.string()) })),
});

export const vClerkUserJSON = v.object({
  id: v.string(),
  updated_at: v.number(),
  created_at: nullable(v.number()),
  last_sign_in_at: nullable(v.number()),
  username: nullable(v.string()),
  first_name: nullable(v.string()),
  last_name: nullable(v.string()),
  image_url: nullable(v.string()),
  external_id: nullable(v.string()),
  primary_email_address_id: nullable(v.string()),
  primary_phone_number_id: nullable(v.string()),
  email_addresses: nullable(v.array(vClerkIdentifier)),
  phone_numbers: nullable(v.array(vClerkIdentifier)),
  public_metadata: nullable(v.any()),
});

/** Whether `json` has the shape of a Clerk user this package can store. */
export function isClerkUserJSON(json: unknown): json is UserJSON {
  return isClerkObject(vClerkUserJSON, json);
}

/**
 * Maps Clerk's user JSON to the stored row. The one place that knows Clerk's shape.
 * - The email is the primary address, found by id (Clerk does not order the list).
 * - Nulls become absent fields; `private_metadata` and `unsafe_metadata` are never read.
 */
export function userFromClerk(json: UserJSON): UserFields {
  const primaryEmail = json.email_addresses?.find((e) => e.id === json.primary_email_address_id);
  const primaryPhone = json.phone_numbers?.find((p) => p.id === json.primary_phone_number_id);
  const name = [json.first_name, json.last_name].filter((part) => part).join(" ");
  const row: UserFields = {
    clerkId: json.id,
    email: primaryEmail?.email_address?.toLowerCase(),
    emailVerified: primaryEmail ? primaryEmail.verification?.status === "verified" : undefined,
    phoneNumber: primaryPhone?.phone_number,
    username: json.username ?? undefined,
    firstName: json.first_name ?? undefined,
    lastName: json.last_name ?? undefined,
    name: name || undefined,
    imageUrl: json.image_url || undefined,
    publicMetadata: storableMetadata(json.public_metadata),
    externalId: json.external_id ?? undefined,
    createdAt: json.created_at ?? undefined,
    updatedAt: json.updated_at,
    lastSignInAt: json.last_sign_in_at ?? undefined,
  };
  return withoutUndefined(row);
}
