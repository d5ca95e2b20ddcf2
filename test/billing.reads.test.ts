/**
 * Clerk Billing as an app reads it: billing events delivered through the webhook with real svix
 * signatures, read back with `getBilling` / `requireBilling` / `billingHas` and the component's
 * `billing.*` queries. Plans have no webhook and no component mutation yet (a resync with
 * `billing: true` writes them), so the tests that need plans insert them into the component's
 * `billingPlans` table directly (`syncPlans`).
 */
import { billingHas, getBilling, isClerkUsersError, requireBilling, type Billing } from "convex-clerk-users";
import type { GenericMutationCtx } from "convex/server";
import { beforeEach, describe, expect, test } from "vitest";
import { componentTest, WEBHOOK_PATH } from "../bench/lib/backends";
import { measure } from "../bench/lib/instrument";
import { withLimits } from "../src/component/limits";
import { components } from "../example/convex/_generated/api";
import { clerkMembership, clerkUser, deletedEvent, membershipEvent, organizationDeletedEvent, sign, userEvent } from "./fixtures/clerk";
import { deliver, setup, type TestBackend } from "./setup";

const component = components.clerkUsers;
/** Clerk stamps versions before it signs them: an `updated_at` more than an hour after the signature is refused. */
const T0 = Date.now() - 24 * 60 * 60_000;
const MONTH = 30 * 24 * 60 * 60_000;

// ---- Clerk's billing payloads, as /tmp/wh.yml's examples send them ----------------------------

type PayerRef = { userId: string } | { orgId: string };

/** A `commerce_payer`: the other id is `""`, as Clerk sends it. */
function clerkPayer(payer: PayerRef) {
  const id = "userId" in payer ? payer.userId : payer.orgId;
  return {
    object: "commerce_payer",
    id: `cpayer_${id}`,
    user_id: "userId" in payer ? payer.userId : "",
    organization_id: "orgId" in payer ? payer.orgId : "",
  };
}

type ItemOptions = { updated?: number; created?: number; periodEnd?: number | null; trial?: boolean; seats?: number };

/** A standalone `subscription_item` (a `subscriptionItem.*` event's data). */
function clerkItem(id: string, payer: PayerRef, status: string, plan: string, options: ItemOptions = {}) {
  const created = options.created ?? T0;
  return {
    object: "subscription_item",
    id,
    status,
    is_free_trial: options.trial ?? false,
    created_at: created,
    updated_at: options.updated ?? created,
    period_start: created,
    period_end: options.periodEnd === undefined ? created + MONTH : options.periodEnd,
    interval: "month",
    plan_id: `cplan_${plan}`,
    plan: { id: `cplan_${plan}`, slug: plan, name: plan.toUpperCase(), is_recurring: true, amount: 2000, currency: "USD" },
    ...(options.seats === undefined ? {} : { seats: { quantity: options.seats } }),
    payer: clerkPayer(payer),
    subscription_id: `csub_${"userId" in payer ? payer.userId : payer.orgId}`,
  };
}

const EVENT_OF_STATUS: Record<string, string> = { past_due: "pastDue" };

/** The `subscriptionItem.<status>` event of an item. */
function itemEvent(item: ReturnType<typeof clerkItem>) {
  return { type: `subscriptionItem.${EVENT_OF_STATUS[item.status] ?? item.status}`, object: "event", timestamp: item.updated_at, data: item };
}

/** A `paymentAttempt.*` event's data. */
function clerkPaymentAttempt(id: string, payer: PayerRef, status: string, { created = T0, updated = created }: { created?: number; updated?: number } = {}) {
  return {
    id,
    payment_id: `cp_${id}`,
    statement_id: "stmt_1",
    status,
    created_at: created,
    updated_at: updated,
    paid_at: status === "paid" ? updated : null,
    failed_at: status === "failed" ? updated : null,
    failed_reason: status === "failed" ? { code: "card_declined" } : null,
    billing_date: created,
    charge_type: "recurring",
    payer: { id: clerkPayer(payer).id, user_id: "userId" in payer ? payer.userId : null, organization_id: "orgId" in payer ? payer.orgId : null },
    totals: { grand_total: { amount: 2200, currency: "USD" } },
    subscription_items: [{ id: "csub_item_1" }],
  };
}

