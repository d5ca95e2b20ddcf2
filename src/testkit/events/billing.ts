import type { OrganizationJSON, UserJSON } from "@clerk/backend";
import { clerkId } from "../random.js";
import { now } from "./envelope.js";

/**
 * Clerk Billing's webhook JSON, as Clerk's webhook spec and its examples have it. Written here
 * rather than taken from `@clerk/backend`, whose billing webhook types differ from what Clerk
 * sends (`plan_period` for `interval`, no `subscription_id`, no `seats`, no `past_due` spelling).
 */

/** Who pays (`BillingPayerEventPayload`): a user, or an organization; the other's fields are `""`. */
export type ClerkPayerJSON = {
  object: "commerce_payer";
  id: string;
  user_id: string;
  first_name: string;
  last_name: string;
  email: string;
  organization_id: string;
  organization_name: string;
  image_url: string;
  created_at: number;
  updated_at: number;
};

/** A plan as an item embeds it (`BillingSubscriptionItemEventPlan`); `amount` in cents. */
export type ClerkPlanJSON = { id: string; slug: string; name: string; is_recurring: boolean; amount: number; currency: string };

export type SubscriptionItemStatus = "active" | "past_due" | "canceled" | "upcoming" | "ended" | "abandoned" | "incomplete";

/** Fields an item has wherever it is sent. */
type ItemFields = {
  id: string;
  status: SubscriptionItemStatus;
  is_free_trial: boolean;
  created_at: number;
  updated_at: number;
  period_start: number;
  /** Null on the free default plan's item, which never ends by itself. */
  period_end: number | null;
  interval: "month" | "annual";
  plan_id: string | null;
  plan: ClerkPlanJSON | null;
  /** Seats bought; `quantity: null` is unlimited. Only on plans priced per seat. */
  seats?: { quantity: number | null };
};

/** A subscription item as a `subscriptionItem.*` event sends it: with its payer and its subscription's id. */
export type ClerkSubscriptionItemJSON = ItemFields & { object: "subscription_item"; payer: ClerkPayerJSON; subscription_id: string };

/** An item as a `subscription.*` event nests it: no payer, `subscription_id: null` (the subscription says both). */
export type ClerkNestedSubscriptionItemJSON = ItemFields & { object: "commerce_subscription_item"; subscription_id: null };

/** A payer's subscription (`SubscriptionEventPayload`): its status is derived by Clerk from its items. */
export type ClerkSubscriptionJSON = {
  object: "commerce_subscription";
  id: string;
  status: "active" | "past_due" | "canceled" | "ended" | "abandoned" | "incomplete";
  active_at: number | null;
  canceled_at: number | null;
  created_at: number;
  ended_at: number | null;
  past_due_at: number | null;
  updated_at: number;
  latest_payment_id: string | null;
  payer_id: string;
  payer: ClerkPayerJSON;
  payment_source_id: string | null;
  items: ClerkNestedSubscriptionItemJSON[];
};

/** An amount of money as Clerk sends it (`BillingAmount`). */
export type ClerkAmountJSON = { amount: number; amount_formatted: string; currency: string; currency_symbol: string };

/** A charge for a payer's items (`PaymentAttemptEventPayload`): `pending`, then `paid` or `failed`. */
export type ClerkPaymentAttemptJSON = {
  id: string;
  instance_id: string;
  payment_id: string;
  statement_id: string;
  gateway_external_id: string;
  status: "pending" | "paid" | "failed";
  created_at: number;
  updated_at: number;
  paid_at: number | null;
  failed_at: number | null;
  failed_reason: { code: string; decline_code: string } | null;
  billing_date: number;
  charge_type: "checkout" | "recurring";
  payee: { id: string; gateway_type: string; gateway_external_id: string; gateway_status: string };
  payer: ClerkPayerJSON;
  totals: { subtotal: ClerkAmountJSON; tax_total: ClerkAmountJSON; grand_total: ClerkAmountJSON };
  payment_source: {
    id: string;
    gateway: string;
    gateway_external_id: string;
    gateway_external_account_id: string | null;
    payment_method: "card" | "link";
    status: "active" | "disconnected";
    card_type: string | null;
    last4: string | null;
  };
  /** The items charged, in the Backend API's item shape (`plan_period`, not `interval`). */
  subscription_items: {
    object: "commerce_subscription_item";
    id: string;
    status: SubscriptionItemStatus;
    plan_period: "month" | "annual";
    period_start: number;
    period_end: number | null;
    canceled_at: number | null;
    past_due_at: number | null;
    amount: ClerkAmountJSON;
    plan: ClerkPlanJSON | null;
    plan_id: string | null;
  }[];
};

