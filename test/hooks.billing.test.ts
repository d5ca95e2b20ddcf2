import { beforeEach, describe, expect, test } from "vitest";
import { isTrialEndingAt, reachedStatus, samePlans } from "../src/component/billingHooks.js";
import { LIMITS, withLimits } from "../src/component/limits.js";
import { itemEvent, paymentAttemptEvent, subscriptionEvent, type ItemInput, type TestPayer } from "./fixtures/billingWebhooks";
import { clerkOrganization, clerkUser, deletedEvent, organizationDeletedEvent, organizationEvent, sign, userEvent } from "./fixtures/clerk";
import { captureLogs } from "./fixtures/logs";
import { hookCalls, recording, setupRecording } from "./fixtures/recording";
import { deliver, post, type TestBackend } from "./setup";

// The billing hooks, through the webhook as Clerk delivers (signed, through t.fetch): each fires
// for what it names, once, and not for a repeat, a stale copy, or a change that is not one.

const logs = captureLogs();
const T0 = 1_700_000_000_000;
const ada: TestPayer = { userId: "user_ada" };
const acme: TestPayer = { orgId: "org_acme" };

const item = (id: string, payer: TestPayer, status: string, plan: string, updated_at: number, more: Partial<ItemInput> = {}): ItemInput => ({
  id,
  payer,
  status,
  plan,
  updated_at,
  ...more,
});

async function outcomeOf(res: Response) {
  expect(res.status).toBe(200);
  return ((await res.json()) as { outcome: string }).outcome;
}

/** The calls of one hook, their arguments as received. */
const callsOf = (hook: string) => hookCalls.filter((call) => call.hook === hook).map((call) => call.args);

let t: TestBackend;
beforeEach(() => {
  t = setupRecording();
});