function paymentEvent(attempt: ReturnType<typeof clerkPaymentAttempt>) {
  return { type: attempt.created_at === attempt.updated_at ? "paymentAttempt.created" : "paymentAttempt.updated", object: "event", data: attempt };
}

async function send(t: TestBackend, ...events: object[]) {
  for (const event of events) expect((await deliver(t, event)).status, JSON.stringify(event).slice(0, 120)).toBe(200);
}

// ---- Plans: no webhook and no component mutation; written inside the component ------------------

type ComponentRunner = { runInComponent<T>(path: string, fn: (ctx: GenericMutationCtx<any>) => Promise<T>): Promise<T> };

/** What a resync with `billing: true` would leave in `billingPlans`. */
async function syncPlans(t: TestBackend, plans: Record<string, string[]>) {
  await (t as unknown as ComponentRunner).runInComponent("clerkUsers", async (ctx) => {
    for (const [slug, features] of Object.entries(plans)) {
      await ctx.db.insert("billingPlans", { clerkId: `cplan_${slug}`, slug, name: slug.toUpperCase(), isDefault: false, isRecurring: true, features });
    }
  });
}

// ---- Reading as the app does -----------------------------------------------------------------

async function codeOf(promise: Promise<unknown>) {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (isClerkUsersError(error)) return error.data.code;
    throw error;
  }
}

async function messageOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isClerkUsersError(error)) return error.data.message;
    throw error;
  }
  return "ok";
}

/** A server function's view: no identity (a cron), or the one given. */
const as = (t: TestBackend, identity?: object) => (identity ? t.withIdentity(identity as never) : t);

const ADA = { userId: "user_ada" };
const ACME = { orgId: "org_acme" };
/** Ada's session tokens with org_acme active: v2 (`o`) and v1 (`org_id`). */
const ADA_IN_ACME_V2 = { subject: "user_ada", v: 2, o: { id: "org_acme", rol: "admin" } };
const ADA_IN_ACME_V1 = { subject: "user_ada", org_id: "org_acme", org_role: "org:admin" };
const ADA_ALONE = { subject: "user_ada" };

let t: TestBackend;
beforeEach(() => {
  t = setup();
});

describe("a payer's billing is its current items: active, past_due and canceled", () => {
  const cases: [status: string, plans: string[], flags: Partial<Billing>][] = [
    ["active", ["pro"], { pastDue: false, cancelsAtPeriodEnd: false }],
    ["past_due", ["pro"], { pastDue: true, cancelsAtPeriodEnd: false }],
    ["canceled", ["pro"], { pastDue: false, cancelsAtPeriodEnd: true }],
    ["upcoming", [], {}],
    ["ended", [], {}],
    ["abandoned", [], {}],
    ["incomplete", [], {}],
  ];
  test.each(cases)("an item %s gives plans %j", async (status, plans, flags) => {
    // Every payer also has an active free item, so the billing exists whatever the status.
    await send(
      t,
      itemEvent(clerkItem("csub_item_free", ADA, "active", "free", { periodEnd: null })),
      itemEvent(clerkItem("csub_item_pro", ADA, status, "pro")),
    );
    const billing = await t.run((ctx) => getBilling(ctx, component, ADA));
    expect(billing?.plans).toEqual(["free", ...plans].sort());
    expect(billing).toMatchObject(flags);
    expect(billing?.upcoming.map((item) => item.planSlug)).toEqual(status === "upcoming" ? ["pro"] : []);
    expect(
      await t.run((ctx) =>
        requireBilling(ctx, component, { ...ADA, plan: "pro" }).then(
          () => "ok",
          (e: unknown) => (isClerkUsersError(e) ? e.data.code : e),
        ),
      ),
    ).toBe(plans.length > 0 ? "ok" : "FORBIDDEN");
  });

  test("the first item listed is not the answer: an ended item before the active one", async () => {
    await send(
      t,
      itemEvent(clerkItem("csub_item_1", ADA, "active", "starter", { created: T0 })),
      itemEvent(clerkItem("csub_item_1", ADA, "ended", "starter", { created: T0, updated: T0 + 10 })),
      itemEvent(clerkItem("csub_item_2", ADA, "active", "pro", { created: T0 + 10 })),
    );
    const billing = await t.run((ctx) => getBilling(ctx, component, ADA));
    expect(billing?.plans).toEqual(["pro"]);
    expect(billing?.current.map((item) => item.clerkId)).toEqual(["csub_item_2"]);
    expect(billingHas(billing, { plan: "starter" })).toBe(false);
    expect(billingHas(billing, { plan: "pro" })).toBe(true);
  });

  test("a payer with nothing current or upcoming has no billing (null), and has nothing", async () => {
    expect(await t.run((ctx) => getBilling(ctx, component, ADA))).toBeNull();
    await send(t, itemEvent(clerkItem("csub_item_1", ADA, "ended", "pro")));
    expect(await t.run((ctx) => getBilling(ctx, component, ADA))).toBeNull();
    expect(billingHas(null, { plan: "pro" })).toBe(false);
    expect(await t.run((ctx) => codeOf(requireBilling(ctx, component, ADA)))).toBe("FORBIDDEN");
  });
});

