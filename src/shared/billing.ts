import { v, type Infer } from "convex/values";
import { clerkUsersError } from "./errors.js";
import { isClerkObject, nullable, withoutUndefined } from "./clerkJson.js";
import { docValidator } from "./kinds/define.js";
import { vPayer, type Payer } from "./kinds/payer.js";
import { CURRENT_STATUSES, vSubscriptionItem, type SubscriptionItem } from "./kinds/subscriptionItem.js";

/**
 * Clerk Billing as the app reads it: a payer's `Billing` (what it is on now, what is scheduled,
 * whether a renewal failed), worked out from its stored subscription items and the synced plans.
 * Pure: the component's `billing.getByPayer` and the app's `getBilling` share it.
 */

/** A Clerk Billing plan and the slugs of its features: the `billingPlans` table. */
export const planFields = {
  clerkId: v.string(),
  slug: v.string(),
  name: v.string(),
  /** `user` or `org`. */
  payerType: v.optional(v.string()),
  isDefault: v.boolean(),
  isRecurring: v.boolean(),
  /** The features' slugs, as `has({ feature })` names them. */
  features: v.array(v.string()),
  /** The monthly fee, in the currency's smallest unit. */
  fee: v.optional(v.number()),
  currency: v.optional(v.string()),
};
export const vPlanFields = v.object(planFields);
export type PlanFields = Infer<typeof vPlanFields>;
export const vPlan = docValidator(planFields);
export type Plan = Infer<typeof vPlan>;

/** The parts of the Backend API's `CommercePlan` read here. */
const vClerkPlanJSON = v.object({
  id: v.string(),
  slug: v.string(),
  name: v.string(),
  for_payer_type: nullable(v.string()),
  is_default: nullable(v.boolean()),
  is_recurring: nullable(v.boolean()),
  fee: nullable(v.object({ amount: v.number(), currency: nullable(v.string()) })),
  features: nullable(v.array(v.object({ slug: v.string() }))),
});

/** The stored plan of a listed plan's JSON, or null when it is not one. */
export function planFromClerk(json: unknown): PlanFields | null {
  if (!isClerkObject(vClerkPlanJSON, json)) return null;
  const plan = json as Infer<typeof vClerkPlanJSON>;
  if (plan.slug.length === 0) return null;
  return withoutUndefined({
    clerkId: plan.id,
    slug: plan.slug,
    name: plan.name,
    payerType: plan.for_payer_type || undefined,
    isDefault: plan.is_default ?? false,
    isRecurring: plan.is_recurring ?? false,
    features: (plan.features ?? []).map((feature) => feature.slug),
    fee: plan.fee?.amount,
    currency: plan.fee?.currency || undefined,
  });
}

/**
 * A payer's billing, from the database: what the token cannot say (another organization's plan,
 * a user's own plan while an organization is active, any plan in a cron), and what it never says
 * (past due, cancels at period end, trial end, a scheduled downgrade, seats).
 */
export const vBilling = v.object({
  payer: vPayer,
  /** The slugs of the plans the payer is on now (its current items'). */
  plans: v.array(v.string()),
  /** The slugs of those plans' features, from the synced plans (`plansSynced`). */
  features: v.array(v.string()),
  /** Whether every current plan was found among the synced plans: if not, `features` is incomplete. */
  plansSynced: v.boolean(),
  /** Items whose plan the payer has now: `active`, `past_due`, and `canceled` (until Clerk ends it). */
  current: v.array(vSubscriptionItem),
  /** Scheduled changes: a deferred downgrade, or the free item after a paid plan was canceled. */
  upcoming: v.array(vSubscriptionItem),
  /** A renewal failed: Clerk still counts the plan as current while it retries. */
  pastDue: v.boolean(),
  /** A current paid item was canceled: its features stay until `periodEnd`. */
  cancelsAtPeriodEnd: v.boolean(),
  /** When the current paid period ends (renews, or ends if canceled); null on the free plan alone. */
  periodEnd: v.union(v.number(), v.null()),
  /** When a current free trial ends, or null. */
  trialEndsAt: v.union(v.number(), v.null()),
  /** Seats bought on a current item priced per seat, or null. */
  seats: v.union(v.number(), v.null()),
});
export type Billing = Infer<typeof vBilling>;

/** Whether an item's plan is the payer's now. */
export function isCurrent(item: Pick<SubscriptionItem, "status">): boolean {
  return CURRENT_STATUSES.includes(item.status);
}

/** The slugs of the payer's current plans, sorted (what `onPlansChanged` compares). */
export function currentPlans(items: readonly Pick<SubscriptionItem, "status" | "planSlug">[]): string[] {
  return [...new Set(items.filter(isCurrent).flatMap((item) => (item.planSlug ? [item.planSlug] : [])))].sort();
}

/** The billing of `payer` from its items (any status) and the synced plans of their slugs. */
export function billingOf(payer: Payer, items: readonly SubscriptionItem[], plans: readonly Pick<PlanFields, "slug" | "features">[]): Billing {
  const current = items.filter(isCurrent);
  const upcoming = items.filter((item) => item.status === "upcoming");
  const slugs = currentPlans(current);
  const known = new Map(plans.map((plan) => [plan.slug, plan.features]));
  const paid = current.filter((item) => item.periodEnd !== undefined);
  const trial = current.find((item) => item.isFreeTrial && item.periodEnd !== undefined);
  const seated = current.find((item) => item.seats !== undefined);
  return {
    payer,
    plans: slugs,
    features: [...new Set(slugs.flatMap((slug) => known.get(slug) ?? []))].sort(),
    plansSynced: slugs.every((slug) => known.has(slug)),
    current,
    upcoming,
    pastDue: current.some((item) => item.status === "past_due"),
    cancelsAtPeriodEnd: current.some((item) => item.status === "canceled"),
    periodEnd: paid.length > 0 ? Math.min(...paid.map((item) => item.periodEnd!)) : null,
    trialEndsAt: trial?.periodEnd ?? null,
    seats: seated?.seats ?? null,
  };
}

/** What a billing check asks for: a plan or a feature, bare or scoped as Clerk's `has()` takes them (`"pro"`, `"o:pro"`, `"u:pro"`). */
export type BillingRequirement = { plan?: string; feature?: string };

/**
 * Whether `billing` has the plan and the feature asked for, with the meaning of Clerk's `has()`:
 * a bare slug matches either payer, `o:` only an organization's billing, `u:` only a user's.
 * A feature asked of plans never synced throws `PLANS_NOT_SYNCED`: the answer is unknown, not no
 * (plans and their features come only from a resync with `billing: true`).
 */
export function billingHas(billing: Billing | null, { plan, feature }: BillingRequirement): boolean {
  if (!billing) return false;
  const scoped = (value: string) => {
    const [scope, slug] = value.includes(":") ? (value.split(":", 2) as [string, string]) : [undefined, value];
    const fits = scope === undefined || (scope === "o" ? "orgId" in billing.payer : scope === "u" ? "userId" in billing.payer : false);
    return { fits, slug };
  };
  if (plan !== undefined) {
    const { fits, slug } = scoped(plan);
    if (!fits || !billing.plans.includes(slug)) return false;
  }
  if (feature !== undefined) {
    const { fits, slug } = scoped(feature);
    if (!fits) return false;
    if (!billing.plansSynced)
      throw clerkUsersError(
        "PLANS_NOT_SYNCED",
        `The plans ${billing.plans.join(", ")} were never synced: run the resync with { billing: true } to sync plans and their features.`,
      );
    if (!billing.features.includes(slug)) return false;
  }
  return true;
}