describe("onPlansChanged", () => {
  const free = (status: string, at: number) => item("csub_item_free", ada, status, "free", at);
  const pro = (status: string, at: number) => item("csub_item_pro", ada, status, "pro", at);

  test("fires once for a subscription event that ends the free item and starts a paid one, with the net before and after", async () => {
    await deliver(t, itemEvent("active", free("active", T0 + 1)));
    expect(callsOf("onPlansChanged")).toEqual([{ payer: { type: "user", userId: "user_ada" }, before: [], after: ["free"], source: "webhook" }]);
    expect(await outcomeOf(await deliver(t, subscriptionEvent("updated", ada, [free("ended", T0 + 2), pro("active", T0 + 2)])))).toBe("created");
    expect(callsOf("onPlansChanged").slice(1)).toEqual([{ payer: { type: "user", userId: "user_ada" }, before: ["free"], after: ["pro"], source: "webhook" }]);
    // After the items' own hooks, in the same call.
    expect(hookCalls.slice(-3).map(({ hook }) => hook)).toEqual(["onSubscriptionItemUpdated", "onSubscriptionItemCreated", "onPlansChanged"]);
  });

  test("the same items one by one, in either order, fire once per real change", async () => {
    await deliver(t, itemEvent("active", free("active", T0 + 1)));
    await deliver(t, itemEvent("active", pro("active", T0 + 2)));
    await deliver(t, itemEvent("ended", free("ended", T0 + 2)));
    expect(callsOf("onPlansChanged").map(({ before, after }) => [before, after])).toEqual([
      [[], ["free"]],
      [["free"], ["free", "pro"]],
      [["free", "pro"], ["pro"]],
    ]);
  });

  test("an organization payer is named as one", async () => {
    await deliver(t, subscriptionEvent("created", acme, [item("csub_item_org", acme, "active", "team", T0 + 1)]));
    expect(callsOf("onPlansChanged")).toEqual([{ payer: { type: "org", orgId: "org_acme" }, before: [], after: ["team"], source: "webhook" }]);
  });

  test("does not fire when the net plans are unchanged, nor for a repeat or a stale delivery", async () => {
    await deliver(t, itemEvent("active", free("active", T0 + 1)));
    // A newer version of the free item, still active, and a scheduled pro item: the plans are still ["free"].
    const scheduled = subscriptionEvent("updated", ada, [free("active", T0 + 5), pro("upcoming", T0 + 5)]);
    expect(await outcomeOf(await deliver(t, scheduled))).toBe("created");
    // The switch to pro fires; its repeat, and older copies, do not.
    const delivery = sign(subscriptionEvent("updated", ada, [free("ended", T0 + 9), pro("active", T0 + 9)]), { id: "msg_switch" });
    expect(await outcomeOf(await post(t, delivery))).toBe("updated");
    expect(await outcomeOf(await post(t, delivery))).toBe("duplicate");
    expect(await outcomeOf(await deliver(t, scheduled))).toBe("stale");
    expect(await outcomeOf(await deliver(t, itemEvent("active", free("active", T0 + 3))))).toBe("stale");
    expect(callsOf("onPlansChanged").map(({ before, after }) => [before, after])).toEqual([
      [[], ["free"]],
      [["free"], ["pro"]],
    ]);
    // The items' own hooks fired for the scheduled change that left the plans alone.
    expect(callsOf("onSubscriptionItemCreated").map((args) => (args.subscriptionItem as { status: string }).status)).toEqual(["active", "upcoming"]);
  });

  test("a version changing an item's status among current ones (active to canceled) changes no plan", async () => {
    await deliver(t, itemEvent("active", pro("active", T0 + 1)));
    await deliver(t, itemEvent("canceled", pro("canceled", T0 + 2)));
    await deliver(t, itemEvent("pastDue", pro("past_due", T0 + 3)));
    expect(callsOf("onPlansChanged")).toHaveLength(1);
  });

  test("a payer's deletion changes its plans to none, once, however many batches its cascade takes", () =>
    withLimits({ cascadeBatch: 2 }, async () => {
      await deliver(t, userEvent("user.created", clerkUser("user_ada")));
      // The cascade removes items in index order (payer, status): the past due pro item comes after the ended ones, in a later batch.
      const items = Array.from({ length: LIMITS.cascadeBatch * 2 + 1 }, (_, i) =>
        item(`csub_item_${i}`, ada, i === 0 ? "past_due" : "ended", i === 0 ? "pro" : "free", T0 + 1),
      );
      await deliver(t, subscriptionEvent("updated", ada, items));
      expect(await outcomeOf(await deliver(t, deletedEvent("user_ada")))).toBe("deleted");
      await t.finishAllScheduledFunctions(() => {});
      expect(callsOf("onPlansChanged").map(({ before, after }) => [before, after])).toEqual([
        [[], ["pro"]],
        [["pro"], []],
      ]);
      expect(callsOf("onSubscriptionItemDeleted")).toHaveLength(items.length);
      // A late item of the deleted payer is dropped: no hook.
      expect(await outcomeOf(await deliver(t, itemEvent("active", item("csub_item_late", ada, "active", "pro", T0 + 9))))).toBe("tombstoned");
      expect(callsOf("onPlansChanged")).toHaveLength(2);
    }));

  test("an organization's deletion fires for the organization, not for a payer with no current plan", async () => {
    await deliver(t, organizationEvent("organization.created", clerkOrganization("org_acme")));
    await deliver(t, organizationEvent("organization.created", clerkOrganization("org_idle")));
    await deliver(t, subscriptionEvent("created", acme, [item("csub_item_org", acme, "active", "team", T0 + 1)]));
    await deliver(t, subscriptionEvent("created", { orgId: "org_idle" }, [item("csub_item_idle", { orgId: "org_idle" }, "ended", "team", T0 + 1)]));
    await deliver(t, organizationDeletedEvent("org_acme"));
    await deliver(t, organizationDeletedEvent("org_idle"));
    expect(callsOf("onPlansChanged")).toEqual([
      { payer: { type: "org", orgId: "org_acme" }, before: [], after: ["team"], source: "webhook" },
      { payer: { type: "org", orgId: "org_acme" }, before: ["team"], after: [], source: "webhook" },
    ]);
  });

  test("samePlans compares sorted lists of slugs", () => {
    expect(samePlans([], [])).toBe(true);
    expect(samePlans(["free"], ["free"])).toBe(true);
    expect(samePlans(["free"], ["pro"])).toBe(false);
    expect(samePlans(["free", "pro"], ["free"])).toBe(false);
  });
});

