import { clerkId } from "../random.js";
import { clerkAmount, type ClerkPayerJSON, type ClerkPaymentAttemptJSON, type ClerkSubscriptionItemJSON } from "./billing.js";
import { clerkEvent, nextVersionAt, now, TEST_INSTANCE_ID, type ClerkEvent } from "./envelope.js";

/** `paymentAttempt.created` / `.updated`: the whole attempt each time. */
export type PaymentAttemptEvent = ClerkEvent<"paymentAttempt.created" | "paymentAttempt.updated", ClerkPaymentAttemptJSON>;

/** What an attempt is built from: its payer, the items it charges, and any attempt field. */
export type PaymentAttemptInput = Partial<Omit<ClerkPaymentAttemptJSON, "payer" | "subscription_items">> & {
  payer: ClerkPayerJSON;
  /** The items charged; the total is the sum of their plans' amounts. */
  items?: ClerkSubscriptionItemJSON[];
};

let attempts = 0;

/**
 * A payment attempt as Clerk sends it: a `cpa_` id for the attempt, a `cp_` id for the payment
 * (a retry is another attempt of one payment), `pending`, a checkout, the items' plans' total
 * with no tax, paid by a Visa card through Stripe.
 *
 * ```ts
 * const attempt = clerkPaymentAttempt({ payer, items: [pro.data] });
 * ```
 */
export function clerkPaymentAttempt(input: PaymentAttemptInput): ClerkPaymentAttemptJSON {
  const { payer, items = [], ...fields } = input;
  const key = fields.id ?? `kit-${++attempts}`;
  const createdAt = fields.created_at ?? fields.updated_at ?? now();
  const total = items.reduce((sum, item) => sum + (item.plan?.amount ?? 0), 0);
  return {
    id: clerkId("cpa", key),
    instance_id: TEST_INSTANCE_ID,
    payment_id: clerkId("cp", key),
    statement_id: clerkId("stmt", `${payer.id}:${createdAt}`),
    gateway_external_id: `pi_${clerkId("pi", key).slice(4, 28)}`,
    status: "pending",
    created_at: createdAt,
    updated_at: createdAt,
    paid_at: null,
    failed_at: null,
    failed_reason: null,
    billing_date: createdAt,
    charge_type: "checkout",
    payee: { id: clerkId("cpayee", TEST_INSTANCE_ID), gateway_type: "stripe", gateway_external_id: "acct_1KitTestPayee00", gateway_status: "active" },
    payer,
    totals: { subtotal: clerkAmount(total), tax_total: clerkAmount(0), grand_total: clerkAmount(total) },
    payment_source: {
      id: clerkId("cps", payer.id),
      gateway: "stripe",
      gateway_external_id: `pm_${clerkId("pm", payer.id).slice(3, 27)}`,
      gateway_external_account_id: null,
      payment_method: "card",
      status: "active",
      card_type: "visa",
      last4: "4242",
    },
    subscription_items: items.map((item) => ({
      object: "commerce_subscription_item",
      id: item.id,
      status: item.status,
      plan_period: item.interval,
      period_start: item.period_start,
      period_end: item.period_end,
      canceled_at: null,
      past_due_at: null,
      amount: clerkAmount(item.plan?.amount ?? 0),
      plan: item.plan,
      plan_id: item.plan_id,
    })),
    ...fields,
  };
}

/**
 * `paymentAttempt.created`: a charge starts, `pending` (see `clerkPaymentAttempt`). A renewal is
 * `charge_type: "recurring"`.
 *
 * ```ts
 * const charge = paymentAttemptCreated({ payer, items: [pro.data], charge_type: "recurring" });
 * ```
 */
export function paymentAttemptCreated(input: PaymentAttemptInput): PaymentAttemptEvent {
  const attempt = clerkPaymentAttempt(input);
  return clerkEvent("paymentAttempt.created", attempt, attempt.updated_at);
}

/**
 * `paymentAttempt.updated`: the next version with `changes`, a second later or at
 * `changes.updated_at`. `status: "paid"` stamps `paid_at`; `status: "failed"` stamps `failed_at`
 * and a declined card as the reason, unless `changes` gives them.
 *
 * ```ts
 * const paid = paymentAttemptUpdated(charge.data, { status: "paid" });
 * const declined = paymentAttemptUpdated(charge.data, { status: "failed", failed_reason: { code: "insufficient_funds", decline_code: "insufficient_funds" } });
 * ```
 */
export function paymentAttemptUpdated(attempt: ClerkPaymentAttemptJSON, changes: Partial<ClerkPaymentAttemptJSON> = {}): PaymentAttemptEvent {
  const updatedAt = nextVersionAt(attempt.updated_at, changes.updated_at);
  const outcome =
    changes.status === "paid"
      ? { paid_at: updatedAt }
      : changes.status === "failed"
        ? { failed_at: updatedAt, failed_reason: { code: "card_declined", decline_code: "generic_decline" } }
        : {};
  const next = { ...attempt, ...outcome, ...changes, updated_at: updatedAt };
  return clerkEvent("paymentAttempt.updated", next, next.updated_at);
}