describe("user payers and organization payers", () => {
  beforeEach(async () => {
    await send(t, itemEvent(clerkItem("csub_item_ada", ADA, "active", "pro")), itemEvent(clerkItem("csub_item_acme", ACME, "active", "team", { seats: 5 })));
  });

  test("each payer's billing is its own, and names its payer", async () => {
    const [ada, acme] = await t.run(async (ctx) => [await getBilling(ctx, component, ADA), await getBilling(ctx, component, ACME)]);
    expect(ada).toMatchObject({ payer: { type: "user", userId: "user_ada" }, plans: ["pro"], seats: null });
    expect(acme).toMatchObject({ payer: { type: "org", orgId: "org_acme" }, plans: ["team"], seats: 5 });
  });

  test("plan names mean what they mean in Clerk's has(): bare for either payer, o: an organization's, u: a user's", async () => {
    const [ada, acme] = await t.run(async (ctx) => [await getBilling(ctx, component, ADA), await getBilling(ctx, component, ACME)]);
    expect([billingHas(ada, { plan: "pro" }), billingHas(ada, { plan: "u:pro" }), billingHas(ada, { plan: "o:pro" })]).toEqual([true, true, false]);
    expect([billingHas(acme, { plan: "team" }), billingHas(acme, { plan: "o:team" }), billingHas(acme, { plan: "u:team" })]).toEqual([true, true, false]);
    expect(await t.run((ctx) => codeOf(requireBilling(ctx, component, { ...ACME, plan: "u:team" })))).toBe("FORBIDDEN");
    expect(await t.run((ctx) => codeOf(requireBilling(ctx, component, { ...ACME, plan: "o:team" })))).toBe("ok");
  });

  test("by default the token's payer: its active organization (v1 and v2 tokens), else the user", async () => {
    for (const token of [ADA_IN_ACME_V2, ADA_IN_ACME_V1]) {
      expect((await as(t, token).run((ctx) => getBilling(ctx, component)))?.payer).toEqual({ type: "org", orgId: "org_acme" });
      expect(await as(t, token).run((ctx) => codeOf(requireBilling(ctx, component, { plan: "team" })))).toBe("ok");
      expect(await as(t, token).run((ctx) => codeOf(requireBilling(ctx, component, { plan: "pro" })))).toBe("FORBIDDEN");
    }
    expect((await as(t, ADA_ALONE).run((ctx) => getBilling(ctx, component)))?.payer).toEqual({ type: "user", userId: "user_ada" });
  });

  test("with an organization active, { userId } reads the user's own billing, which the token does not carry", async () => {
    const own = await as(t, ADA_IN_ACME_V2).run((ctx) => getBilling(ctx, component, { userId: "user_ada" }));
    expect(own).toMatchObject({ payer: { type: "user", userId: "user_ada" }, plans: ["pro"] });
    expect(await as(t, ADA_IN_ACME_V2).run((ctx) => codeOf(requireBilling(ctx, component, { userId: "user_ada", plan: "pro" })))).toBe("ok");
  });

  test("a cron (no identity) reads any payer it names, and is UNAUTHENTICATED only when it names none", async () => {
    expect((await t.run((ctx) => getBilling(ctx, component, { userId: "user_ada" })))?.plans).toEqual(["pro"]);
    expect(await t.run((ctx) => codeOf(requireBilling(ctx, component, { orgId: "org_acme", plan: "team" })))).toBe("ok");
    expect(await t.run((ctx) => getBilling(ctx, component))).toBeNull();
    expect(await t.run((ctx) => codeOf(requireBilling(ctx, component, { plan: "pro" })))).toBe("UNAUTHENTICATED");
  });

  test("a pending session is signed out, unless treatPendingAsSignedOut: false", async () => {
    const pending = { ...ADA_IN_ACME_V2, sts: "pending" };
    expect(await as(t, pending).run((ctx) => getBilling(ctx, component))).toBeNull();
    expect(await as(t, pending).run((ctx) => codeOf(requireBilling(ctx, component, { plan: "team" })))).toBe("UNAUTHENTICATED");
    expect((await as(t, pending).run((ctx) => getBilling(ctx, component, { treatPendingAsSignedOut: false })))?.plans).toEqual(["team"]);
    expect(await as(t, pending).run((ctx) => codeOf(requireBilling(ctx, component, { plan: "team", treatPendingAsSignedOut: false })))).toBe("ok");
  });

  test("FORBIDDEN names the payer and what was missing", async () => {
    expect(await t.run((ctx) => messageOf(requireBilling(ctx, component, { ...ACME, plan: "enterprise" })))).toBe(
      'This needs plan "enterprise" for organization org_acme: it is on team.',
    );
    expect(await as(t, ADA_ALONE).run((ctx) => messageOf(requireBilling(ctx, component, { plan: "team" })))).toBe(
      'This needs plan "team" for user user_ada: it is on pro.',
    );
    expect(await t.run((ctx) => messageOf(requireBilling(ctx, component, { orgId: "org_none", plan: "team" })))).toBe(
      'This needs plan "team" for organization org_none: it has no current plan.',
    );
  });
});

