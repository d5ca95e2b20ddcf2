import { afterEach, describe, expect, test } from "vitest";
import type { PlanFields } from "../src/shared/billing";
import { ClerkApi, ClerkApiError } from "../src/client/resync/clerkApi";
import { PLAN_READINGS, continues, listPlans, plansHandback } from "../src/client/resync/plans";
import { instructionFor, type RunView } from "../src/component/resync/lifecycle";
import { planChanges, plansDue } from "../src/component/resync/plans";
import { clerkPlan } from "./fixtures/billing";
import { SECRET_KEY, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";

/**
 * Clerk Billing's plans in a resync, piece by piece: when a run syncs them (`plansDue`, the
 * `plans` instruction), how the action reads the whole list (`listPlans`: pages overlapping by
 * one, read again when the list shifted), and what the component writes (`planChanges`).
 * End to end: test/resync.billing.test.ts.
 */

const plan = (slug: string, overrides: Partial<PlanFields> = {}): PlanFields => ({
  clerkId: `cplan_${slug}`,
  slug,
  name: slug,
  isDefault: false,
  isRecurring: true,
  features: ["a"],
  ...overrides,
});
const stored = (slug: string, overrides: Partial<PlanFields> = {}) => ({ _id: `id_${slug}`, _creationTime: 1, ...plan(slug, overrides) });

describe("planChanges: the writes that make the stored plans Clerk's complete listing", () => {
  test.each([
    {
      what: "nothing stored: every plan inserted",
      stored: [],
      listed: [plan("free"), plan("pro")],
      expected: { insert: ["free", "pro"], replace: [], remove: [], unchanged: 0 },
    },
    {
      what: "the same plans: no write",
      stored: [stored("free"), stored("pro")],
      listed: [plan("pro"), plan("free")],
      expected: { insert: [], replace: [], remove: [], unchanged: 2 },
    },
    {
      what: "a feature added: replaced",
      stored: [stored("pro")],
      listed: [plan("pro", { features: ["a", "b"] })],
      expected: { insert: [], replace: ["id_pro"], remove: [], unchanged: 0 },
    },
    {
      what: "a fee removed: replaced",
      stored: [stored("pro", { fee: 100 })],
      listed: [plan("pro")],
      expected: { insert: [], replace: ["id_pro"], remove: [], unchanged: 0 },
    },
    {
      what: "a plan Clerk no longer lists: removed",
      stored: [stored("free"), stored("old")],
      listed: [plan("free")],
      expected: { insert: [], replace: [], remove: ["id_old"], unchanged: 1 },
    },
    {
      what: "an empty listing removes every plan",
      stored: [stored("free")],
      listed: [],
      expected: { insert: [], replace: [], remove: ["id_free"], unchanged: 0 },
    },
  ])("$what", ({ stored: rows, listed, expected }) => {
    const changes = planChanges(
      rows,
      listed.map((p) => p.clerkId),
      listed,
    );
    expect({
      insert: changes.insert.map((p) => p.slug),
      replace: changes.replace.map((r) => r.id),
      remove: changes.remove,
      unchanged: changes.unchanged,
    }).toEqual(expected);
  });

  test("a listed plan that cannot be stored keeps its stored row: Clerk still has it", () => {
    expect(planChanges([stored("pro")], ["cplan_pro"], []).remove).toEqual([]);
  });

  test("a plan listed twice is refused", () => {
    expect(() => planChanges([], ["cplan_pro"], [plan("pro"), plan("pro")])).toThrow(/twice/);
  });
});

describe("when a run syncs the plans", () => {
  const counts = { user: { seen: 0, created: 0, updated: 0, unchanged: 0, tombstoned: 0, invalid: 0, invalidIds: [], removed: 0 } };
  const run = (overrides: Partial<RunView & { counts: typeof counts & { plan?: unknown } }> = {}) => ({
    state: "running" as const,
    phase: "listing" as const,
    kind: "subscriptionItem" as const,
    kinds: ["user" as const, "subscriptionItem" as const],
    lease: "l",
    heartbeatAt: 0,
    steps: 1,
    cursor: { offset: 0 },
    span: undefined,
    counts,
    ...overrides,
  });
  test.each([
    { what: "at its first billing kind's listing, plans not synced", run: run(), due: true },
    { what: "plans synced already (a resumed run)", run: run({ counts: { ...counts, plan: counts.user } }), due: false },
    { what: "listing users", run: run({ kind: "user" }), due: false },
    { what: "listing organizations", run: run({ kind: "organization" }), due: false },
    { what: "reconciling", run: run({ phase: "reconciling" }), due: false },
    { what: "a span left to judge", run: run({ span: {} }), due: false },
    { what: "failed", run: run({ state: "failed" }), due: false },
  ])("$what: due $due", ({ run: view, due }) => {
    expect(plansDue(view as Parameters<typeof plansDue>[0])).toBe(due);
  });

  test("the instruction: every plan, in pages of the run's page size", () => {
    expect(instructionFor(run(), { pageSize: 50, plans: true })).toEqual({ op: "plans", limit: 50 });
    // A span is judged first.
    expect(instructionFor(run({ span: {} }), { pageSize: 50, plans: true })).toEqual({ op: "judge" });
  });
});

describe("the action's reading of the plans", () => {
  let api: FakeClerkApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  const plans = (n: number) => Array.from({ length: n }, (_, i) => clerkPlan(`p${String(i).padStart(2, "0")}`, { fee: 100 + i, features: [`f${i}`] }));
  const client = async (n: number) => {
    api = await startFakeClerkApi({ plans: plans(n) });
    return new ClerkApi({ apiUrl: api.url, secretKey: SECRET_KEY, rateLimit: null, retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 } });
  };
  const slugs = (listed: unknown) => (listed as { slug: string }[]).map((p) => p.slug);

  test.each([
    { plans: 3, limit: 10, requests: [0] },
    { plans: 10, limit: 10, requests: [0, 9] },
    { plans: 23, limit: 10, requests: [0, 9, 18] },
  ])("$plans plans in pages of $limit: offsets $requests, each plan once, newest first", async ({ plans: n, limit, requests }) => {
    const clerk = await client(n);
    const listed = await listPlans(clerk, limit);
    expect(slugs(listed)).toEqual(
      plans(n)
        .map((p) => p.slug)
        .reverse(),
    );
    expect(api!.log.map((r) => r.offset)).toEqual(requests);
  });

  test("a plan deleted between two pages shifts the list: it is read again from the start", async () => {
    const clerk = await client(15);
    let deleted = false;
    api!.beforeRequest = ({ offset }) => {
      if (offset === 9 && !deleted) {
        deleted = true;
        api!.plans = api!.plans.filter((p) => p.slug !== "p10");
      }
    };
    const listed = await listPlans(clerk, 10);
    expect(slugs(listed)).toEqual(api!.plans.map((p) => p.slug).reverse());
    expect(slugs(listed)).not.toContain("p10");
    expect(api!.log.map((r) => r.offset)).toEqual([0, 9, 0, 9]);
  });

  test(`a list that shifts at every reading fails with BAD_RESPONSE after ${PLAN_READINGS}`, async () => {
    const clerk = await client(15);
    let n = 100;
    api!.beforeRequest = ({ offset }) => {
      if (offset === 9) api!.plans.push(clerkPlan(`new${n++}`));
    };
    const error = await listPlans(clerk, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClerkApiError);
    expect((error as ClerkApiError).code).toBe("BAD_RESPONSE");
    expect(api!.log).toHaveLength(2 * PLAN_READINGS);
  });

  test("continues: the page starts with the last plan read", () => {
    expect(continues([{ id: "a" }, { id: "b" }], [{ id: "b" }, { id: "c" }])).toBe(true);
    expect(continues([{ id: "a" }, { id: "b" }], [{ id: "c" }])).toBe(false);
    expect(continues([{ id: "a" }, { id: "b" }], [])).toBe(false);
  });

  test("the handback: every id, the storable plans once, the ids of the others", () => {
    const pro = clerkPlan("pro", { fee: 1000, features: ["export"] });
    expect(plansHandback([pro, { id: "cplan_bad", slug: "" }, pro])).toEqual({
      op: "plans",
      listed: ["cplan_pro", "cplan_bad"],
      plans: [
        {
          clerkId: "cplan_pro",
          slug: "pro",
          name: "Pro",
          payerType: "user",
          isDefault: false,
          isRecurring: true,
          features: ["export"],
          fee: 1000,
          currency: "USD",
        },
      ],
      invalid: ["cplan_bad"],
    });
  });
});
