/**
 * Clerk Billing's lifecycles as the webhook events Clerk sends for them, for a user payer (each
 * user pays for themselves) or an organization payer (an organization of every user). Each story
 * starts with the payers signing up on the free default plan.
 */
import { clerkId } from "./random.js";
import {
  clerkPlan,
  clerkSubscriptionItem,
  freePlan,
  organizationPayer,
  paymentAttemptCreated,
  paymentAttemptUpdated,
  periodEndOf,
  subscriptionCreated,
  subscriptionItemActive,
  subscriptionItemCanceled,
  subscriptionItemCreated,
  subscriptionItemEnded,
  subscriptionItemFreeTrialEnding,
  subscriptionItemPastDue,
  subscriptionItemUpcoming,
  subscriptionItemUpdated,
  subscriptionPastDue,
  subscriptionUpdated,
  type ClerkPayerJSON,
  type ClerkPlanJSON,
  type ClerkSubscriptionItemJSON,
  type ClerkSubscriptionJSON,
  type ClerkWebhookEvent,
  userPayer,
} from "./events/index.js";
import { signUps, team, tell, type ScenarioOptions, type Story } from "./story.js";

/** The paid plan the billing scenarios subscribe to. */
export const PRO_PLAN: ClerkPlanJSON = clerkPlan({ slug: "pro", name: "Pro", amount: 2000 });

const DAY_MS = 86_400_000;
/** How long the trial scenarios' free trial lasts. */
export const TRIAL_DAYS = 14;

/** One payer's billing as the story goes: its subscription, its free default item, its paid item once it has one. */
type Account = { payer: ClerkPayerJSON; subscription: ClerkSubscriptionJSON; free: ClerkSubscriptionItemJSON; paid?: ClerkSubscriptionItemJSON };

/** A chapter: what happens to one account, as the events it makes. */
type Chapter = (s: Story, account: Account) => ClerkWebhookEvent[];

/**
 * Tells a billing story: the payers sign up (users, or an organization of them all), Clerk puts
 * each on the free default plan (`subscription.created`), then each chapter happens to every
 * payer in turn.
 */
function billingStory(options: ScenarioOptions, chapters: Chapter[]): ClerkWebhookEvent[] {
  return tell(options, 1, (s) => {
    const users = signUps(s);
    const events: ClerkWebhookEvent[] = [...users];
    let payers: ClerkPayerJSON[];
    if (options.payer === "org") {
      const { events: joined, organization } = team(
        s,
        users.map((u) => u.data),
      );
      events.push(...joined);
      payers = [organizationPayer(organization)];
    } else {
      payers = users.map((u) => userPayer(u.data));
    }
    for (const payer of payers) {
      const free = clerkSubscriptionItem({ id: clerkId("csub_item", `${s.seed}:${payer.id}:free`), payer, plan: freePlan(payer), created_at: s.next() });
      const created = subscriptionCreated({ payer, items: [free] });
      events.push(created);
      const account: Account = { payer, subscription: created.data, free };
      for (const chapter of chapters) events.push(...chapter(s, account));
    }
    return events;
  });
}

/** The subscription's next version with the account's items as they are now. */
function subscriptionNow(s: Story, account: Account, status?: ClerkSubscriptionJSON["status"]) {
  const items = [account.free, ...(account.paid ? [account.paid] : [])];
  const next =
    status === "past_due"
      ? subscriptionPastDue(account.subscription, { items, updated_at: s.next() })
      : subscriptionUpdated(account.subscription, { items, updated_at: s.next() });
  account.subscription = next.data;
  return next;
}

/** Checkout of pro: the item is created incomplete, the payment goes through, pro becomes active and the free item ends. */
const upgrade: Chapter = (s, account) => {
  const { payer } = account;
  const created = subscriptionItemCreated({
    id: clerkId("csub_item", `${s.seed}:${payer.id}:pro`),
    payer,
    plan: PRO_PLAN,
    status: "incomplete",
    created_at: s.next(),
  });
  const charge = paymentAttemptCreated({ id: clerkId("cpa", `${s.seed}:${payer.id}:checkout`), payer, items: [created.data], created_at: s.next() });
  const paid = paymentAttemptUpdated(charge.data, { status: "paid", updated_at: s.next() });
  const at = s.next();
  const active = subscriptionItemActive(created.data, { updated_at: at, period_start: at, period_end: periodEndOf(at, "month") });
  const ended = subscriptionItemEnded(account.free, { updated_at: s.next() });
  account.paid = active.data;
  account.free = ended.data;
  return [created, charge, paid, active, ended, subscriptionNow(s, account)];
};