describe("onTrialEnding", () => {
  const trialEnd = T0 + 14 * 86_400_000;
  const trial = (at: number, more: Partial<ItemInput> = {}) =>
    item("csub_item_trial", ada, "active", "pro", at, { is_free_trial: true, period_end: trialEnd, ...more });

  test("fires once per item and trial end, however often Clerk sends the notice", async () => {
    await deliver(t, itemEvent("active", trial(T0 + 1)));
    const notice = sign(itemEvent("freeTrialEnding", trial(T0 + 1)), { id: "msg_trial" });
    expect(await outcomeOf(await post(t, notice))).toBe("duplicate");
    // The notice repeats the stored version: the item as stored is announced.
    const stored = callsOf("onSubscriptionItemCreated")[0]!.subscriptionItem;
    expect(callsOf("onTrialEnding")).toEqual([{ subscriptionItem: stored, trialEndsAt: trialEnd, source: "webhook" }]);
    expect(stored).toMatchObject({ clerkId: "csub_item_trial", isFreeTrial: true, periodEnd: trialEnd });
    // Svix's retry, another delivery of the notice, and the notice restamped by Clerk.
    await post(t, notice);
    await deliver(t, itemEvent("freeTrialEnding", trial(T0 + 1)));
    expect(await outcomeOf(await deliver(t, itemEvent("freeTrialEnding", trial(T0 + 2))))).toBe("updated");
    expect(callsOf("onTrialEnding")).toHaveLength(1);
  });

  test("a hook that throws forgets the announcement with the rest: Clerk's retry announces it", async () => {
    const notice = sign(itemEvent("freeTrialEnding", trial(T0 + 1)), { id: "msg_trial" });
    recording.failing = "onTrialEnding";
    expect((await post(t, notice)).status).toBe(500);
    logs.take(/applying the event failed/);
    recording.failing = null;
    expect(await outcomeOf(await post(t, notice))).toBe("created");
    expect(callsOf("onTrialEnding")).toHaveLength(2);
    await post(t, notice);
    expect(callsOf("onTrialEnding")).toHaveLength(2);
  });

  test("a trial extended to a new end is announced again", async () => {
    await deliver(t, itemEvent("freeTrialEnding", trial(T0 + 1)));
    await deliver(t, itemEvent("freeTrialEnding", trial(T0 + 2, { period_end: trialEnd + 86_400_000 })));
    expect(callsOf("onTrialEnding").map(({ trialEndsAt }) => trialEndsAt)).toEqual([trialEnd, trialEnd + 86_400_000]);
  });

  test("does not fire for a notice older than the item stored (converted to paid), nor for an item event that is no notice", async () => {
    await deliver(t, itemEvent("active", trial(T0 + 1)));
    await deliver(t, itemEvent("updated", trial(T0 + 5, { is_free_trial: false })));
    expect(await outcomeOf(await deliver(t, itemEvent("freeTrialEnding", trial(T0 + 2))))).toBe("stale");
    expect(callsOf("onTrialEnding")).toEqual([]);
  });

  test("does not fire for a trial that already ended", async () => {
    expect(await outcomeOf(await deliver(t, itemEvent("freeTrialEnding", trial(T0 + 1, { status: "ended" }))))).toBe("created");
    expect(callsOf("onTrialEnding")).toEqual([]);
  });

  test("isTrialEndingAt: a current free trial ending at that time", () => {
    const at = trialEnd;
    expect(isTrialEndingAt({ status: "active", isFreeTrial: true, periodEnd: at }, at)).toBe(true);
    expect(isTrialEndingAt({ status: "canceled", isFreeTrial: true, periodEnd: at }, at)).toBe(true);
    expect(isTrialEndingAt({ status: "active", isFreeTrial: false, periodEnd: at }, at)).toBe(false);
    expect(isTrialEndingAt({ status: "active", isFreeTrial: true, periodEnd: at + 1 }, at)).toBe(false);
    expect(isTrialEndingAt({ status: "ended", isFreeTrial: true, periodEnd: at }, at)).toBe(false);
  });
});

describe("onPaymentAttempt", () => {
  test("fires on the attempt's creation and on each new status", async () => {
    await deliver(t, paymentAttemptEvent("created", "cpa_1", ada, "pending", T0 + 1));
    await deliver(t, paymentAttemptEvent("updated", "cpa_1", ada, "paid", T0 + 2));
    const calls = callsOf("onPaymentAttempt");
    expect(calls.map((args) => (args.paymentAttempt as { status: string }).status)).toEqual(["pending", "paid"]);
    expect(calls[1]).toMatchObject({ source: "webhook", paymentAttempt: { clerkId: "cpa_1", userId: "user_ada", paidAt: T0 + 2, amount: 2000 } });
  });

  test("does not fire for a newer version of the same status, a stale pending after paid, or a repeat", async () => {
    await deliver(t, paymentAttemptEvent("created", "cpa_1", acme, "pending", T0 + 1));
    expect(await outcomeOf(await deliver(t, paymentAttemptEvent("updated", "cpa_1", acme, "pending", T0 + 2)))).toBe("updated");
    const failed = sign(paymentAttemptEvent("updated", "cpa_1", acme, "failed", T0 + 4), { id: "msg_failed" });
    expect(await outcomeOf(await post(t, failed))).toBe("updated");
    expect(await outcomeOf(await post(t, failed))).toBe("duplicate");
    expect(await outcomeOf(await deliver(t, paymentAttemptEvent("updated", "cpa_1", acme, "pending", T0 + 3)))).toBe("stale");
    expect(callsOf("onPaymentAttempt").map((args) => (args.paymentAttempt as { status: string }).status)).toEqual(["pending", "failed"]);
  });

  test("an attempt first seen paid fires once, and its late pending nothing", async () => {
    await deliver(t, paymentAttemptEvent("updated", "cpa_2", ada, "paid", T0 + 2));
    await deliver(t, paymentAttemptEvent("created", "cpa_2", ada, "pending", T0 + 1));
    expect(callsOf("onPaymentAttempt").map((args) => (args.paymentAttempt as { status: string }).status)).toEqual(["paid"]);
  });

  test("reachedStatus: a creation, or an update to another status", () => {
    expect(reachedStatus("created", { status: "pending" })).toBe(true);
    expect(reachedStatus("updated", { status: "paid" }, { status: "pending" })).toBe(true);
    expect(reachedStatus("updated", { status: "pending" }, { status: "pending" })).toBe(false);
    expect(reachedStatus("deleted", { status: "paid" })).toBe(false);
  });
});
