import { v, type Infer } from "convex/values";
import { isClerkObject, nullable, withoutUndefined } from "../clerkJson.js";
import { defineKind, docValidator, type KindChange } from "./define.js";
import { organization } from "./organization.js";
import { payerFields, payerFromClerk, payerParents } from "./payer.js";
import { user } from "./user.js";

/**
 * A Clerk Billing payment attempt (`cpa_...`): a charge for a payer's subscription items,
 * `pending`, then `paid` or `failed`. Synced from `paymentAttempt.*` events only: the Backend API
 * lists attempts per statement, not per instance, so a resync does not list them.
 */
export const paymentAttemptFields = {
  clerkId: v.string(),
  ...payerFields,
  /** `pending`, `paid` or `failed`. */
  status: v.string(),
  /** The payment this attempt is for (`cp_...`): a retry is another attempt of one payment. */
  paymentId: v.optional(v.string()),
  statementId: v.optional(v.string()),
  /** `checkout` or `recurring`. */
  chargeType: v.optional(v.string()),
  /** The grand total, in the currency's smallest unit (cents). */
  amount: v.optional(v.number()),
  currency: v.optional(v.string()),
  paidAt: v.optional(v.number()),
  failedAt: v.optional(v.number()),
  /** Clerk's failure code (`card_declined`, `insufficient_funds`...). */
  failedReason: v.optional(v.string()),
  billingDate: v.optional(v.number()),
  /** The subscription items charged. */
  itemIds: v.array(v.string()),
  createdAt: v.optional(v.number()),
  updatedAt: v.number(),
};
export const vPaymentAttemptFields = v.object(paymentAttemptFields);
export type PaymentAttemptFields = Infer<typeof vPaymentAttemptFields>;
export const vPaymentAttempt = docValidator(paymentAttemptFields);
export type PaymentAttempt = Infer<typeof vPaymentAttempt>;

const vClerkPaymentAttemptJSON = v.object({
  id: v.string(),
  status: v.string(),
  updated_at: v.number(),
  created_at: nullable(v.number()),
  payer: v.any(),
  payment_id: nullable(v.string()),
  statement_id: nullable(v.string()),
  charge_type: nullable(v.string()),
  paid_at: nullable(v.number()),
  failed_at: nullable(v.number()),
  failed_reason: nullable(v.object({ code: nullable(v.string()) })),
  billing_date: nullable(v.number()),
  totals: nullable(v.object({ grand_total: nullable(v.object({ amount: v.number(), currency: nullable(v.string()) })) })),
  subscription_items: nullable(v.array(v.object({ id: v.string() }))),
});

/** The stored row of a payment attempt's JSON, or null when it is not one (or names no payer). */
export function paymentAttemptFromClerk(json: unknown): PaymentAttemptFields | null {
  if (!isClerkObject(vClerkPaymentAttemptJSON, json)) return null;
  const attempt = json as Infer<typeof vClerkPaymentAttemptJSON>;
  const payer = payerFromClerk(attempt.payer);
  if (!payer) return null;
  const total = attempt.totals?.grand_total ?? undefined;
  return withoutUndefined({
    clerkId: attempt.id,
    ...payer,
    status: attempt.status,
    paymentId: attempt.payment_id || undefined,
    statementId: attempt.statement_id || undefined,
    chargeType: attempt.charge_type || undefined,
    amount: total?.amount,
    currency: total?.currency || undefined,
    paidAt: attempt.paid_at ?? undefined,
    failedAt: attempt.failed_at ?? undefined,
    failedReason: attempt.failed_reason?.code || undefined,
    billingDate: attempt.billing_date ?? undefined,
    itemIds: (attempt.subscription_items ?? []).map((item) => item.id),
    createdAt: attempt.created_at ?? undefined,
    updatedAt: attempt.updated_at,
  });
}

function changes(type: string, data: unknown): KindChange<"paymentAttempt", PaymentAttemptFields>[] | { error: string } {
  const row = paymentAttemptFromClerk(data);
  if (!row)
    return { error: `${type} payload is not a Clerk payment attempt (needs a non-empty id, a status, a finite updated_at and a user or organization payer).` };
  return [{ kind: "paymentAttempt", op: "upsert", row }];
}

export const paymentAttempt = defineKind({
  name: "paymentAttempt",
  table: "paymentAttempts",
  fields: paymentAttemptFields,
  parents: payerParents({ user: user.name, organization: organization.name }),
  webhook: { events: ["paymentAttempt.created", "paymentAttempt.updated"], changes },
  // Worked out by component/billingHooks.ts.
  derivedHooks: {
    /** `onPaymentAttempt`: the attempt reached a status (`pending`, then `paid` or `failed`), once per status. */
    paymentAttempt: { paymentAttempt: vPaymentAttempt },
  },
});