/** The renewal's charge is declined: pro is past due, and so is the subscription. */
const renewalFails: Chapter = (s, account) => {
  const { payer, paid } = account;
  const charge = paymentAttemptCreated({
    id: clerkId("cpa", `${s.seed}:${payer.id}:renewal`),
    payer,
    items: [paid!],
    charge_type: "recurring",
    created_at: s.next(),
  });
  const failed = paymentAttemptUpdated(charge.data, { status: "failed", updated_at: s.next() });
  const pastDue = subscriptionItemPastDue(paid!, { updated_at: s.next() });
  account.paid = pastDue.data;
  return [charge, failed, pastDue, subscriptionNow(s, account, "past_due")];
};

/** Pro is canceled and kept until its period ends; the free item is upcoming, then active again when pro ends. */
const cancel: Chapter = (s, account) => {
  const canceled = subscriptionItemCanceled(account.paid!, { updated_at: s.next() });
  const upcoming = subscriptionItemUpcoming(account.free, { period_start: canceled.data.period_end!, updated_at: s.next() });
  account.paid = canceled.data;
  account.free = upcoming.data;
  const scheduled = subscriptionNow(s, account);
  const ended = subscriptionItemEnded(canceled.data, { updated_at: s.next() });
  const back = subscriptionItemActive(upcoming.data, { updated_at: s.next() });
  account.paid = ended.data;
  account.free = back.data;
  return [canceled, upcoming, scheduled, ended, back, subscriptionNow(s, account)];
};

/** A free trial of pro starts (the free item ends); Clerk warns it is ending; then it converts (first payment) or ends (free again). */
const trial =
  (converts: boolean): Chapter =>
  (s, account) => {
    const { payer } = account;
    const at = s.next();
    const started = subscriptionItemCreated({
      id: clerkId("csub_item", `${s.seed}:${payer.id}:trial`),
      payer,
      plan: PRO_PLAN,
      is_free_trial: true,
      created_at: at,
      period_end: at + TRIAL_DAYS * DAY_MS,
    });
    const ended = subscriptionItemEnded(account.free, { updated_at: s.next() });
    account.paid = started.data;
    account.free = ended.data;
    const events: ClerkWebhookEvent[] = [started, ended, subscriptionNow(s, account)];
    events.push(subscriptionItemFreeTrialEnding(started.data, {}, s.next()));
    if (converts) {
      const charge = paymentAttemptCreated({
        id: clerkId("cpa", `${s.seed}:${payer.id}:trial`),
        payer,
        items: [started.data],
        charge_type: "recurring",
        created_at: s.next(),
      });
      const paid = paymentAttemptUpdated(charge.data, { status: "paid", updated_at: s.next() });
      const start = started.data.period_end!;
      const converted = subscriptionItemUpdated(started.data, {
        is_free_trial: false,
        period_start: start,
        period_end: periodEndOf(start, "month"),
        updated_at: s.next(),
      });
      account.paid = converted.data;
      events.push(charge, paid, converted);
    } else {
      const lapsed = subscriptionItemEnded(started.data, { updated_at: s.next() });
      const back = subscriptionItemActive(account.free, { updated_at: s.next() });
      account.paid = lapsed.data;
      account.free = back.data;
      events.push(lapsed, back);
    }
    events.push(subscriptionNow(s, account));
    return events;
  };

/**
 * An upgrade: each payer, on the free default plan, checks out pro: the pro item is created
 * incomplete, paid, becomes active, and the free item ends.
 *
 * ```ts
 * const events = billingUpgrade({ users: 1 }); // or { payer: "org" }: an organization pays
 * ```
 */
export function billingUpgrade(options: ScenarioOptions = {}): ClerkWebhookEvent[] {
  return billingStory(options, [upgrade]);
}

/**
 * A failed renewal: after the upgrade, the recurring charge is declined, and the pro item and the
 * subscription are past due (Clerk still counts the plan while it retries).
 *
 * ```ts
 * const events = failedRenewal({ payer: "org" });
 * ```
 */
export function failedRenewal(options: ScenarioOptions = {}): ClerkWebhookEvent[] {
  return billingStory(options, [upgrade, renewalFails]);
}

/**
 * A cancellation to period end: after the upgrade, pro is canceled (still the payer's plan), the
 * free item is upcoming; at the period's end pro ends and the free item is active again.
 *
 * ```ts
 * const events = billingCancellation();
 * ```
 */
export function billingCancellation(options: ScenarioOptions = {}): ClerkWebhookEvent[] {
  return billingStory(options, [upgrade, cancel]);
}

/**
 * A free trial of pro: the trial item starts (`is_free_trial`, ending in `TRIAL_DAYS`), the free
 * item ends, Clerk sends `freeTrialEnding`; then the first charge is paid and the item is no
 * longer a trial (`converts`, the default), or it ends and the free item is active again.
 *
 * ```ts
 * const events = billingTrial({ converts: false });
 * ```
 */
export function billingTrial(options: ScenarioOptions & { converts?: boolean } = {}): ClerkWebhookEvent[] {
  return billingStory(options, [trial(options.converts ?? true)]);
}
