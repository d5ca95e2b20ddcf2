/**
 * Clerk Billing's stream: what a payer's subscription goes through, as Clerk's webhook sends it
 * (/tmp/wh.yml's `Subscription*Example`, `SubscriptionItem*Example`, `paymentAttempt.*`). Billing
 * is not "an object created, updated, deleted": one change of a subscription moves several items
 * at once (the free item ends as the paid one starts), and Clerk sends it twice, each item as
 * `subscriptionItem.<status>` (with its payer and `subscription_id`) and all of them nested in a
 * `subscription.*` event (no payer of their own, `subscription_id: null`); nothing is ever deleted
 * by its own event. So the generator (generate.ts) runs this script for the billing kinds, and
 * it emits each event with its type and records each item's and attempt's newest version.
 *
 * A payer's life: on the free plan (its free item, kept for life: active, ended, upcoming, active
 * again), then steps, each a day or more apart: an upgrade (a new paid item, the free one ends, a
 * checkout payment attempt), renewals (the paid item's period moves on, a recurring attempt; a
 * failed one makes the item past due until a retry is paid), a plan switch, a cancellation (the
 * paid item canceled and the free one upcoming, then at the period's end the paid one ended and
 * the free one active).
 */
import type { AnyKind } from "../../../src/shared/kinds/registry.js";
import { organization } from "../../../src/shared/kinds/organization.js";
import { paymentAttempt } from "../../../src/shared/kinds/paymentAttempt.js";
import { subscriptionItem } from "../../../src/shared/kinds/subscriptionItem.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const MONTH = 30 * DAY;

/** The bench's plans: the free default and two paid ones (amounts in cents). */
export const BENCH_PLANS = [
  { id: "cplan_bench_free", slug: "free", name: "Free", amount: 0 },
  { id: "cplan_bench_pro", slug: "pro", name: "Pro", amount: 2000 },
  { id: "cplan_bench_team", slug: "team", name: "Team", amount: 9900 },
] as const;
type BenchPlan = (typeof BENCH_PLANS)[number];
const [FREE, ...PAID] = BENCH_PLANS;

/** What the script is given by the generator. */
export type ScriptInput = {
  /** Deliveries it may emit (the stream's total, less retries and the other kinds' events). */
  budget: number;
  rand: () => number;
  pick: <T>(items: readonly T[]) => T;
  /** The ids of the stream's objects of a kind so far (organizations: payers), and when each was created. */
  idsOf(kind: string): readonly { id: string; createdAt: number }[];
  /** Sends an event of `kind` (the kind it is about: an item for a subscription event). */
  emit(kind: AnyKind, type: string, at: number, data: unknown): void;
  /** Clerk's newest version of an object is now `json`, and it belongs to `parents` (by parent kind name). */
  latest(kind: AnyKind, id: string, json: unknown, at: number, parents: Map<string, string>): void;
};

/** A script writing the events of some kinds of a stream, in place of their shapes. */
export type Script = { kinds: readonly AnyKind[]; run(input: ScriptInput): void };

type Payer = { payerId: string; userId: string; orgId: string; email: string; name: string };
type Item = {
  id: string;
  plan: BenchPlan;
  status: string;
  createdAt: number;
  updatedAt: number;
  periodStart: number;
  periodEnd: number | null;
  seats?: number;
};

/** The payer JSON of Clerk's billing events (`BillingPayerEventPayload`): the other id is `""`. */
function payerJSON(p: Payer, at: number) {
  return {
    object: "commerce_payer",
    id: p.payerId,
    user_id: p.userId,
    first_name: p.userId ? "Ada" : "",
    last_name: p.userId ? "Lovelace" : "",
    email: p.email,
    organization_id: p.orgId,
    organization_name: p.name,
    image_url: "https://img.clerk.com/xxxxxx",
    created_at: at,
    updated_at: at,
  };
}

