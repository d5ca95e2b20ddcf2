import type { OrganizationJSON, OrganizationMembershipJSON } from "@clerk/backend";
import {
  deliver,
  SCENARIOS,
  type ClerkPayerJSON,
  type ClerkPaymentAttemptJSON,
  type ClerkWebhookEvent,
  type PaymentAttemptEvent,
  type ScenarioName,
  type SubscriptionEvent,
  type SubscriptionItemEvent,
} from "convex-clerk-users/test";
import { describe, expect, test } from "vitest";
import { billingBackend, billingTables } from "./fixtures/billingTables";
import { tables } from "./fixtures/tables";

/** Clerk id order, as the component lists rows. */
const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const backend = billingBackend;

const isSubscription = (e: ClerkWebhookEvent): e is SubscriptionEvent => e.type.startsWith("subscription.");
const isItem = (e: ClerkWebhookEvent): e is SubscriptionItemEvent => e.type.startsWith("subscriptionItem.");
const isAttempt = (e: ClerkWebhookEvent): e is PaymentAttemptEvent => e.type.startsWith("paymentAttempt.");
/** The Clerk id of who pays: an organization, else a user. */
const payerOf = (payer: ClerkPayerJSON) => payer.organization_id || payer.user_id;

/**
 * What Clerk holds once the events have happened, worked out from the events alone: the last
 * version of each object, minus what was deleted (with a deleted user's or organization's
 * memberships), one membership per user and organization (the one created last).
 */
function clerkState(events: ClerkWebhookEvent[]) {
  const latest = <T extends { id: string; updated_at: number }>(map: Map<string, T>, item: T) => {
    const seen = map.get(item.id);
    if (!seen || seen.updated_at < item.updated_at) map.set(item.id, item);
  };
  const users = new Map<string, { id: string; updated_at: number; first_name: string | null }>();
  const organizations = new Map<string, OrganizationJSON>();
  const memberships = new Map<string, OrganizationMembershipJSON>();
  // Each item under its own updated_at, wherever it came from (a nested copy takes its subscription's payer).
  const items = new Map<string, { id: string; updated_at: number; status: string; payer: string; plan: string | null }>();
  const attempts = new Map<string, ClerkPaymentAttemptJSON>();
  const deleted = new Set<string>();
  for (const event of events) {
    if (isSubscription(event)) {
      for (const item of event.data.items) latest(items, { ...item, payer: payerOf(event.data.payer), plan: item.plan?.slug ?? null });
    } else if (isItem(event)) latest(items, { ...event.data, payer: payerOf(event.data.payer), plan: event.data.plan?.slug ?? null });
    else if (isAttempt(event)) latest(attempts, event.data);
    else if (event.type === "user.deleted" || event.type === "organization.deleted" || event.type === "organizationMembership.deleted") {
      deleted.add(event.data.id!);
    } else if (event.type === "user.created" || event.type === "user.updated") latest(users, event.data);
    else if (event.type === "organization.created" || event.type === "organization.updated") latest(organizations, event.data);
    else latest(memberships, event.data);
  }
  const alive = <T extends { id: string }>(map: Map<string, T>) => [...map.values()].filter((x) => !deleted.has(x.id));
  const liveMemberships = alive(memberships).filter((m) => !deleted.has(m.organization.id) && !deleted.has(m.public_user_data.user_id));
  return {
    users: alive(users)
      .map((u) => ({ clerkId: u.id, firstName: u.first_name, updatedAt: u.updated_at }))
      .sort((a, b) => byId(a.clerkId, b.clerkId)),
    organizations: alive(organizations)
      .map((o) => ({ clerkId: o.id, name: o.name }))
      .sort((a, b) => byId(a.clerkId, b.clerkId)),
    memberships: liveMemberships
      .filter(
        (m) =>
          !liveMemberships.some(
            (n) => n.organization.id === m.organization.id && n.public_user_data.user_id === m.public_user_data.user_id && n.created_at > m.created_at,
          ),
      )
      .map((m) => ({ clerkId: m.id, orgId: m.organization.id, userId: m.public_user_data.user_id, role: m.role }))
      .sort((a, b) => byId(a.userId, b.userId)),
    subscriptionItems: [...items.values()]
      .filter((i) => !deleted.has(i.payer))
      .map((i) => ({ clerkId: i.id, payer: i.payer, status: i.status, planSlug: i.plan ?? undefined, updatedAt: i.updated_at }))
      .sort((a, b) => byId(a.clerkId, b.clerkId)),
    paymentAttempts: [...attempts.values()]
      .filter((a) => !deleted.has(payerOf(a.payer)))
      .map((a) => ({ clerkId: a.id, payer: payerOf(a.payer), status: a.status, updatedAt: a.updated_at }))
      .sort((a, b) => byId(a.clerkId, b.clerkId)),
  };
}

type State = Awaited<ReturnType<typeof tables>> & Awaited<ReturnType<typeof billingTables>>;
const everything = async (t: ReturnType<typeof backend>): Promise<State> => ({ ...(await tables(t)), ...(await billingTables(t)) });

