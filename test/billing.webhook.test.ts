import {
  clerkPlan,
  clerkSubscriptionItem,
  deliver,
  organizationCreated,
  organizationDeleted,
  organizationPayer,
  paymentAttemptCreated,
  signDelivery,
  subscriptionCreated,
  subscriptionItemActive,
  subscriptionItemCanceled,
  subscriptionItemCreated,
  subscriptionItemPastDue,
  subscriptionItemUpdated,
  subscriptionPastDue,
  TEST_WEBHOOK_SECRET,
  userCreated,
  userDeleted,
  userPayer,
  type ClerkSubscriptionItemJSON,
} from "convex-clerk-users/test";
import { describe, expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import { BILLING_EXAMPLES } from "./fixtures/billingExamples";
import { billingBackend, billingTables, rawBillingRows } from "./fixtures/billingTables";
import { captureLogs } from "./fixtures/logs";

const logs = captureLogs();

type Backend = ReturnType<typeof billingBackend>;

let messages = 0;
/** Signs and posts one event under a fresh svix id; resolves to the status and the JSON answer. */
async function post(t: Backend, event: unknown) {
  const { body, headers } = signDelivery(event, { secret: TEST_WEBHOOK_SECRET, id: `msg_billing_${++messages}` });
  const response = await t.fetch("/clerk-users-webhook", { method: "POST", headers, body });
  return { status: response.status, body: (await response.json()) as { outcome?: string; error?: string } };
}

const T0 = Date.UTC(2026, 0, 1);
const ada = userCreated({ id: "user_ada", created_at: T0 });
const acme = organizationCreated({ id: "org_acme", name: "Acme", created_at: T0 });
const adaPays = userPayer(ada.data);
const acmePays = organizationPayer(acme.data);
const pro = clerkPlan({ slug: "pro" });

/** A standalone item of `payer` at `updated_at` (a pro item unless `plan` says otherwise). */
const item = (fields: Partial<ClerkSubscriptionItemJSON> & { updated_at: number }, payer = adaPays) =>
  clerkSubscriptionItem({ id: "csub_item_1", payer, plan: pro, created_at: T0, ...fields });

describe("Clerk's example payloads (the dashboard's 'Send example')", () => {
  const examples = Object.entries(BILLING_EXAMPLES);

  test.each(examples)("%s answers 200 and is stored", async (_, example) => {
    const t = billingBackend();
    expect((await post(t, example)).status).toBe(200);
    const { subscriptionItems, paymentAttempts } = await billingTables(t);
    if (example.type.startsWith("paymentAttempt.")) {
      expect(subscriptionItems).toEqual([]);
      expect(paymentAttempts).toEqual([
        expect.objectContaining({
          clerkId: "pa_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
          userId: "user_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
          payerId: "cpayer_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
          paymentId: "cpa_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
          status: example.data.status,
          amount: 2200,
          currency: "USD",
          itemIds: ["csub_item_2g7np7Hrk0SN6kj5EDMLDaKNL0S"],
        }),
      ]);
      expect(paymentAttempts[0]).not.toHaveProperty("orgId"); // the payer's organization_id is absent here, "" elsewhere
    } else {
      const data = ("items" in example.data ? example.data.items[0] : example.data) as {
        status: string;
        plan: { slug: string };
        is_free_trial: boolean;
        updated_at: number;
      };
      expect(paymentAttempts).toEqual([]);
      expect(subscriptionItems).toEqual([
        expect.objectContaining({
          clerkId: "csub_item_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
          userId: "user_34D368EufHwugfYh4yyGNEheM0S",
          payerId: "cpayer_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
          subscriptionId: "csub_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
          status: data.status,
          planId: "cplan_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
          planSlug: data.plan.slug,
          interval: "month",
          isFreeTrial: data.is_free_trial,
          updatedAt: data.updated_at,
        }),
      ]);
      expect(subscriptionItems[0]).not.toHaveProperty("orgId"); // organization_id: "" is no organization
    }
  });

  test("the free item's example: period_end null is no end, and its seats are kept", async () => {
    const t = billingBackend();
    expect((await post(t, BILLING_EXAMPLES.SubscriptionItemActiveExample)).status).toBe(200);
    const [row] = (await billingTables(t)).subscriptionItems;
    expect(row).toMatchObject({ planSlug: "free-plan", seats: 5, periodStart: 1716883200000 });
    expect(row).not.toHaveProperty("periodEnd");
  });

  test("all of them in a row answer 200: the shared fake id keeps the newest version", async () => {
    const t = billingBackend();
    for (const example of Object.values(BILLING_EXAMPLES)) expect((await post(t, example)).status).toBe(200);
    const { subscriptionItems, paymentAttempts } = await billingTables(t);
    expect(subscriptionItems).toMatchObject([{ clerkId: "csub_item_2g7np7Hrk0SN6kj5EDMLDaKNL0S", updatedAt: 1719561600000, status: "ended" }]);
    expect(paymentAttempts).toMatchObject([{ status: "paid", paidAt: 1716883500000 }]);
  });
});

describe("payers", () => {
  test("a user payer's item and attempt belong to the user only (organization_id: '' is none)", async () => {
    const t = billingBackend();
    const charge = paymentAttemptCreated({ payer: adaPays, items: [item({ updated_at: T0 })], created_at: T0 });
    expect(await deliver(t, [subscriptionItemCreated(item({ updated_at: T0 })), charge])).toEqual([200, 200]);
    const { subscriptionItems, paymentAttempts } = await billingTables(t);
    expect(subscriptionItems).toEqual([expect.objectContaining({ userId: "user_ada", payerId: adaPays.id })]);
    expect(paymentAttempts).toEqual([expect.objectContaining({ userId: "user_ada", payerId: adaPays.id, itemIds: ["csub_item_1"] })]);
    expect(subscriptionItems[0]).not.toHaveProperty("orgId");
    expect(paymentAttempts[0]).not.toHaveProperty("orgId");
  });

  test("an organization payer's rows belong to the organization, even when the payload names a user (who checked out)", async () => {
    const t = billingBackend();
    const clicked = organizationPayer(acme.data, { user_id: "user_ada", first_name: "Ada" });
    const charge = paymentAttemptCreated({ payer: clicked, created_at: T0 });
    expect(await deliver(t, [subscriptionItemCreated(item({ updated_at: T0 }, clicked)), charge])).toEqual([200, 200]);
    const { subscriptionItems, paymentAttempts } = await billingTables(t);
    expect(subscriptionItems).toEqual([expect.objectContaining({ orgId: "org_acme" })]);
    expect(paymentAttempts).toEqual([expect.objectContaining({ orgId: "org_acme" })]);
    expect(subscriptionItems[0]).not.toHaveProperty("userId");
    expect(paymentAttempts[0]).not.toHaveProperty("userId");
  });

  test("a subscription's nested items take its payer and id (they have neither)", async () => {
    const t = billingBackend();
    const subscription = subscriptionCreated({ payer: acmePays, items: [item({ updated_at: T0 }, acmePays)] });
    expect(subscription.data.items[0]).toMatchObject({ subscription_id: null });
    expect(subscription.data.items[0]).not.toHaveProperty("payer");
    expect((await post(t, subscription)).status).toBe(200);
    expect((await billingTables(t)).subscriptionItems).toEqual([
      expect.objectContaining({ clerkId: "csub_item_1", orgId: "org_acme", payerId: acmePays.id, subscriptionId: subscription.data.id }),
    ]);
  });
});

describe("what an item's payload says", () => {
  test("plan and plan_id null: stored without a plan", async () => {
    const t = billingBackend();
    expect((await post(t, subscriptionItemCreated(item({ updated_at: T0, plan: null, plan_id: null })))).status).toBe(200);
    const [row] = (await billingTables(t)).subscriptionItems;
    expect(row).toMatchObject({ clerkId: "csub_item_1", status: "active" });
    for (const field of ["planId", "planSlug", "planName"]) expect(row).not.toHaveProperty(field);
  });

  test("plan null but plan_id given: the plan's id is kept", async () => {
    const t = billingBackend();
    expect((await post(t, subscriptionItemCreated(item({ updated_at: T0, plan: null, plan_id: pro.id })))).status).toBe(200);
    const [row] = (await billingTables(t)).subscriptionItems;
    expect(row).toMatchObject({ planId: pro.id });
    expect(row).not.toHaveProperty("planSlug");
  });

  test("period_end null (the free default item): no end; a paid item's end, seats and trial are kept", async () => {
    const t = billingBackend();
    const free = clerkSubscriptionItem({ id: "csub_item_free", payer: adaPays, created_at: T0 });
    const paid = item({ updated_at: T0, is_free_trial: true, seats: { quantity: 3 }, interval: "annual" });
    expect(await deliver(t, [subscriptionItemCreated(free), subscriptionItemCreated(paid)])).toEqual([200, 200]);
    const rows = (await billingTables(t)).subscriptionItems;
    const freeRow = rows.find((r) => r.clerkId === "csub_item_free");
    expect(freeRow).toMatchObject({ planSlug: "free_user", isFreeTrial: false });
    expect(freeRow).not.toHaveProperty("periodEnd");
    expect(rows.find((r) => r.clerkId === "csub_item_1")).toMatchObject({ periodEnd: paid.period_end, seats: 3, isFreeTrial: true, interval: "annual" });
  });

  test.each(["pastDue", "past_due"] as const)("the %s spelling, of subscriptionItem.* and subscription.*, is taken: the item is past due", async (spelling) => {
    const t = billingBackend();
    const active = item({ updated_at: T0 });
    const unpaid = subscriptionItemPastDue(active, { updated_at: T0 + 1000 }, spelling);
    expect(unpaid.type).toBe(`subscriptionItem.${spelling}`);
    expect((await post(t, unpaid)).body).toEqual({ outcome: "created" });
    const overdue = subscriptionPastDue(
      subscriptionCreated({ payer: adaPays, items: [active] }).data,
      { items: [{ ...unpaid.data, updated_at: T0 + 2000 }] },
      spelling,
    );
    expect(overdue.type).toBe(`subscription.${spelling}`);
    expect((await post(t, overdue)).body).toEqual({ outcome: "updated" });
    expect((await billingTables(t)).subscriptionItems).toEqual([expect.objectContaining({ status: "past_due", updatedAt: T0 + 2000 })]);
  });

  test("the event type is a hint: the state is data.status", async () => {
    const t = billingBackend();
    // A `canceled` event whose item is active again (Clerk sends the item as it is when delivered).
    const resumed = {
      ...subscriptionItemCanceled(item({ updated_at: T0 }), { updated_at: T0 + 1000 }),
      data: { ...item({ updated_at: T0 + 1000 }), status: "active" as const },
    };
    expect((await post(t, resumed)).status).toBe(200);
    expect((await billingTables(t)).subscriptionItems).toMatchObject([{ status: "active" }]);
    const canceled = subscriptionItemUpdated(resumed.data, { status: "canceled", updated_at: T0 + 2000 });
    expect((await post(t, canceled)).status).toBe(200);
    expect((await billingTables(t)).subscriptionItems).toMatchObject([{ status: "canceled" }]);
  });
});

describe("a wrongly shaped payload is a 400 that changes nothing", () => {
  const { status: _status, ...withoutStatus } = item({ updated_at: T0 + 1000 });
  const subscription = subscriptionCreated({ payer: adaPays, items: [item({ updated_at: T0 + 1000 })] });
  const cases: [string, unknown][] = [
    ["an item without status", { ...subscriptionItemUpdated(item({ updated_at: T0 })), data: withoutStatus }],
    [
      "an item whose updated_at is a string",
      { ...subscriptionItemUpdated(item({ updated_at: T0 })), data: { ...item({ updated_at: T0 }), updated_at: String(T0 + 1000) } },
    ],
    [
      "a subscription whose payer names neither a user nor an organization",
      { ...subscription, data: { ...subscription.data, payer: { ...adaPays, user_id: "" } } },
    ],
    [
      "a subscription whose nested item is not an object",
      { ...subscription, data: { ...subscription.data, items: [...subscription.data.items, "csub_item_2"] } },
    ],
    // Was a 500 (an event with no change), which Clerk retries for days.
    ["a subscription whose items are missing", { ...subscription, data: { ...subscription.data, items: undefined } }],
    ["a subscription whose items are empty", { ...subscription, data: { ...subscription.data, items: [] } }],
    [
      "a payment attempt without a payer",
      { ...paymentAttemptCreated({ payer: adaPays, created_at: T0 + 1000 }), data: { ...paymentAttemptCreated({ payer: adaPays }).data, payer: null } },
    ],
  ];

  test.each(cases)("%s", async (_, payload) => {
    const t = billingBackend();
    expect(await deliver(t, [subscriptionItemCreated(item({ updated_at: T0 }))])).toEqual([200]);
    const before = await rawBillingRows(t);
    const { status, body } = await post(t, payload);
    expect(status).toBe(400);
    expect(body.error).toMatch(/payload/);
    expect(logs.take(/webhook: 400 /)).toHaveLength(1);
    expect(await rawBillingRows(t)).toEqual(before);
  });
});

describe("versions", () => {
  test("a duplicate writes nothing", async () => {
    const t = billingBackend();
    const created = subscriptionItemCreated(item({ updated_at: T0 }));
    expect((await post(t, created)).body).toEqual({ outcome: "created" });
    const before = await rawBillingRows(t);
    expect((await post(t, created)).body).toEqual({ outcome: "duplicate" });
    expect(await rawBillingRows(t)).toEqual(before);
    const health = await t.query(components.clerkUsers.health.status, {});
    expect(health.lastHour).toMatchObject({ applied: 1, duplicate: 1 });
  });

  test("a stale subscription copy never overwrites a newer standalone item", async () => {
    const t = billingBackend();
    const canceled = subscriptionItemCanceled(item({ updated_at: T0 }), { updated_at: T0 + 2000 });
    expect((await post(t, canceled)).status).toBe(200);
    // The subscription is newer than the item, but its copy of the item is older.
    const stale = subscriptionCreated({ payer: adaPays, items: [item({ updated_at: T0 + 1000 })], updated_at: T0 + 3000 });
    expect((await post(t, stale)).body).toEqual({ outcome: "stale" });
    expect((await billingTables(t)).subscriptionItems).toEqual([expect.objectContaining({ status: "canceled", updatedAt: T0 + 2000 })]);
  });

  test("a newer nested copy overwrites an older standalone item, keeping its subscription id", async () => {
    const t = billingBackend();
    const standalone = item({ updated_at: T0, subscription_id: "csub_ada" });
    expect((await post(t, subscriptionItemCreated(standalone))).status).toBe(200);
    const newer = subscriptionCreated({ id: "csub_ada", payer: adaPays, items: [{ ...standalone, status: "past_due", updated_at: T0 + 1000 }] });
    expect((await post(t, newer)).body).toEqual({ outcome: "updated" });
    expect((await billingTables(t)).subscriptionItems).toEqual([
      expect.objectContaining({ status: "past_due", updatedAt: T0 + 1000, subscriptionId: "csub_ada", userId: "user_ada" }),
    ]);
  });

  test("each nested item is applied under its own updated_at", async () => {
    const t = billingBackend();
    const older = item({ id: "csub_item_old", updated_at: T0, status: "ended" });
    const newer = item({ id: "csub_item_new", updated_at: T0 + 5000 });
    expect((await post(t, subscriptionCreated({ payer: adaPays, items: [older, newer], updated_at: T0 + 9000 }))).status).toBe(200);
    expect((await billingTables(t)).subscriptionItems.map((r) => [r.clerkId, r.updatedAt])).toEqual([
      ["csub_item_new", T0 + 5000],
      ["csub_item_old", T0],
    ]);
    // A later standalone version of one item, older than the subscription but newer than its copy, is applied.
    expect((await post(t, subscriptionItemActive(older, { updated_at: T0 + 1000 }))).body).toEqual({ outcome: "updated" });
  });
});

describe("payers and their deletion", () => {
  test("items and payment attempts of a payer not synced yet are stored", async () => {
    const t = billingBackend();
    const stranger = userPayer("user_not_synced_yet");
    const statuses = await deliver(t, [
      subscriptionItemCreated(item({ updated_at: T0 }, stranger)),
      paymentAttemptCreated({ payer: stranger, created_at: T0 }),
    ]);
    expect(statuses).toEqual([200, 200]);
    const { subscriptionItems, paymentAttempts } = await billingTables(t);
    expect(subscriptionItems).toMatchObject([{ userId: "user_not_synced_yet" }]);
    expect(paymentAttempts).toMatchObject([{ userId: "user_not_synced_yet" }]);
  });

  test.each([
    ["user", adaPays, [ada, userDeleted(ada.data, T0 + 1000)]],
    ["organization", acmePays, [acme, organizationDeleted(acme.data, T0 + 1000)]],
  ] as const)("items and payment attempts of a deleted %s are dropped", async (_, payer, lifecycle) => {
    const t = billingBackend();
    expect(await deliver(t, lifecycle)).toEqual([200, 200]);
    const late = [subscriptionItemCreated(item({ updated_at: T0 + 2000 }, payer)), paymentAttemptCreated({ payer, created_at: T0 + 2000 })];
    expect(await deliver(t, late)).toEqual([200, 200]);
    expect(await billingTables(t)).toEqual({ subscriptionItems: [], paymentAttempts: [] });
  });

  test.each([
    ["user.deleted", adaPays, userDeleted(ada.data, T0 + 5000)],
    ["organization.deleted", acmePays, organizationDeleted(acme.data, T0 + 5000)],
  ] as const)("%s removes the payer's items and payment attempts, and no one else's", async (_, payer, deletion) => {
    const t = billingBackend();
    const grace = userPayer("user_grace");
    const events = [
      ada,
      acme,
      subscriptionCreated({ payer, items: [item({ updated_at: T0 }, payer), item({ id: "csub_item_2", updated_at: T0 }, payer)] }),
      paymentAttemptCreated({ payer, created_at: T0 }),
      subscriptionItemCreated(item({ id: "csub_item_grace", updated_at: T0 }, grace)),
      paymentAttemptCreated({ id: "cpa_grace", payer: grace, created_at: T0 }),
    ];
    expect(await deliver(t, events)).toEqual(events.map(() => 200));
    expect((await billingTables(t)).subscriptionItems).toHaveLength(3);
    expect((await post(t, deletion)).status).toBe(200);
    const { subscriptionItems, paymentAttempts } = await billingTables(t);
    expect(subscriptionItems.map((r) => r.clerkId)).toEqual(["csub_item_grace"]);
    expect(paymentAttempts.map((r) => r.userId)).toEqual(["user_grace"]);
  });

  test("an organization payer's item is not removed by the deletion of the user its payload names", async () => {
    const t = billingBackend();
    const clicked = organizationPayer(acme.data, { user_id: "user_ada" });
    const events = [ada, acme, subscriptionItemCreated(item({ updated_at: T0 }, clicked)), paymentAttemptCreated({ payer: clicked, created_at: T0 })];
    expect(await deliver(t, events)).toEqual(events.map(() => 200));
    expect((await post(t, userDeleted(ada.data, T0 + 1000))).status).toBe(200);
    const { subscriptionItems, paymentAttempts } = await billingTables(t);
    expect(subscriptionItems).toMatchObject([{ orgId: "org_acme" }]);
    expect(paymentAttempts).toMatchObject([{ orgId: "org_acme" }]);
  });
});