function planJSON(plan: BenchPlan) {
  return { id: plan.id, slug: plan.slug, name: plan.name, is_recurring: plan.amount > 0, amount: plan.amount, currency: "USD" };
}

/** An item as `subscription.*` nests it: no payer, `subscription_id: null`. */
function nestedItemJSON(item: Item) {
  return {
    object: "commerce_subscription_item",
    id: item.id,
    status: item.status,
    is_free_trial: false,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    period_start: item.periodStart,
    period_end: item.periodEnd,
    interval: "month",
    plan_id: item.plan.id,
    plan: planJSON(item.plan),
    ...(item.seats === undefined ? {} : { seats: { quantity: item.seats } }),
    subscription_id: null,
  };
}

/** An item as `subscriptionItem.*` sends it: with its payer and its subscription's id. */
export function itemJSON(item: Item, payer: Payer, subscriptionId: string) {
  const { object: _, ...nested } = nestedItemJSON(item);
  return { object: "subscription_item", ...nested, payer: payerJSON(payer, item.createdAt), subscription_id: subscriptionId };
}

function subscriptionJSON(id: string, payer: Payer, items: Item[], createdAt: number, at: number) {
  const pastDue = items.some((item) => item.status === "past_due");
  return {
    object: "commerce_subscription",
    id,
    status: pastDue ? "past_due" : "active",
    active_at: createdAt,
    canceled_at: null,
    created_at: createdAt,
    ended_at: null,
    past_due_at: pastDue ? at : null,
    updated_at: at,
    latest_payment_id: null,
    payer_id: payer.payerId,
    payer: payerJSON(payer, createdAt),
    payment_source_id: `cps_${id.slice(5)}`,
    items: items.map(nestedItemJSON),
  };
}

type Attempt = {
  id: string;
  paymentId: string;
  status: "pending" | "paid" | "failed";
  chargeType: "checkout" | "recurring";
  createdAt: number;
  updatedAt: number;
  item: Item;
};

function money(amount: number) {
  return { amount, amount_formatted: `$${(amount / 100).toFixed(2)}`, currency: "USD", currency_symbol: "$" };
}

/** `PaymentAttemptEventPayload`, its items trimmed to what identifies them. */
function attemptJSON(a: Attempt, payer: Payer) {
  const amount = a.item.plan.amount;
  return {
    id: a.id,
    instance_id: "ins_bench",
    payment_id: a.paymentId,
    invoice_id: `inv_${a.paymentId}`,
    statement_id: `stmt_${a.paymentId}`,
    gateway_external_id: `pi_${a.id}`,
    status: a.status,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
    paid_at: a.status === "paid" ? a.updatedAt : null,
    failed_at: a.status === "failed" ? a.updatedAt : null,
    failed_reason: a.status === "failed" ? { code: "card_declined", decline_code: "insufficient_funds" } : null,
    billing_date: a.createdAt,
    charge_type: a.chargeType,
    payee: { id: "cpayee_bench", gateway_type: "stripe", gateway_external_id: "acct_bench", gateway_status: "active" },
    payer: payerJSON(payer, a.createdAt),
    totals: { subtotal: money(amount), tax_total: money(0), grand_total: money(amount) },
    payment_source: { id: "cps_bench", gateway: "stripe", payment_method: "card", status: "active", card_type: "visa", last4: "4242" },
    subscription_items: [
      {
        id: a.item.id,
        status: a.item.status,
        plan_period: "month",
        period_start: a.item.periodStart,
        period_end: a.item.periodEnd,
        plan_id: a.item.plan.id,
        plan: planJSON(a.item.plan),
      },
    ],
  };
}

/**
 * `budget / 25` payers (at least 2), 60% of them users the stream does not sync (their items are
 * stored all the same), the rest the stream's organizations, each paying for one subscription
 * (users again once every organization pays); steps until the budget is spent, each payer in turn.
 */