const project = (state: State) => ({
  users: state.users.map(({ clerkId, firstName, updatedAt }) => ({ clerkId, firstName: firstName ?? null, updatedAt })),
  organizations: state.organizations.map(({ clerkId, name }) => ({ clerkId, name })),
  memberships: state.memberships.map(({ clerkId, orgId, userId, role }) => ({ clerkId, orgId, userId, role })).sort((a, b) => byId(a.userId, b.userId)),
  subscriptionItems: state.subscriptionItems.map(({ clerkId, orgId, userId, status, planSlug, updatedAt }) => ({
    clerkId,
    payer: orgId ?? userId,
    status,
    planSlug,
    updatedAt,
  })),
  paymentAttempts: state.paymentAttempts.map(({ clerkId, orgId, userId, status, updatedAt }) => ({ clerkId, payer: orgId ?? userId, status, updatedAt })),
});

/**
 * Every stored field but `membersCount`, which Clerk changes without a new `updated_at`: the
 * copy that arrives last is kept, so it may lag (README, "Reading the tables").
 */
const converging = (state: State) => ({
  ...state,
  organizations: state.organizations.map(({ membersCount, ...organization }) => organization),
});

const NAMES = Object.keys(SCENARIOS) as ScenarioName[];
const CASES = [...NAMES.map((name) => [name, "user"] as const), ...NAMES.filter((name) => name.startsWith("billing-")).map((name) => [name, "org"] as const)];

describe.each(CASES)("scenario %s (payer: %s)", (name, payer) => {
  const events = SCENARIOS[name].build({ users: 4, seed: "scenarios-test", payer });

  test("in Clerk's order, the tables end at Clerk's state", async () => {
    const t = backend();
    expect(await deliver(t, events)).toEqual(events.map(() => 200));
    expect(project(await everything(t))).toEqual(clerkState(events));
  });

  test.each([1, 2, 3])("shuffled and every message redelivered (seed %i), the tables end the same", async (seed) => {
    const inOrder = backend();
    await deliver(inOrder, events);
    const t = backend();
    const statuses = await deliver(t, events, { shuffle: true, duplicate: true, seed });
    expect(statuses).toEqual([...events, ...events].map(() => 200));
    expect(converging(await everything(t))).toEqual(converging(await everything(inOrder)));
  });
});

test("scenarios are built the same from the same seed, and end their events at `now`", () => {
  const now = Date.UTC(2026, 0, 1);
  for (const { build } of Object.values(SCENARIOS)) {
    const events = build({ users: 3, seed: 9, now });
    expect(build({ users: 3, seed: 9, now })).toEqual(events);
    expect(Math.max(...events.map((e) => e.timestamp))).toBe(now);
    expect(build({ users: 3, seed: 10, now })[0]?.data.id).not.toBe(events[0]?.data.id);
  }
});

describe.each(["user", "org"] as const)("billing scenarios end as they say (payer: %s)", (payer) => {
  const free = payer === "org" ? "free_org" : "free_user";
  const ends: [ScenarioName, Record<string, string>, Record<string, unknown>][] = [
    ["billing-upgrade", { [free]: "ended", pro: "active" }, {}],
    ["billing-past-due", { [free]: "ended", pro: "past_due" }, { failedReason: "card_declined" }],
    ["billing-cancel", { [free]: "active", pro: "ended" }, {}],
    ["billing-trial", { [free]: "ended", pro: "active" }, {}],
    ["billing-trial-lapses", { [free]: "active", pro: "ended" }, {}],
  ];
  test.each(ends)("%s", async (name, statuses, lastAttempt) => {
    const t = backend();
    const events = SCENARIOS[name].build({ users: 2, seed: "ends", payer });
    await deliver(t, events);
    const { subscriptionItems, paymentAttempts } = await billingTables(t);
    const payers = new Set(subscriptionItems.map((i) => i.orgId ?? i.userId));
    expect(payers.size).toBe(payer === "org" ? 1 : 2);
    for (const id of payers) {
      const own = subscriptionItems.filter((i) => (i.orgId ?? i.userId) === id);
      expect(Object.fromEntries(own.map((i) => [i.planSlug, i.status]))).toEqual(statuses);
      expect(own.every((i) => (payer === "org" ? i.orgId && !i.userId : i.userId && !i.orgId))).toBe(true);
      expect(own.find((i) => i.planSlug === "pro")).toMatchObject({ isFreeTrial: name === "billing-trial-lapses" }); // it ended a trial
    }
    if (name.startsWith("billing-trial")) expect(events.map((e) => e.type)).toContain("subscriptionItem.freeTrialEnding");
    const latest = paymentAttempts.filter((a) => (a.orgId ?? a.userId) === [...payers][0]).sort((a, b) => b.updatedAt - a.updatedAt)[0];
    if (name !== "billing-trial-lapses") expect(latest).toMatchObject(lastAttempt);
  });
});
