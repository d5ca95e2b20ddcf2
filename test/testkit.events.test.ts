import { convexTest } from "convex-test";
import { HANDLED_EVENTS } from "convex-clerk-users";
import {
  clerkPaymentAttempt,
  clerkPlan,
  clerkSubscriptionItem,
  clerkUser,
  deliver,
  freePlan,
  invitationAccepted,
  invitationCreated,
  invitationRevoked,
  organizationPayer,
  paymentAttemptCreated,
  paymentAttemptUpdated,
  subscriptionActive,
  subscriptionCreated,
  subscriptionItemAbandoned,
  subscriptionItemActive,
  subscriptionItemCanceled,
  subscriptionItemCreated,
  subscriptionItemEnded,
  subscriptionItemFreeTrialEnding,
  subscriptionItemIncomplete,
  subscriptionItemPastDue,
  subscriptionItemUpcoming,
  subscriptionItemUpdated,
  subscriptionPastDue,
  subscriptionUpdated,
  userPayer,
  membershipCreated,
  membershipDeleted,
  membershipUpdated,
  organizationCreated,
  organizationDeleted,
  organizationUpdated,
  register,
  setTestWebhookSecret,
  TEST_WEBHOOK_SECRET,
  userCreated,
  userDeleted,
  userUpdated,
} from "convex-clerk-users/test";
import { expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import schema from "../example/convex/schema";
import { captureLogs } from "./fixtures/logs";
import { billingBackend, billingTables } from "./fixtures/billingTables";
import { tables } from "./fixtures/tables";
import { appModules } from "./setup";

const logs = captureLogs();

function backend() {
  setTestWebhookSecret();
  const t = convexTest(schema, appModules);
  register(t);
  return t;
}

test("a builder for every handled event, each taken by the webhook (applied, or a duplicate when it repeats what came before; never ignored or refused)", async () => {
  const t = billingBackend();
  const ada = userCreated({ email: "Ada@Example.com" });
  const renamed = userUpdated(ada.data, { first_name: "Augusta" });
  const grace = userCreated();
  const acme = organizationCreated({ name: "Acme", created_by: ada.data.id });
  const acmeInc = organizationUpdated(acme.data, { name: "Acme Inc" });
  const joined = membershipCreated({ organization: acmeInc.data, user: renamed.data, role: "org:admin" });
  const demoted = membershipUpdated(joined.data, { role: "org:member" });
  const graceJoined = membershipCreated({ organization: acmeInc.data, user: grace.data });
  const invited = invitationCreated({ organization: acmeInc.data, inviter: renamed.data, email_address: "Katherine@Example.com" });
  const accepted = invitationAccepted(invited.data, grace.data);
  const revoked = invitationRevoked(invitationCreated({ organization: acmeInc.data }).data);
  const people = [ada, renamed, grace, acme, acmeInc, joined, demoted, graceJoined, invited, accepted, revoked];

  // Billing: Ada pays for herself, Acme for its members; Grace's trial is the org-less one.
  const adaPays = userPayer(renamed.data);
  const acmePays = organizationPayer(acmeInc.data);
  const pro = clerkPlan({ slug: "pro" });
  const free = subscriptionItemCreated({ payer: adaPays });
  const subscribed = subscriptionCreated({ payer: adaPays, items: [free.data] });
  const checkout = paymentAttemptCreated({ payer: adaPays, items: [clerkSubscriptionItem({ payer: adaPays, plan: pro })] });
  const paid = paymentAttemptUpdated(checkout.data, { status: "paid" });
  const proItem = subscriptionItemCreated({ payer: adaPays, plan: pro, status: "incomplete" });
  const proActive = subscriptionItemActive(proItem.data);
  const freeEnded = subscriptionItemEnded(free.data);
  const changed = subscriptionUpdated(subscribed.data, { items: [freeEnded.data, proActive.data] });
  const unpaid = subscriptionItemPastDue(proActive.data);
  const unpaidLegacy = subscriptionItemPastDue(unpaid.data, {}, "past_due");
  const overdue = subscriptionPastDue(changed.data, { items: [freeEnded.data, unpaidLegacy.data] });
  const overdueLegacy = subscriptionPastDue(overdue.data, {}, "past_due");
  const retried = subscriptionItemUpdated(unpaidLegacy.data, { status: "active" });
  const recovered = subscriptionActive(overdueLegacy.data, { items: [freeEnded.data, retried.data] });
  const canceled = subscriptionItemCanceled(proActive.data, { updated_at: recovered.data.updated_at + 1000 });
  const freeBack = subscriptionItemUpcoming(freeEnded.data, { period_start: proActive.data.period_end! });
  const orgTrial = subscriptionItemCreated({ payer: acmePays, plan: clerkPlan({ slug: "team" }), is_free_trial: true });
  const trialEnding = subscriptionItemFreeTrialEnding(orgTrial.data, { updated_at: orgTrial.data.updated_at + 1000 });
  const orgIncomplete = subscriptionItemIncomplete(subscriptionItemCreated({ payer: acmePays, plan: clerkPlan({ slug: "enterprise" }) }).data);
  const orgAbandoned = subscriptionItemAbandoned(orgIncomplete.data);
  // Each repeats items an earlier event carried at the same updated_at: it writes nothing.
  const repeats = [free, changed, overdue, overdueLegacy, recovered];
  const billing = [
    subscribed,
    free,
    checkout,
    paid,
    proItem,
    proActive,
    freeEnded,
    changed,
    unpaid,
    unpaidLegacy,
    overdue,
    overdueLegacy,
    retried,
    recovered,
    canceled,
    freeBack,
    orgTrial,
    trialEnding,
    orgIncomplete,
    orgAbandoned,
  ];
  const events = [...people, ...billing];
  expect(await deliver(t, events)).toEqual(events.map(() => 200));

  const before = await tables(t);
  expect(before.users.find((u) => u.clerkId === ada.data.id)).toMatchObject({ firstName: "Augusta", email: "ada@example.com", emailVerified: true });
  expect(before.organizations).toMatchObject([{ clerkId: acme.data.id, name: "Acme Inc", slug: "acme" }]);
  expect(before.memberships.find((m) => m.userId === ada.data.id)).toMatchObject({ clerkId: joined.data.id, role: "org:member" });
  expect(await t.query(components.clerkUsers.invitations.byEmail, { email: "katherine@example.com" })).toMatchObject([
    { clerkId: invited.data.id, orgId: acme.data.id, status: "accepted", userId: grace.data.id, inviterId: ada.data.id },
  ]);
  const bills = await billingTables(t);
  expect(bills.subscriptionItems.map((i) => [i.clerkId, i.status])).toEqual(
    expect.arrayContaining([
      [free.data.id, "upcoming"],
      [proItem.data.id, "canceled"],
      [orgTrial.data.id, "active"],
      [orgIncomplete.data.id, "abandoned"],
    ]),
  );
  expect(bills.subscriptionItems).toHaveLength(4);
  expect(bills.paymentAttempts).toMatchObject([{ clerkId: checkout.data.id, userId: ada.data.id, status: "paid", amount: 2000 }]);

  const deletions = [membershipDeleted(graceJoined.data), userDeleted(ada.data), organizationDeleted(acme.data)];
  expect(await deliver(t, deletions, { seed: 2 })).toEqual([200, 200, 200]);
  const after = await tables(t);
  expect(after.users.map((u) => u.clerkId)).toEqual([grace.data.id]);
  expect(after.organizations).toEqual([]);
  expect(await t.query(components.clerkUsers.invitations.byEmail, { email: "katherine@example.com" })).toEqual([]);
  expect(await billingTables(t)).toEqual({ subscriptionItems: [], paymentAttempts: [] });

  const all = [...events, ...deletions];
  expect(new Set(all.map((e) => e.type))).toEqual(new Set(HANDLED_EVENTS));
  const health = await t.query(components.clerkUsers.health.status, {});
  expect(health.lastHour).toMatchObject({ applied: all.length - repeats.length, ignored: 0, stale: 0, duplicate: repeats.length });
});

test("billing builders look like Clerk's payloads: its ids, a user payer's empty organization, nested items without payer, a free item without end", () => {
  const ada = clerkUser();
  const payer = userPayer(ada);
  expect(payer).toMatchObject({
    object: "commerce_payer",
    id: expect.stringMatching(/^cpayer_2/),
    user_id: ada.id,
    organization_id: "",
    organization_name: "",
  });
  expect(organizationPayer("org_1")).toMatchObject({ user_id: "", organization_id: "org_1" });
  const free = clerkSubscriptionItem({ payer });
  expect(free).toMatchObject({
    object: "subscription_item",
    id: expect.stringMatching(/^csub_item_2/),
    plan: freePlan("user"),
    plan_id: expect.stringMatching(/^cplan_2/),
    period_end: null,
    subscription_id: expect.stringMatching(/^csub_2/),
    is_free_trial: false,
  });
  const pro = clerkSubscriptionItem({ payer, plan: clerkPlan({ slug: "pro" }), seats: { quantity: 5 } });
  expect(pro.period_end).toBeGreaterThan(pro.period_start);
  const subscription = subscriptionCreated({ payer, items: [free, pro] }).data;
  expect(subscription).toMatchObject({ object: "commerce_subscription", id: free.subscription_id, payer_id: payer.id, status: "active" });
  for (const item of subscription.items) {
    expect(item).toMatchObject({ object: "commerce_subscription_item", subscription_id: null });
    expect(item).not.toHaveProperty("payer");
  }
  const attempt = clerkPaymentAttempt({ payer, items: [pro] });
  expect(attempt).toMatchObject({ id: expect.stringMatching(/^cpa_2/), payment_id: expect.stringMatching(/^cp_2/), status: "pending" });
  expect(attempt.totals.grand_total.amount).toBe(2000);
  expect(paymentAttemptUpdated(attempt, { status: "failed" }).data).toMatchObject({ failed_at: expect.any(Number), failed_reason: { code: "card_declined" } });
  const updated = subscriptionItemUpdated(pro);
  expect(updated.data.updated_at).toBeGreaterThan(pro.updated_at);
  expect(subscriptionItemFreeTrialEnding(pro).data.updated_at).toBe(pro.updated_at); // a notice, not a change
});

test("builders look like Clerk's payloads: Clerk-shaped ids, the primary address found by id, versions that move forward", () => {
  const user = clerkUser();
  expect(user.id).toMatch(/^user_2[0-9A-Za-z]{26}$/);
  expect(user.updated_at).toBe(user.created_at);
  expect(user.email_addresses[0]?.id).not.toBe(user.primary_email_address_id);
  const next = userUpdated(user, { last_name: "Byron" });
  expect(next.data.updated_at).toBeGreaterThan(user.updated_at);
  expect(next.data.created_at).toBe(user.created_at);
  expect(next.timestamp).toBe(next.data.updated_at);
  expect(userDeleted(user).data).toEqual({ object: "user", id: user.id, deleted: true });
  const acme = organizationCreated({ name: "Acme Labs" }).data;
  expect(acme).toMatchObject({ id: expect.stringMatching(/^org_2/), slug: "acme-labs" });
  const joined = membershipCreated({ organization: acme, user, role: "org:admin" }).data;
  expect(joined.id).toMatch(/^orgmem_2/);
  expect(joined.permissions).toContain("org:sys_memberships:manage");
  expect(joined.public_user_data.user_id).toBe(user.id);
});

test("a delivery signed with another secret is refused: deliver signs with the secret the webhook checks", async () => {
  const t = backend();
  expect(await deliver(t, [userCreated()], { secret: "whsec_" + btoa("some-other-endpoint") })).toEqual([401]);
  expect(logs.take(/webhook: 401 Signature verification failed/)).toHaveLength(1);
  expect(await deliver(t, [userCreated()], { secret: TEST_WEBHOOK_SECRET })).toEqual([200]);
});