describe("features come from the synced plans", () => {
  beforeEach(async () => {
    await send(t, itemEvent(clerkItem("csub_item_acme", ACME, "active", "team")));
  });

  test("a feature of plans never synced is PLANS_NOT_SYNCED, never a silent FORBIDDEN", async () => {
    const acme = await t.run((ctx) => getBilling(ctx, component, ACME));
    expect(acme).toMatchObject({ plansSynced: false, features: [] });
    expect(() => billingHas(acme, { feature: "exports" })).toThrow(/never synced/);
    expect(await t.run((ctx) => codeOf(requireBilling(ctx, component, { ...ACME, feature: "exports" })))).toBe("PLANS_NOT_SYNCED");
    // A plan is known from the item itself.
    expect(await t.run((ctx) => codeOf(requireBilling(ctx, component, { ...ACME, plan: "team" })))).toBe("ok");
  });

  test("once synced, a plan's features are the payer's, scoped like plans", async () => {
    await syncPlans(t, { team: ["exports", "sso"], pro: ["exports"], enterprise: ["audit"] });
    const acme = await t.run((ctx) => getBilling(ctx, component, ACME));
    expect(acme).toMatchObject({ plansSynced: true, features: ["exports", "sso"] });
    expect(await t.run((ctx) => codeOf(requireBilling(ctx, component, { ...ACME, feature: "o:exports" })))).toBe("ok");
    expect(await t.run((ctx) => codeOf(requireBilling(ctx, component, { ...ACME, feature: "u:exports" })))).toBe("FORBIDDEN");
    expect(await t.run((ctx) => messageOf(requireBilling(ctx, component, { ...ACME, plan: "team", feature: "audit" })))).toBe(
      'This needs plan "team" and feature "audit" for organization org_acme: it is on team.',
    );
    const plans = await t.query(component.billing.plans, {});
    expect(plans.map((plan) => plan.slug)).toEqual(["enterprise", "pro", "team"]);
  });
});

