import type { EmailAddressJSON, UserJSON, UserWebhookEvent } from "@clerk/backend";
import { clerkId } from "../random.js";
import { clerkEvent, defaultImageUrl, nextVersionAt, now, personFor } from "./envelope.js";

/** `user.created` / `user.updated`: the events that carry a whole user. */
export type UserEvent = Extract<UserWebhookEvent, { data: UserJSON }>;
/** `user.deleted`: only the id (Clerk's `DeletedObjectJSON`). */
export type UserDeletedEvent = Exclude<UserWebhookEvent, UserEvent>;

/** Any `UserJSON` field, plus `email`: the primary address (`null` for none). */
export type UserOverrides = Partial<UserJSON> & { email?: string | null };

let users = 0;

/**
 * A `UserJSON` as Clerk sends it in `user.created` / `user.updated`: a Clerk-shaped id, a
 * verified primary address that is not the first in `email_addresses` (Clerk points at it by
 * id), `private_metadata` this package must never store, `updated_at` equal to `created_at`.
 * Any field can be overridden.
 *
 * ```ts
 * const ada = clerkUser({ first_name: "Ada", email: "ada@example.com" });
 * ```
 */
export function clerkUser(overrides: UserOverrides = {}): UserJSON {
  const { email, ...fields } = overrides;
  const id = fields.id ?? clerkId("user", `kit-${++users}`);
  const createdAt = fields.created_at ?? fields.updated_at ?? now();
  const { first, last } = personFor(id);
  const user: UserJSON = {
    object: "user",
    id,
    username: null,
    first_name: first,
    last_name: last,
    image_url: defaultImageUrl(id),
    has_image: false,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    password_enabled: false,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    phone_numbers: [],
    web3_wallets: [],
    organization_memberships: null,
    external_accounts: [],
    enterprise_accounts: [],
    password_last_updated_at: null,
    public_metadata: {},
    private_metadata: { stripeCustomerId: `cus_${id.slice(-8)}` },
    unsafe_metadata: {},
    external_id: null,
    last_sign_in_at: null,
    banned: false,
    locked: false,
    deprovisioned: false,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: 100,
    created_at: createdAt,
    updated_at: createdAt,
    last_active_at: null,
    create_organization_enabled: true,
    create_organizations_limit: null,
    delete_self_enabled: true,
    legal_accepted_at: null,
    locale: null,
    timezone: null,
    ...withPrimaryEmail(id, `${first}.${last}+${id.slice(-6)}@example.com`.toLowerCase()),
    ...fields,
  };
  return email === undefined ? user : { ...user, ...withPrimaryEmail(id, email) };
}

/** The address fields for a primary `email` (none for null), after an older unverified one. */
function withPrimaryEmail(userId: string, email: string | null): Pick<UserJSON, "email_addresses" | "primary_email_address_id"> {
  if (email === null) return { email_addresses: [], primary_email_address_id: null };
  const primaryId = clerkId("idn", `${userId}:${email}`);
  const address = (id: string, emailAddress: string, verified: boolean): EmailAddressJSON => ({
    object: "email_address",
    id,
    email_address: emailAddress,
    verification: verified
      ? // Clerk's real `object`; @clerk/backend's ObjectType does not list verifications.
        { object: "verification_email_code" as never, id: "", status: "verified", strategy: "email_code", attempts: 1, expire_at: null }
      : null,
    linked_to: [],
  });
  return {
    email_addresses: [address(clerkId("idn", `${userId}:old`), `old.${userId.slice(-6).toLowerCase()}@example.com`, false), address(primaryId, email, true)],
    primary_email_address_id: primaryId,
  };
}

/**
 * `user.created`: a new user (see `clerkUser` for the defaults).
 *
 * ```ts
 * const signUp = userCreated({ email: "ada@example.com" });
 * await deliver(t, [signUp]);
 * ```
 */
export function userCreated(overrides: UserOverrides = {}): UserEvent {
  const user = clerkUser(overrides);
  return clerkEvent("user.created", user, user.updated_at);
}

/**
 * `user.updated`: the next version of `user` with `changes`, stamped a second after it (or
 * at `changes.updated_at`). Clerk sends the whole user, not a diff.
 *
 * ```ts
 * const created = userCreated();
 * const renamed = userUpdated(created.data, { first_name: "Augusta" });
 * ```
 */
export function userUpdated(user: UserJSON, changes: UserOverrides = {}): UserEvent {
  const next = clerkUser({ ...user, ...changes, updated_at: nextVersionAt(user.updated_at, changes.updated_at) });
  return clerkEvent("user.updated", next, next.updated_at);
}

/**
 * `user.deleted`: Clerk sends only `{ object: "user", id, deleted: true }`, with no
 * `updated_at`; the event's `timestamp` is when it happened.
 *
 * ```ts
 * const gone = userDeleted(created.data);
 * ```
 */
export function userDeleted(user: UserJSON | string, at: number = now()): UserDeletedEvent {
  const id = typeof user === "string" ? user : user.id;
  return clerkEvent("user.deleted", { object: "user", id, deleted: true }, at);
}
