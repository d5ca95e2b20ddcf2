import { internalActionGeneric, makeFunctionReference, queryGeneric, type FunctionReference } from "convex/server";
import { v } from "convex/values";
import {
  defineClerkHooks,
  isResyncError,
  makeResyncAction,
  resyncPayer,
  type ClerkHooksMutation,
  type PayerResyncResult,
  type ResyncStatus,
} from "convex-clerk-users";
import clerkUsersTest from "convex-clerk-users/test";
import { convexTest } from "convex-test";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import { internalMutation } from "../example/convex/_generated/server";
import schema from "../example/convex/schema";
import { clerkBilling, clerkItem, clerkPlan, type ClerkSubscriptionItemJSON } from "./fixtures/billing";
import { WEBHOOK_SECRET, sign } from "./fixtures/clerk";
import { SECRET_KEY, clerkOrgsAndMembers, clerkUsers, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";
import { captureLogs } from "./fixtures/logs";
import { appModules } from "./setup";

/**
 * The resync with `{ billing: true }` and `resyncPayer`, run as an app runs them, against a real
 * HTTP server playing Clerk's Backend API: 12 users (the first 3 on a paid plan), 3 organizations
 * on a paid plan with seats, one user item with no plan, and 4 plans with features.
 */

const logs = captureLogs();

const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 };

/** Every billing hook call, in order. */
const hookCalls: { hook: string; clerkId: string; source: string }[] = [];
const record = (hook: string) => (_ctx: unknown, change: { source: string; subscriptionItem: { clerkId: string } | null; clerkId?: string }) => {
  hookCalls.push({ hook, clerkId: change.subscriptionItem?.clerkId ?? change.clerkId ?? "", source: change.source });
};
const billingHooks = {
  hooks: defineClerkHooks(internalMutation, {
    onSubscriptionItemCreated: record("onSubscriptionItemCreated"),
    onSubscriptionItemUpdated: record("onSubscriptionItemUpdated"),
    onSubscriptionItemDeleted: record("onSubscriptionItemDeleted"),
  }),
};
const hooks = makeFunctionReference<"mutation">("billingHooks:hooks") as unknown as ClerkHooksMutation;

const base = { pageSize: 10, retry: fastRetry, rateLimit: false } as const;
const app = {
  billing: makeResyncAction(components.clerkUsers, { ...base, billing: true, hooks }),
  /** One instruction per step, each step scheduling the next. */
  stepwise: makeResyncAction(components.clerkUsers, { ...base, billing: true, maxStepMs: 0 }),
  usersOnly: makeResyncAction(components.clerkUsers, base),
  withOrgs: makeResyncAction(components.clerkUsers, { ...base, organizations: true }),
  refresh: internalActionGeneric({
    args: { userId: v.optional(v.string()), orgId: v.optional(v.string()), secretKey: v.optional(v.string()) },
    handler: (ctx, { userId, orgId, secretKey }): Promise<PayerResyncResult> =>
      resyncPayer(ctx, components.clerkUsers, orgId ? { orgId } : { userId: userId! }, { hooks, retry: fastRetry, ...(secretKey ? { secretKey } : {}) }),
  }),
};
const run = (name: "billing" | "stepwise" | "usersOnly" | "withOrgs") =>
  t.action(makeFunctionReference<"action", Record<string, never>, ResyncStatus>(`billingSync:${name}`), {});
const refresh = (args: { userId?: string; orgId?: string; secretKey?: string }) =>
  t.action(makeFunctionReference<"action", typeof args, PayerResyncResult>("billingSync:refresh"), args);