export const billingScript: Script = {
  kinds: [subscriptionItem, paymentAttempt],
  run({ budget, rand, pick, idsOf, emit, latest }) {
    const later = (at: number, span: number) => at + 1 + Math.floor(rand() * span);
    const orgs = idsOf(organization.name);
    let left = budget;
    let orgPayers = 0;
    const payers = Array.from({ length: Math.max(2, Math.round(budget / 25)) }, (_, i) => {
      const n = String(i).padStart(4, "0");
      // One subscription per payer, as in Clerk: each organization pays for one at most.
      const org = i % 5 >= 3 ? orgs[orgPayers++] : undefined;
      const payer: Payer = org
        ? { payerId: `cpayer_bench_${n}`, userId: "", orgId: org.id, email: "", name: `Org of ${org.id}` }
        : { payerId: `cpayer_bench_${n}`, userId: `user_billing_${n}`, orgId: "", email: `user_billing_${n}@example.com`, name: "" };
      const parents = new Map(org ? [[organization.name, org.id]] : []);
      const createdAt = later(org ? org.createdAt : 1_700_000_000_000 + i * MINUTE, DAY);
      const free: Item = {
        id: `csub_item_bench_${n}_free`,
        plan: FREE,
        status: "active",
        createdAt,
        updatedAt: createdAt,
        periodStart: createdAt,
        periodEnd: null,
      };
      return {
        n,
        payer,
        parents,
        subscriptionId: `csub_bench_${n}`,
        createdAt,
        at: createdAt,
        free,
        paid: null as Item | null,
        items: 0,
        attempts: 0,
        pending: false,
      };
    });
    type State = (typeof payers)[number];

    const send = (s: State, kind: AnyKind, type: string, at: number, data: unknown) => {
      emit(kind, type, at, data);
      left--;
    };
    /** The item's new version: sent standalone as `subscriptionItem.<what>`, and remembered as Clerk's newest. */
    const itemEvent = (s: State, item: Item, what: string) => {
      const json = itemJSON(item, s.payer, s.subscriptionId);
      send(s, subscriptionItem, `subscriptionItem.${what}`, item.updatedAt, json);
      latest(subscriptionItem, item.id, json, item.updatedAt, s.parents);
    };
    const subscriptionEvent = (s: State, type: string, at: number, items: Item[]) =>
      send(s, subscriptionItem, `subscription.${type}`, at, subscriptionJSON(s.subscriptionId, s.payer, items, s.createdAt, at));
    /** A payment attempt for `item`: pending, then paid or failed minutes later. */
    const attempt = (s: State, item: Item, chargeType: Attempt["chargeType"], at: number, paid: boolean) => {
      const k = ++s.attempts;
      const a: Attempt = { id: `pa_bench_${s.n}_${k}`, paymentId: `cpa_bench_${s.n}_${k}`, status: "pending", chargeType, createdAt: at, updatedAt: at, item };
      send(s, paymentAttempt, "paymentAttempt.created", at, attemptJSON(a, s.payer));
      Object.assign(a, { status: paid ? "paid" : "failed", updatedAt: later(at, 10 * MINUTE) });
      const json = attemptJSON(a, s.payer);
      send(s, paymentAttempt, "paymentAttempt.updated", a.updatedAt, json);
      latest(paymentAttempt, a.id, json, a.updatedAt, s.parents);
      return a.updatedAt;
    };
    const move = (item: Item, at: number, fields: Partial<Item>) => Object.assign(item, fields, { updatedAt: at });

    // Each payer starts on the free plan.
    for (const s of payers) {
      if (left < 2) break;
      subscriptionEvent(s, "created", s.at, [s.free]);
      itemEvent(s, s.free, "active");
    }
    /** One step of a payer's life; false when it does not fit in what is left. */
    const step = (s: State): boolean => {
      const at = later(s.at, 3 * DAY);
      if (!s.paid) {
        // Upgrade: a new paid item, the free one ends, a checkout payment.
        if (left < 7) return false;
        const plan = pick(PAID);
        const paid: Item = {
          id: `csub_item_bench_${s.n}_${++s.items}`,
          plan,
          status: "active",
          createdAt: at,
          updatedAt: at,
          periodStart: at,
          periodEnd: at + MONTH,
        };
        if (plan.slug === "team") paid.seats = 1 + Math.floor(rand() * 20);
        move(s.free, at, { status: "ended" });
        s.paid = paid;
        itemEvent(s, s.free, "ended");
        itemEvent(s, paid, "active");
        subscriptionEvent(s, "updated", at, [s.free, paid]);
        // A declined checkout is retried and paid.
        let paidAt = attempt(s, paid, "checkout", at, rand() >= 0.1);
        if (left >= 2 && rand() < 0.1) paidAt = attempt(s, paid, "checkout", paidAt + 1, true);
        s.at = paidAt;
        return true;
      }
      const paid = s.paid;
      const roll = rand();
      if (roll < 0.6) {
        // Renewal: the period moves on, a recurring payment; a declined one makes the item past
        // due until a retry, a day later, is paid.
        const declined = rand() < 0.15;
        if (left < (declined ? 10 : 4)) return false;
        const renewedAt = Math.max(at, paid.periodEnd ?? at);
        move(paid, renewedAt, { status: "active", periodStart: renewedAt, periodEnd: renewedAt + MONTH });
        itemEvent(s, paid, "updated");
        subscriptionEvent(s, "updated", renewedAt, [s.free, paid]);
        s.at = attempt(s, paid, "recurring", renewedAt, !declined);
        if (!declined) return true;
        move(paid, s.at, { status: "past_due" });
        itemEvent(s, paid, "pastDue");
        subscriptionEvent(s, "pastDue", s.at, [s.free, paid]);
        const retriedAt = attempt(s, paid, "recurring", later(s.at, DAY), true);
        move(paid, retriedAt, { status: "active" });
        itemEvent(s, paid, "active");
        subscriptionEvent(s, "active", retriedAt, [s.free, paid]);
        s.at = retriedAt;
        return true;
      }
      if (roll < 0.75) {
        // Switch to the other paid plan: a new item, the old one ends.
        if (left < 5) return false;
        const plan = PAID.find((p) => p !== paid.plan)!;
        const next: Item = {
          id: `csub_item_bench_${s.n}_${++s.items}`,
          plan,
          status: "active",
          createdAt: at,
          updatedAt: at,
          periodStart: at,
          periodEnd: at + MONTH,
        };
        if (plan.slug === "team") next.seats = 1 + Math.floor(rand() * 20);
        move(paid, at, { status: "ended" });
        s.paid = next;
        itemEvent(s, paid, "ended");
        itemEvent(s, next, "active");
        subscriptionEvent(s, "updated", at, [s.free, paid, next]);
        s.at = attempt(s, next, "checkout", at, true);
        return true;
      }
      // Cancellation: the paid item canceled (kept until its period ends), the free one upcoming;
      // at the period's end the paid one ends and the free one is active again.
      if (left < 6) return false;
      move(paid, at, { status: "canceled" });
      move(s.free, at, { status: "upcoming" });
      itemEvent(s, paid, "canceled");
      itemEvent(s, s.free, "upcoming");
      subscriptionEvent(s, "updated", at, [s.free, paid]);
      const endAt = Math.max(later(at, DAY), paid.periodEnd ?? at);
      move(paid, endAt, { status: "ended" });
      move(s.free, endAt, { status: "active", periodStart: endAt });
      itemEvent(s, paid, "ended");
      itemEvent(s, s.free, "active");
      subscriptionEvent(s, "updated", endAt, [s.free, paid]);
      s.paid = null;
      s.at = endAt;
      return true;
    };
    let active = payers;
    while (active.length > 0) active = active.filter((s) => step(s));
  },
};