describe("a deleted payer's billing is gone from the moment the delete lands", () => {
  // One removal per transaction: the delete's own transaction leaves the payer's other rows to
  // scheduled ones (never run here), so only the tombstone hides them.
  const oneRemovalAtATime = <T>(body: () => Promise<T>) => withLimits({ cascadeBatch: 1 }, body);

  test("a deleted user", async () => {
    await send(
      t,
      userEvent("user.created", clerkUser("user_ada")),
      itemEvent(clerkItem("csub_item_1", ADA, "active", "free", { periodEnd: null })),
      itemEvent(clerkItem("csub_item_2", ADA, "active", "pro")),
      itemEvent(clerkItem("csub_item_3", ADA, "upcoming", "team")),
      paymentEvent(clerkPaymentAttempt("cpa_1", ADA, "paid")),
    );
    await oneRemovalAtATime(() => send(t, deletedEvent("user_ada")));
    expect(await t.run((ctx) => getBilling(ctx, component, ADA))).toBeNull();
    expect(await as(t, ADA_ALONE).run((ctx) => getBilling(ctx, component))).toBeNull();
    expect(await t.run((ctx) => codeOf(requireBilling(ctx, component, { ...ADA, plan: "pro" })))).toBe("FORBIDDEN");
    const page = { numItems: 10, cursor: null };
    expect((await t.query(component.billing.listItems, { paginationOpts: page })).page).toEqual([]);
    expect((await t.query(component.billing.payments, { ...ADA, paginationOpts: page })).page).toEqual([]);
  });

  test("a deleted organization", async () => {
    await send(
      t,
      membershipEvent("organizationMembership.created", clerkMembership("orgmem_1", "org_acme", "user_ada")),
      itemEvent(clerkItem("csub_item_1", ACME, "active", "free", { periodEnd: null })),
      itemEvent(clerkItem("csub_item_2", ACME, "active", "team")),
      itemEvent(clerkItem("csub_item_3", ADA, "active", "pro")),
    );
    await oneRemovalAtATime(() => send(t, organizationDeletedEvent("org_acme")));
    expect(await t.run((ctx) => getBilling(ctx, component, ACME))).toBeNull();
    // Ada's token may still name the deleted organization as active for a minute.
    expect(await as(t, ADA_IN_ACME_V2).run((ctx) => getBilling(ctx, component))).toBeNull();
    const items = await t.query(component.billing.listItems, { status: "active", paginationOpts: { numItems: 10, cursor: null } });
    expect(items.page.map((item) => item.clerkId)).toEqual(["csub_item_3"]);
    expect((await t.run((ctx) => getBilling(ctx, component, ADA)))?.plans).toEqual(["pro"]);
  });
});

describe("listItems: who is on a plan, paged by hand", () => {
  /** Every page of a list, `size` at a time. */
  async function allPages(args: { planSlug?: string; status?: string }, size: number) {
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const result: { page: { clerkId: string }[]; isDone: boolean; continueCursor: string } = await t.query(component.billing.listItems, {
        ...args,
        paginationOpts: { numItems: size, cursor },
      });
      pages.push(result.page.map((item) => item.clerkId));
      if (result.isDone) return pages;
      cursor = result.continueCursor;
    }
  }

  beforeEach(async () => {
    // Five on pro (three active, two canceled), two on team, one ended on pro.
    const rows: [string, string, string][] = [
      ["item_1", "active", "pro"],
      ["item_2", "canceled", "pro"],
      ["item_3", "active", "team"],
      ["item_4", "active", "pro"],
      ["item_5", "ended", "pro"],
      ["item_6", "canceled", "pro"],
      ["item_7", "active", "pro"],
      ["item_8", "past_due", "team"],
    ];
    for (const [id, status, plan] of rows) await send(t, itemEvent(clerkItem(id, { userId: `user_${id}` }, status, plan)));
  });

  test("by plan and status, across pages", async () => {
    expect(await allPages({ planSlug: "pro", status: "active" }, 2)).toEqual([["item_1", "item_4"], ["item_7"]]);
    expect(await allPages({ planSlug: "pro", status: "canceled" }, 1)).toEqual([["item_2"], ["item_6"]]);
  });

  test("by plan alone: every status, a page crossing from one status to the next", async () => {
    expect((await allPages({ planSlug: "pro" }, 2)).flat()).toEqual(["item_1", "item_4", "item_7", "item_2", "item_6", "item_5"]);
    expect(await allPages({ planSlug: "pro" }, 4)).toEqual([
      ["item_1", "item_4", "item_7", "item_2"],
      ["item_6", "item_5"],
    ]);
  });

  test("by status alone, and everything", async () => {
    expect(await allPages({ status: "active" }, 3)).toEqual([["item_1", "item_3", "item_4"], ["item_7"]]);
    expect((await allPages({}, 3)).flat().sort()).toEqual(["item_1", "item_2", "item_3", "item_4", "item_5", "item_6", "item_7", "item_8"]);
  });
});