/** Test-only component queries: the billing tables as stored. */
const testOnly = {
  items: queryGeneric({ args: {}, handler: (ctx) => ctx.db.query("subscriptionItems").collect() }),
  plans: queryGeneric({ args: {}, handler: (ctx) => ctx.db.query("billingPlans").collect() }),
};
type StoredItem = {
  clerkId: string;
  userId?: string;
  orgId?: string;
  status: string;
  planSlug?: string;
  planId?: string;
  periodEnd?: number;
  subscriptionId?: string;
  seats?: number;
  updatedAt: number;
};
type StoredPlan = { clerkId: string; slug: string; features: string[]; payerType?: string; fee?: number };
/** `components.clerkUsers.testOnly`, which the example's generated api does not know about. */
const tables = () =>
  (
    components.clerkUsers as unknown as {
      testOnly: {
        items: FunctionReference<"query", "internal", Record<string, never>, StoredItem[]>;
        plans: FunctionReference<"query", "internal", Record<string, never>, StoredPlan[]>;
      };
    }
  ).testOnly;
const storedItems = async () => (await t.query(tables().items, {})).sort((a, b) => a.clerkId.localeCompare(b.clerkId));
const storedPlans = async () => (await t.query(tables().plans, {})).sort((a, b) => a.slug.localeCompare(b.slug));
const itemIds = async () => (await storedItems()).map((item) => item.clerkId);
const clerkItemIds = () => api.subscriptionItems.map((item) => item.id).sort();

const users = clerkUsers(12);
const userIds = users.map((user) => user.id);
const orgs = clerkOrgsAndMembers(3, users).organizations;
const orgIds = orgs.map((org) => org.id);

let api: FakeClerkApi;
let t: ReturnType<typeof convexTest>;
beforeEach(async () => {
  const billing = clerkBilling({ users: userIds, orgs: orgIds, paidUsers: 3 });
  // An item whose plan Clerk no longer has: `plan` and `plan_id` null.
  const orphan = clerkItem("csub_item_noplan", { userId: userIds[11]! }, null, {
    created_at: 1_700_300_500_000,
    updated_at: 1_700_300_500_000,
    status: "ended",
  });
  api = await startFakeClerkApi({ users, organizations: orgs, plans: billing.plans, subscriptionItems: [...billing.items, orphan] });
  process.env.CLERK_SECRET_KEY = SECRET_KEY;
  process.env.CLERK_API_URL = api.url;
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  t = convexTest({
    schema,
    modules: { ...appModules, "../example/convex/billingSync.ts": async () => app, "../example/convex/billingHooks.ts": async () => billingHooks },
    transactionLimits: true,
  });
  t.registerComponent("clerkUsers", clerkUsersTest.schema, { ...clerkUsersTest.modules, "./component/testOnly.ts": async () => testOnly });
  hookCalls.length = 0;
});
afterEach(async () => {
  await api.close();
  delete process.env.CLERK_SECRET_KEY;
  delete process.env.CLERK_API_URL;
});

const billingRequests = () => api.log.filter((r) => r.path.includes("/billing/"));
const itemPages = () => api.log.filter((r) => r.path === "/v1/billing/subscription_items");
const deliver = (event: object) => {
  const delivery = sign(event);
  return t.fetch("/clerk-users-webhook", { method: "POST", headers: delivery.headers, body: delivery.body });
};
/** A `subscriptionItem.updated` webhook event: the item as the Backend API has it, which the webhook's shape reads alike. */
const itemEvent = (item: ClerkSubscriptionItemJSON) => ({
  object: "event",
  type: "subscriptionItem.updated",
  data: { ...item, interval: item.plan_period },
  timestamp: item.updated_at,
});

