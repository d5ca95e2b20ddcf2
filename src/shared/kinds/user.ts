import type { UserJSON } from "@clerk/backend";
import { v, type Infer } from "convex/values";
import { isClerkObject, nullable, withoutUndefined } from "../clerkJson.js";
import { storableMetadata } from "../metadata.js";
import { defineKind, docValidator, objectEvents } from "./define.js";

/**
 * A Clerk user: the `users` table. Everything Clerk may send as null is optional here and stored
 * as absent. Times are Clerk's own (ms since epoch), so ordering compares Clerk's clock, not ours.
 */
export const userFields = {
  clerkId: v.string(),
  email: v.optional(v.string()),
  emailVerified: v.optional(v.boolean()),
  phoneNumber: v.optional(v.string()),
  username: v.optional(v.string()),
  firstName: v.optional(v.string()),
  lastName: v.optional(v.string()),
  name: v.optional(v.string()),
  imageUrl: v.optional(v.string()),
  publicMetadata: v.optional(v.record(v.string(), v.any())),
  externalId: v.optional(v.string()),
  createdAt: v.optional(v.number()),
  updatedAt: v.number(),
  lastSignInAt: v.optional(v.number()),
  /**
   * Made from the signed-in identity's claims before Clerk's webhook arrived
   * (`requireUser(..., { createIfMissing: true })`). Clerk never sends this field, so no
   * payload can look provisional; Clerk's first real version replaces the row, whatever its `updated_at`.
   */
  provisional: v.optional(v.literal(true)),
};

/** `updatedAt` of a provisional row. `user.provisional` says a row is one; this value alone does not. */
export const PROVISIONAL_UPDATED_AT = 0;

/** A user's fields as applied from Clerk, before they are a document. */
export const vUserFields = v.object(userFields);
export type UserFields = Infer<typeof vUserFields>;
/** A synced user as the app sees it: the row plus its system fields. */
export const vUser = docValidator(userFields);
export type User = Infer<typeof vUser>;

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

const toRow = (json: unknown) => (isClerkUserJSON(json) ? userFromClerk(json) : null);

export const user = defineKind({
  name: "user",
  table: "users",
  fields: userFields,
  parents: [],
  // Stamped at each sign-in: a resync must not rewrite every active user (and fire onUserUpdated) for it.
  volatile: ["lastSignInAt"],
  rising: ["lastSignInAt"],
  webhook: objectEvents("user", "user", toRow, "a Clerk user (needs a non-empty string id and a finite numeric updated_at)"),
  api: {
    path: "/v1/users",
    order: { by: "oldestFirst" },
    recheck: { by: "ids", path: "/v1/users", param: "user_id" },
    toRow,
  },
});