/**
 * A user payer, as Clerk sends it: a `cpayer_` id (always the same for one user), the user's
 * name and primary email, `organization_id: ""` and `organization_name: ""`.
 *
 * ```ts
 * const payer = userPayer(ada.data);
 * ```
 */
export function userPayer(user: UserJSON | string, overrides: Partial<ClerkPayerJSON> = {}): ClerkPayerJSON {
  const json = typeof user === "string" ? null : user;
  const id = typeof user === "string" ? user : user.id;
  const email = json?.email_addresses.find((e) => e.id === json.primary_email_address_id)?.email_address ?? "";
  const createdAt = json?.created_at ?? now();
  return {
    object: "commerce_payer",
    id: clerkId("cpayer", id),
    user_id: id,
    first_name: json?.first_name ?? "",
    last_name: json?.last_name ?? "",
    email,
    organization_id: "",
    organization_name: "",
    image_url: json?.image_url ?? "",
    created_at: createdAt,
    updated_at: createdAt,
    ...overrides,
  };
}

/**
 * An organization payer: `organization_id` and `organization_name` set, the user fields `""`.
 * Whoever checked out is not the payer; give `user_id` to model a payload that names them.
 *
 * ```ts
 * const payer = organizationPayer(acme.data);
 * ```
 */
export function organizationPayer(organization: OrganizationJSON | string, overrides: Partial<ClerkPayerJSON> = {}): ClerkPayerJSON {
  const json = typeof organization === "string" ? null : organization;
  const id = typeof organization === "string" ? organization : organization.id;
  const createdAt = json?.created_at ?? now();
  return {
    object: "commerce_payer",
    id: clerkId("cpayer", id),
    user_id: "",
    first_name: "",
    last_name: "",
    email: "",
    organization_id: id,
    organization_name: json?.name ?? "",
    image_url: json?.image_url ?? "",
    created_at: createdAt,
    updated_at: createdAt,
    ...overrides,
  };
}

/**
 * A paid plan as items embed it: a `cplan_` id (always the same for one slug), $20 a month
 * unless overridden.
 *
 * ```ts
 * const pro = clerkPlan({ slug: "pro", name: "Pro", amount: 2000 });
 * ```
 */
export function clerkPlan(overrides: Partial<ClerkPlanJSON> = {}): ClerkPlanJSON {
  const slug = overrides.slug ?? "pro";
  return {
    id: clerkId("cplan", slug),
    slug,
    name: slug.replace(/(^|[-_])(\w)/g, (_, sep: string, c: string) => `${sep ? " " : ""}${c.toUpperCase()}`),
    is_recurring: true,
    amount: 2000,
    currency: "USD",
    ...overrides,
  };
}

/**
 * Clerk's default free plan for a payer (`free_user`, or `free_org` for an organization): every
 * payer is on it until it subscribes to another, and its item has no `period_end`.
 *
 * ```ts
 * const free = freePlan(payer);
 * ```
 */
export function freePlan(payer: Pick<ClerkPayerJSON, "organization_id"> | "user" | "org"): ClerkPlanJSON {
  const org = payer === "org" || (typeof payer === "object" && payer.organization_id !== "");
  return clerkPlan({ slug: org ? "free_org" : "free_user", name: "Free", is_recurring: false, amount: 0 });
}

/** Whether a plan is a free default plan, whose item has no end. */
export const isDefaultFree = (plan: ClerkPlanJSON | null) => plan !== null && plan.amount === 0 && !plan.is_recurring;

/** Money as Clerk formats it (US dollars by default). */
export function clerkAmount(amount: number, currency: string = "USD"): ClerkAmountJSON {
  return { amount, amount_formatted: `$${(amount / 100).toFixed(2)}`, currency, currency_symbol: "$" };
}