describe("a resync with { billing: true }", () => {
  test("stores every item (user and organization payers, free items with no period end, an item with no plan) and every plan with its features", async () => {
    const status = await run("billing");
    const items = api.subscriptionItems;
    expect(status).toMatchObject({
      state: "completed",
      kinds: ["user", "subscriptionItem"],
      counts: {
        user: { created: 12 },
        subscriptionItem: { seen: items.length, created: items.length, invalid: 0, removed: 0 },
        plan: { seen: 4, created: 4, updated: 0, unchanged: 0, removed: 0, invalid: 0 },
      },
    });
    expect(await components_status()).toEqual(status);
    expect(await itemIds()).toEqual(clerkItemIds());

    const stored = new Map((await storedItems()).map((item) => [item.clerkId, item]));
    // A user's free default item: no period end.
    const free = items.find((item) => item.payer.user_id === userIds[5] && item.plan?.slug === "free")!;
    expect(stored.get(free.id)).toMatchObject({ userId: userIds[5], status: "active", planSlug: "free", planId: "cplan_free" });
    expect(stored.get(free.id)).not.toHaveProperty("periodEnd");
    expect(stored.get(free.id)).not.toHaveProperty("orgId");
    // A paid user: its ended free item and its active paid one.
    const paid = items.filter((item) => item.payer.user_id === userIds[0]);
    expect(paid.map((item) => stored.get(item.id))).toMatchObject([
      { userId: userIds[0], status: "ended", planSlug: "free" },
      { userId: userIds[0], status: "active", planSlug: "pro", periodEnd: paid[1]!.period_end },
    ]);
    // An organization's item: its payer is the organization, with its seats.
    const team = items.find((item) => item.payer.organization_id === orgIds[1])!;
    expect(stored.get(team.id)).toMatchObject({ orgId: orgIds[1], planSlug: "team", seats: 5 });
    expect(stored.get(team.id)).not.toHaveProperty("userId");
    // No plan: stored without one.
    expect(stored.get("csub_item_noplan")).toMatchObject({ userId: userIds[11], status: "ended" });
    expect(stored.get("csub_item_noplan")).not.toHaveProperty("planSlug");
    expect(stored.get("csub_item_noplan")).not.toHaveProperty("planId");

    expect((await storedPlans()).map(({ slug, features, payerType, fee }) => ({ slug, features, payerType, fee }))).toEqual([
      { slug: "free", features: ["basic"], payerType: "user", fee: undefined },
      { slug: "free_org", features: ["basic"], payerType: "org", fee: undefined },
      { slug: "pro", features: ["basic", "export", "api"], payerType: "user", fee: 1000 },
      { slug: "team", features: ["basic", "seats"], payerType: "org", fee: 5000 },
    ]);
    // The items' whole list, free ones included; the plans once, before it.
    expect(itemPages().every((r) => new URLSearchParams(r.search).get("include_free") === "true" && r.limit === 10)).toBe(true);
    const paths = api.log.map((r) => r.path);
    expect(paths.filter((p) => p === "/v1/billing/plans")).toHaveLength(1);
    expect(paths.indexOf("/v1/billing/plans")).toBeLessThan(paths.indexOf("/v1/billing/subscription_items"));
    expect(hookCalls.filter((c) => c.hook === "onSubscriptionItemCreated")).toHaveLength(items.length);
    expect(hookCalls.every((c) => c.source === "resync")).toBe(true);
  });

  test("a second pass over an unchanged Clerk writes nothing and fires no hook", async () => {
    await run("billing");
    const before = { items: await storedItems(), plans: await storedPlans() };
    hookCalls.length = 0;
    expect(await run("billing")).toMatchObject({
      state: "completed",
      counts: {
        subscriptionItem: { seen: api.subscriptionItems.length, created: 0, updated: 0, unchanged: api.subscriptionItems.length, removed: 0 },
        plan: { seen: 4, created: 0, updated: 0, unchanged: 4, removed: 0 },
      },
    });
    expect(hookCalls).toEqual([]);
    expect({ items: await storedItems(), plans: await storedPlans() }).toEqual(before);
  });

  test("a run in many steps, one instruction each, syncs the plans once and every item", async () => {
    expect((await run("stepwise")).state).toBe("running");
    for (let i = 0; i < 100; i++) {
      await t.finishInProgressScheduledFunctions();
      if ((await components_status())?.state !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await components_status()).toMatchObject({
      state: "completed",
      counts: { subscriptionItem: { created: api.subscriptionItems.length }, plan: { seen: 4, created: 4 } },
    });
    expect((await components_status())!.steps).toBeGreaterThan(5);
    expect(api.log.filter((r) => r.path === "/v1/billing/plans")).toHaveLength(1);
    expect(await itemIds()).toEqual(clerkItemIds());
  });

  test("items created in Clerk while the list is read are not skipped: the head is read again", async () => {
    const newest = Math.max(...api.subscriptionItems.map((item) => item.created_at));
    let added = false;
    api.beforeRequest = ({ path, offset }) => {
      // Newest first, new items land at the head, before the pages already read.
      if (path === "/v1/billing/subscription_items" && offset === 9 && !added) {
        added = true;
        api.subscriptionItems.push(
          ...[1, 2, 3].map((i) =>
            clerkItem(`csub_item_new${i}`, { userId: userIds[i]! }, null, { created_at: newest + i * 1000, updated_at: newest + i * 1000 }),
          ),
        );
      }
    };
    const status = await run("billing");
    expect(added).toBe(true);
    expect(status).toMatchObject({ state: "completed", counts: { subscriptionItem: { created: api.subscriptionItems.length, removed: 0 } } });
    expect(await itemIds()).toEqual(clerkItemIds());
    expect(await itemIds()).toEqual(expect.arrayContaining(["csub_item_new1", "csub_item_new2", "csub_item_new3"]));
  });

  test("a stale listed copy does not overwrite a newer version a webhook stored", async () => {
    const item = api.subscriptionItems.find((i) => i.payer.user_id === userIds[0] && i.status === "active")!;
    const canceled = { ...item, status: "canceled", canceled_at: item.updated_at + 5_000, updated_at: item.updated_at + 5_000 };
    expect((await deliver(itemEvent(canceled))).status).toBe(200);
    const status = await run("billing");
    expect(status.counts.subscriptionItem).toMatchObject({ created: api.subscriptionItems.length - 1, unchanged: 1, updated: 0 });
    expect((await storedItems()).find((i) => i.clerkId === item.id)).toMatchObject({ status: "canceled", updatedAt: canceled.updated_at });
  });

  test("reconcile removes an item Clerk no longer has and keeps one it still has, asking each payer's subscription once", async () => {
    await run("billing");
    // Webhooks missed: one user's item is gone from Clerk; an organization's item is missing
    // from the list but still in its subscription (a listing that missed it).
    const gone = api.subscriptionItems.find((item) => item.payer.user_id === userIds[7])!;
    const missed = api.subscriptionItems.find((item) => item.payer.organization_id === orgIds[2])!;
    api.subscriptionItems = api.subscriptionItems.filter((item) => item.id !== gone.id);
    api.hiddenFromListing.add(missed.id);
    api.log.length = 0;
    hookCalls.length = 0;
    const status = await run("billing");
    expect(status).toMatchObject({ state: "completed", counts: { subscriptionItem: { removed: 1 } } });
    expect(await itemIds()).toEqual(clerkItemIds());
    expect(await itemIds()).toContain(missed.id);
    expect(hookCalls.filter((c) => c.hook === "onSubscriptionItemDeleted")).toEqual([
      { hook: "onSubscriptionItemDeleted", clerkId: gone.id, source: "resync" },
    ]);
    const rechecks = api.log.filter((r) => r.path.endsWith("/billing/subscription")).map((r) => r.path);
    expect(rechecks.sort()).toEqual([`/v1/organizations/${orgIds[2]}/billing/subscription`, `/v1/users/${userIds[7]}/billing/subscription`]);
  });

  test("reconcile stops before removing more items than the pass found still in Clerk (a key of another instance)", async () => {
    await run("billing");
    const before = await itemIds();
    // Another instance: no item at all, so every payer's subscription is a 404.
    api.subscriptionItems = [];
    await expect(run("billing")).rejects.toSatisfy((e) => isResyncError(e, "TOO_MANY_REMOVALS"));
    logs.take(/^convex-clerk-users resync: TOO_MANY_REMOVALS: /);
    expect(await itemIds()).toEqual(before);
  });

  test("a plan Clerk no longer has is removed after a complete listing, and stays after a failed one", async () => {
    // 12 plans: two pages of 10, overlapping by one.
    api.plans.push(...Array.from({ length: 8 }, (_, i) => clerkPlan(`extra${i}`, { fee: 100 * (i + 1), features: [`f${i}`] })));
    expect((await run("billing")).counts.plan).toMatchObject({ seen: 12, created: 12 });
    const allSlugs = (await storedPlans()).map((plan) => plan.slug);
    expect(allSlugs).toHaveLength(12);

    // Clerk deletes the newest plan; the next listing's second page keeps failing.
    api.plans = api.plans.filter((plan) => plan.slug !== "extra7");
    api.beforeRequest = ({ path, offset }) => (path === "/v1/billing/plans" && offset === 9 ? { status: 503 } : undefined);
    await expect(run("billing")).rejects.toSatisfy((e) => isResyncError(e, "CLERK_UNAVAILABLE"));
    logs.take(/^convex-clerk-users resync: CLERK_UNAVAILABLE: /);
    expect((await storedPlans()).map((plan) => plan.slug)).toEqual(allSlugs);

    // Clerk answers again: the run resumes, and the complete listing no longer holds it.
    api.beforeRequest = undefined;
    const status = await run("billing");
    expect(status).toMatchObject({ state: "completed", counts: { plan: { seen: 11, removed: 1, unchanged: 11 } } });
    expect((await storedPlans()).map((plan) => plan.slug)).toEqual(allSlugs.filter((slug) => slug !== "extra7"));
  });

  test("a plan changed in Clerk is replaced, a new one added", async () => {
    await run("billing");
    api.plans = api.plans.map((plan) => (plan.slug === "pro" ? { ...plan, features: [...plan.features, { ...plan.features[0]!, slug: "sso" }] } : plan));
    api.plans.push(clerkPlan("enterprise", { fee: 99_00, features: ["sso"] }));
    expect((await run("billing")).counts.plan).toMatchObject({ seen: 5, created: 1, updated: 1, unchanged: 3, removed: 0 });
    expect((await storedPlans()).find((plan) => plan.slug === "pro")?.features).toEqual(["basic", "export", "api", "sso"]);
  });

  test("without the option no billing request is made", async () => {
    expect(await run("usersOnly")).toMatchObject({ state: "completed", kinds: ["user"] });
    expect(await run("withOrgs")).toMatchObject({ state: "completed", kinds: ["user", "organization", "membership"] });
    expect(api.log.length).toBeGreaterThan(0);
    expect(billingRequests()).toEqual([]);
    const status = await components_status();
    expect(status?.counts).not.toHaveProperty("plan");
    expect(status?.counts).not.toHaveProperty("subscriptionItem");
    expect(await storedItems()).toEqual([]);
    expect(await storedPlans()).toEqual([]);
  });
});

describe("resyncPayer", () => {
  test("applies one payer's items, and nothing else, with one request", async () => {
    const result = await refresh({ userId: userIds[0] });
    const theirs = api.subscriptionItems.filter((item) => item.payer.user_id === userIds[0]);
    expect(result).toEqual({ found: true, seen: theirs.length, created: theirs.length, updated: 0, unchanged: 0, tombstoned: 0, invalid: 0, invalidIds: [] });
    expect(await storedItems()).toMatchObject(theirs.map((item) => ({ clerkId: item.id, userId: userIds[0], subscriptionId: `csub_${userIds[0]}` })));
    expect(await storedPlans()).toEqual([]);
    expect(api.log.map((r) => r.path)).toEqual([`/v1/users/${userIds[0]}/billing/subscription`]);
    expect(hookCalls).toEqual(theirs.map((item) => ({ hook: "onSubscriptionItemCreated", clerkId: item.id, source: "resync" })));

    // An organization's, through its own path.
    const team = api.subscriptionItems.find((item) => item.payer.organization_id === orgIds[0])!;
    expect(await refresh({ orgId: orgIds[0] })).toMatchObject({ found: true, seen: 1, created: 1 });
    expect((await storedItems()).find((item) => item.clerkId === team.id)).toMatchObject({ orgId: orgIds[0], planSlug: "team" });
    expect(api.log.map((r) => r.path).at(-1)).toBe(`/v1/organizations/${orgIds[0]}/billing/subscription`);
    expect(await storedItems()).toHaveLength(theirs.length + 1);
  });

  test("applies through the ordering rules: a repeat writes nothing, a newer webhook version stays, a change is applied", async () => {
    await refresh({ userId: userIds[1] });
    hookCalls.length = 0;
    expect(await refresh({ userId: userIds[1] })).toMatchObject({ found: true, seen: 2, created: 0, updated: 0, unchanged: 2 });
    expect(hookCalls).toEqual([]);

    const [ended, pro] = api.subscriptionItems.filter((item) => item.payer.user_id === userIds[1]);
    const newer = { ...pro!, status: "past_due", past_due_at: pro!.updated_at + 9_000, updated_at: pro!.updated_at + 9_000 };
    expect((await deliver(itemEvent(newer))).status).toBe(200);
    // Clerk's copy of the ended item changed since; its paid item is still the older copy.
    api.subscriptionItems = api.subscriptionItems.map((item) =>
      item.id === ended!.id ? { ...item, updated_at: item.updated_at + 1_000, status: "abandoned" } : item,
    );
    expect(await refresh({ userId: userIds[1] })).toMatchObject({ seen: 2, updated: 1, unchanged: 1 });
    const stored = new Map((await storedItems()).map((item) => [item.clerkId, item]));
    expect(stored.get(pro!.id)).toMatchObject({ status: "past_due" });
    expect(stored.get(ended!.id)).toMatchObject({ status: "abandoned" });
    expect(hookCalls).toEqual([{ hook: "onSubscriptionItemUpdated", clerkId: ended!.id, source: "resync" }]);
  });

  test("a payer with no subscription (404) changes nothing", async () => {
    expect(await refresh({ userId: "user_nobody" })).toEqual({
      found: false,
      seen: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      tombstoned: 0,
      invalid: 0,
      invalidIds: [],
    });
    expect(await storedItems()).toEqual([]);
    expect(api.log.map((r) => [r.path, r.status])).toEqual([["/v1/users/user_nobody/billing/subscription", 404]]);
  });

  test("an answer holding another payer's item is refused (BAD_RESPONSE) and writes nothing", async () => {
    const mine = api.subscriptionItems.filter((item) => item.payer.user_id === userIds[2]);
    const theirs = api.subscriptionItems.find((item) => item.payer.user_id === userIds[3])!;
    api.beforeRequest = () => ({
      status: 200,
      body: { object: "commerce_subscription", id: "csub_x", payer_id: "cpayer_x", subscription_items: [...mine, theirs] },
    });
    await expect(refresh({ userId: userIds[2] })).rejects.toSatisfy((e) => isResyncError(e, "BAD_RESPONSE"));
    expect(await storedItems()).toEqual([]);
    expect(hookCalls).toEqual([]);
  });

  test("fails with the resync's codes: no secret key, a key Clerk refuses", async () => {
    delete process.env.CLERK_SECRET_KEY;
    await expect(refresh({ userId: userIds[0] })).rejects.toSatisfy((e) => isResyncError(e, "MISSING_SECRET_KEY"));
    expect(api.log).toEqual([]);
    await expect(refresh({ userId: userIds[0], secretKey: "sk_test_wrong" })).rejects.toSatisfy((e) => isResyncError(e, "UNAUTHORIZED"));
    expect(await storedItems()).toEqual([]);
  });
});

async function components_status() {
  return t.query(components.clerkUsers.resync.status, {});
}
