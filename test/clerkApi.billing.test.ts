import { afterEach, describe, expect, test } from "vitest";
import { clerkBilling, clerkItem } from "./fixtures/billing";
import { SECRET_KEY, startFakeClerkApi, type FakeClerkApi, type FakeClerkApiOptions } from "./fixtures/clerkApi";

/**
 * The fake Clerk API's billing endpoints answer as the Backend API spec says (/tmp/bapi.yml:
 * `GET /v1/billing/plans`, `GET /v1/billing/subscription_items`, a payer's
 * `GET .../billing/subscription`), so the billing resync's tests play Clerk, not a guess of it.
 */

let api: FakeClerkApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const billing = clerkBilling({ users: ["user_a", "user_b", "user_c"], orgs: ["org_a"], paidUsers: 1 });
async function start(options: FakeClerkApiOptions = {}) {
  api = await startFakeClerkApi({ plans: billing.plans, subscriptionItems: billing.items, ...options });
  return api;
}
async function get(path: string, key = SECRET_KEY) {
  const response = await fetch(`${api!.url}${path}`, { headers: { Authorization: `Bearer ${key}` } });
  return { status: response.status, body: (await response.json()) as { data: { id: string; slug?: string }[]; total_count: number } & Record<string, unknown> };
}
const ids = (body: { data: { id: string }[] }) => body.data.map((o) => o.id);

describe("the fake's Clerk Billing", () => {
  test("plans: newest first, { data, total_count }, paged, filtered by payer_type", async () => {
    await start();
    const all = await get("/v1/billing/plans?limit=10&offset=0");
    expect(all.body.data.map((p) => p.slug)).toEqual(["team", "free_org", "pro", "free"]);
    expect(all.body.total_count).toBe(4);
    expect((await get("/v1/billing/plans?limit=2&offset=1")).body.data.map((p) => p.slug)).toEqual(["free_org", "pro"]);
    expect((await get("/v1/billing/plans?payer_type=org")).body.data.map((p) => p.slug)).toEqual(["team", "free_org"]);
  });

  test("subscription items: newest first; free ones only with include_free; payer_type, plan_id and status filters", async () => {
    await start();
    const byAge = [...billing.items].sort((a, b) => b.created_at - a.created_at).map((i) => i.id);
    expect(ids((await get("/v1/billing/subscription_items?include_free=true&limit=100")).body)).toEqual(byAge);
    const paid = (await get("/v1/billing/subscription_items?limit=100")).body;
    expect(paid.data.map((i) => (i as unknown as { plan: { slug: string } }).plan.slug).sort()).toEqual(["pro", "team"]);
    expect(ids((await get("/v1/billing/subscription_items?include_free=true&payer_type=org")).body)).toEqual(
      billing.items.filter((i) => i.payer.organization_id).map((i) => i.id),
    );
    expect(ids((await get("/v1/billing/subscription_items?include_free=true&plan_id=cplan_pro")).body)).toHaveLength(1);
    expect(ids((await get("/v1/billing/subscription_items?include_free=true&status=ended")).body)).toHaveLength(1);
    const item = (await get("/v1/billing/subscription_items?include_free=true&payer_type=user&limit=1")).body.data[0] as unknown as Record<string, unknown>;
    expect(item).toMatchObject({ object: "commerce_subscription_item", plan_period: "month", payer: { object: "commerce_payer", organization_id: null } });
    expect(item).toHaveProperty("payer_id");
  });

  test("a payer's subscription holds its items; a payer with none is a 404", async () => {
    await start();
    const user = await get("/v1/users/user_a/billing/subscription");
    expect(user.status).toBe(200);
    expect(user.body).toMatchObject({ object: "commerce_subscription", id: "csub_user_a", payer_id: "cpayer_user_a" });
    expect((user.body.subscription_items as { id: string }[]).map((i) => i.id)).toEqual(
      billing.items.filter((i) => i.payer.user_id === "user_a").map((i) => i.id),
    );
    const org = await get("/v1/organizations/org_a/billing/subscription");
    expect((org.body.subscription_items as unknown[]).length).toBe(1);
    expect((await get("/v1/users/user_none/billing/subscription")).status).toBe(404);
    expect((await get("/v1/organizations/org_none/billing/subscription")).status).toBe(404);
  });

  test("changes between requests show in the next answer, as for users", async () => {
    await start();
    api!.subscriptionItems.push(clerkItem("csub_item_late", { userId: "user_z" }, billing.plans[1]!, { created_at: 1_800_000_000_000 }));
    expect(ids((await get("/v1/billing/subscription_items?limit=1")).body)).toEqual(["csub_item_late"]);
    expect((await get("/v1/users/user_z/billing/subscription")).status).toBe(200);
  });

  test("the same Bearer auth, rate limit and scripted faults as every endpoint", async () => {
    await start({ rateLimit: { requests: 2, windowMs: 60_000 } });
    expect((await get("/v1/billing/plans", "sk_test_wrong")).status).toBe(401);
    api!.failNext({ status: 503 });
    expect((await get("/v1/billing/subscription_items")).status).toBe(503);
    expect((await get("/v1/users/user_a/billing/subscription")).status).toBe(200);
    expect((await get("/v1/billing/plans")).status).toBe(429);
  });
});
