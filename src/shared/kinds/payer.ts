import { v, type Infer } from "convex/values";
import { isClerkObject, nullable } from "../clerkJson.js";

/**
 * Who pays for a Clerk Billing object: a user or an organization. Clerk's payer JSON carries both
 * ids, the other one as `""` (a user payer's `organization_id: ""`); an empty string is absent.
 * Stored rows keep the payer as two optional parent fields, `userId` and `orgId`, exactly one set,
 * so a user's or an organization's deletion removes its billing rows by the usual cascade.
 */

/** The payer as the app names it: `{ type: "user", userId }` or `{ type: "org", orgId }`. */
export const vPayer = v.union(v.object({ type: v.literal("user"), userId: v.string() }), v.object({ type: v.literal("org"), orgId: v.string() }));
export type Payer = Infer<typeof vPayer>;

/** A payer's fields on a stored row. */
export const payerFields = {
  /** Clerk's payer id (`cpayer_...`), when the payload names it. */
  payerId: v.optional(v.string()),
  /** The paying user; absent for an organization payer. */
  userId: v.optional(v.string()),
  /** The paying organization; absent for a user payer. */
  orgId: v.optional(v.string()),
};
export type PayerFields = { payerId?: string; userId?: string; orgId?: string };

/** The parts of Clerk's payer JSON (webhooks' `BillingPayerEventPayload`, the Backend API's `CommercePayerResponse`) read here. */
const vClerkPayerJSON = v.object({
  id: nullable(v.string()),
  user_id: nullable(v.string()),
  organization_id: nullable(v.string()),
});

/**
 * The payer fields of Clerk's payer JSON, or null when it names neither a user nor an
 * organization. An organization id wins: an organization payer's `user_id`, if Clerk ever fills
 * it, is who clicked, not who pays, and must not make the row a child of that user.
 */
export function payerFromClerk(json: unknown, payerId?: string | null): PayerFields | null {
  if (!isClerkObject(vClerkPayerJSON, json)) return null;
  const payer = json as Infer<typeof vClerkPayerJSON>;
  const id = payer.id || payerId || undefined;
  if (payer.organization_id) return withId({ orgId: payer.organization_id }, id);
  if (payer.user_id) return withId({ userId: payer.user_id }, id);
  return null;
}

function withId(fields: PayerFields, payerId: string | undefined): PayerFields {
  return payerId ? { payerId, ...fields } : fields;
}

/** The payer a stored row names. */
export function payerOf(row: PayerFields): Payer | null {
  if (row.orgId) return { type: "org", orgId: row.orgId };
  if (row.userId) return { type: "user", userId: row.userId };
  return null;
}

/** The payer's parents, for a billing kind's `parents`: a user's or an organization's deletion removes its rows. */
export function payerParents(names: { user: string; organization: string }) {
  return [
    { kind: names.user, field: "userId", index: "by_user" },
    { kind: names.organization, field: "orgId", index: "by_org" },
  ] as const;
}