describe("payments: a payer's attempts, newest first", () => {
  test("in the order they were first stored, an attempt keeping its place when it is paid, paged by hand", async () => {
    for (const n of [1, 2, 3, 4, 5]) await send(t, paymentEvent(clerkPaymentAttempt(`cpa_${n}`, ADA, "pending", { created: T0 + n })));
    await send(t, paymentEvent(clerkPaymentAttempt("cpa_other", ACME, "pending", { created: T0 + 6 })));
    // Attempt 2 is paid last: it stays where it was.
    await send(t, paymentEvent(clerkPaymentAttempt("cpa_2", ADA, "paid", { created: T0 + 2, updated: T0 + 100 })));
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const result: { page: { clerkId: string; status: string }[]; isDone: boolean; continueCursor: string } = await t.query(component.billing.payments, {
        ...ADA,
        paginationOpts: { numItems: 2, cursor },
      });
      pages.push(result.page.map((attempt) => `${attempt.clerkId}:${attempt.status}`));
      if (result.isDone) break;
      cursor = result.continueCursor;
    }
    expect(pages).toEqual([["cpa_5:pending", "cpa_4:pending"], ["cpa_3:pending", "cpa_2:paid"], ["cpa_1:pending"]]);
    const acme = await t.query(component.billing.payments, { ...ACME, paginationOpts: { numItems: 10, cursor: null } });
    expect(acme.page).toMatchObject([{ clerkId: "cpa_other", orgId: "org_acme", amount: 2200, currency: "USD" }]);
  });

  test("a query names exactly one payer", async () => {
    const page = { numItems: 1, cursor: null };
    await expect(t.query(component.billing.payments, { paginationOpts: page })).rejects.toThrow(/exactly one payer/);
    await expect(t.query(component.billing.getByPayer, { userId: "user_ada", orgId: "org_acme" })).rejects.toThrow(/exactly one payer/);
  });
});

describe("getByPayer's cost", () => {
  test("reads the payer's current and upcoming items and their plans, and nothing else", async () => {
    const { t: bench, inComponent } = componentTest();
    const post = async (event: object) => {
      const delivery = sign(event);
      expect((await bench.fetch(WEBHOOK_PATH, { method: "POST", headers: delivery.headers, body: delivery.body })).status).toBe(200);
    };
    // Ada: two ended items, an abandoned one, an incomplete one, the active pro and an upcoming team; Bob: another pro.
    const history: [string, string, string][] = [
      ["item_1", "ended", "starter"],
      ["item_2", "ended", "starter"],
      ["item_3", "abandoned", "pro"],
      ["item_4", "incomplete", "pro"],
      ["item_5", "active", "pro"],
      ["item_6", "upcoming", "team"],
    ];
    for (const [id, status, plan] of history) await post(itemEvent(clerkItem(id, ADA, status, plan)));
    await post(itemEvent(clerkItem("item_bob", { userId: "user_bob" }, "active", "pro")));
    await inComponent(async (ctx) => {
      for (const slug of ["starter", "pro", "team", "enterprise"])
        await ctx.db.insert("billingPlans", { clerkId: `cplan_${slug}`, slug, name: slug, isDefault: false, isRecurring: true, features: [slug] });
    });
    const { result, counts } = await measure(() => bench.query(component.billing.getByPayer, ADA));
    expect(result).toMatchObject({ plans: ["pro"], features: ["pro"], upcoming: [{ clerkId: "item_6" }] });
    // The upcoming item's plan is not read: only current plans give features.
    expect(counts.byTable).toEqual({ subscriptionItems: { read: 2, written: 0 }, billingPlans: { read: 1, written: 0 } });
  });
});
