/**
 * Storage stays bounded with no cron in the app: old health hours, tombstones past their
 * retention, on convex-test's fake timers. The component schedules its own pruning runs.
 */
import { httpRouter, queryGeneric, type FunctionReference } from "convex/server";
import { convexTest } from "convex-test";
import { registerRoutes } from "convex-clerk-users";
import clerkUsersTest from "convex-clerk-users/test";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import schema from "../example/convex/schema";
import { components } from "../example/convex/_generated/api";
import { HOUR_MS, HOURS_KEPT_MS } from "../src/shared/health";
import { clerkUser, deletedEvent, sign, userEvent, WEBHOOK_SECRET } from "./fixtures/clerk";
import { appModules, post, type TestBackend } from "./setup";

const DAY_MS = 24 * HOUR_MS;
const T0 = Date.UTC(2025, 0, 6, 9, 0);

const dumpStorage = queryGeneric({
  args: {},
  handler: async (ctx) => ({
    hours: await ctx.db.query("webhookHealth").collect(),
    tombstones: await ctx.db.query("tombstones").collect(),
    pruneState: await ctx.db.query("pruneState").collect(),
    pending: (await ctx.db.system.query("_scheduled_functions").collect()).filter((job) => job.state.kind === "pending").length,
  }),
});
const dumpRef = (components.clerkUsers as unknown as { testPrune: { dump: FunctionReference<"query", "internal"> } }).testPrune.dump;
type Storage = {
  hours: { shard: number; hourStart: number }[];
  tombstones: { clerkId: string; deletedAt: number }[];
  pruneState: { runAt?: number; tombstoneRetentionMs: number }[];
  pending: number;
};
const storage = (t: TestBackend) => t.query(dumpRef, {}) as Promise<Storage>;

function backend() {
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  const t = convexTest(schema, appModules);
  t.registerComponent("clerkUsers", clerkUsersTest.schema, { ...clerkUsersTest.modules, "./component/testPrune.ts": async () => ({ dump: dumpStorage }) });
  return t;
}

const send = (t: TestBackend, event: object) => post(t, sign(event));
const user = (id: string, updatedAt: number) => userEvent("user.updated", clerkUser(id, { updated_at: updatedAt }));
const stored = async (t: TestBackend, clerkId: string) => t.query(components.clerkUsers.users.getByClerkId, { clerkId });

/** Lets `ms` pass on the fake clock, a step at a time, running what comes due on the way. */
async function pass(t: TestBackend, ms: number, step = HOUR_MS) {
  for (let left = ms; left > 0; left -= step) {
    vi.advanceTimersByTime(Math.min(step, left));
    await t.finishInProgressScheduledFunctions();
  }
}

let t: TestBackend;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
  t = backend();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("health hours", () => {
  test("hours older than 25 hours are pruned, each shard's newest kept; the counts and last times stay right", async () => {
    for (let hour = 0; hour < 30; hour++) {
      for (let i = 0; i < 5; i++) await send(t, user(`user_${i}`, T0 + hour * HOUR_MS + i));
      await pass(t, HOUR_MS);
    }
    const now = Date.now();
    const { hours } = await storage(t);
    const newest = new Map<number, number>();
    for (const w of hours) newest.set(w.shard, Math.max(newest.get(w.shard) ?? 0, w.hourStart));
    const tooOld = hours.filter((w) => w.hourStart < now - HOURS_KEPT_MS - HOUR_MS && w.hourStart !== newest.get(w.shard));
    console.log(`hours: 30 hours of deliveries -> ${hours.length} documents kept, ${tooOld.length} older than 26 h`);
    expect(tooOld).toEqual([]);
    expect(hours.length).toBeLessThanOrEqual(9 * 27);
    const health = await t.query(components.clerkUsers.health.status, {});
    // Now is the start of hour 30: the last day is hours 7 to 29 (hour 6 began exactly 24 h ago).
    expect(health.last24Hours.applied + health.last24Hours.stale + health.last24Hours.duplicate).toBe(23 * 5);
    expect(health.lastDeliveryAt).toBe(T0 + 29 * HOUR_MS);
  });

  test("after a long quiet spell only each shard's newest hour is left, and it still knows the last delivery", async () => {
    await send(t, user("user_1", T0));
    await pass(t, 2 * HOUR_MS);
    await send(t, user("user_1", T0 + 1));
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const { hours, pruneState } = await storage(t);
    const shards = new Set(hours.map((w) => w.shard));
    expect(hours.length).toBe(shards.size);
    expect(pruneState.every((s) => s.runAt === undefined)).toBe(true); // nothing left to prune: no run pending
    expect(await t.query(components.clerkUsers.health.status, {})).toMatchObject({ verdict: "ok", lastDeliveryAt: T0 + 2 * HOUR_MS });
  });
});

describe("the runs", () => {
  test("asked for by several deliveries, a run takes the pending one's place: one run is left pending", async () => {
    const change = (clerkId: string) => ({ kind: "user" as const, op: "delete" as const, clerkId });
    for (let i = 0; i < 3; i++) {
      await t.mutation(components.clerkUsers.sync.applyEvent, { changes: [change(`user_${i}`)], svixId: `msg_${i}`, wakePruning: true });
      await pass(t, 20 * 60_000, 20 * 60_000);
    }
    expect((await storage(t)).pending).toBe(3);
    await pass(t, 2 * HOUR_MS, 10 * 60_000);
    const { pending, pruneState } = await storage(t);
    expect(pending).toBe(1);
    expect(pruneState).toHaveLength(1);
    expect(await t.query(components.clerkUsers.health.status, {})).toMatchObject({ lastHour: { applied: 0 }, last24Hours: { applied: 3 } });
  });
});

describe("tombstones", () => {
  test("kept 90 days: a late event within them changes nothing; after them the tombstone is gone, and a replay could bring the user back", async () => {
    await send(t, user("user_1", T0));
    await send(t, deletedEvent("user_1"));
    await pass(t, 89 * DAY_MS, DAY_MS);
    expect((await storage(t)).tombstones.map((x) => x.clerkId)).toEqual(["user_1"]);
    expect(await (await send(t, user("user_1", T0 - 1))).json()).toEqual({ outcome: "tombstoned" });
    expect(await stored(t, "user_1")).toBeNull();

    await pass(t, 2 * DAY_MS, DAY_MS);
    expect((await storage(t)).tombstones).toEqual([]);
    // What the README warns about: a replay older than the retention is applied like a new user.
    expect(await (await send(t, user("user_1", T0 - 1))).json()).toEqual({ outcome: "created" });
  });

  test("finishAllScheduledFunctions ends: pruning sleeps at most 20 days at a time and stops when nothing is left", async () => {
    for (let i = 0; i < 3; i++) await send(t, deletedEvent(`user_${i}`));
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const { tombstones, pruneState } = await storage(t);
    expect(tombstones).toEqual([]);
    expect(Date.now()).toBeGreaterThan(T0 + 90 * DAY_MS);
    expect(pruneState[0]?.runAt).toBeUndefined();
  });

  test("the retention is configurable (here 5 days, through applyEvent as registerRoutes passes it), and never below 3 days", async () => {
    const change = (clerkId: string) => ({ kind: "user" as const, op: "delete" as const, clerkId });
    await t.mutation(components.clerkUsers.sync.applyEvent, {
      changes: [change("user_a")],
      svixId: "msg_a",
      tombstoneRetentionMs: 5 * DAY_MS,
      wakePruning: true,
    });
    await pass(t, 4 * DAY_MS, DAY_MS);
    expect((await storage(t)).tombstones.map((x) => x.clerkId)).toEqual(["user_a"]);
    await pass(t, 2 * DAY_MS, DAY_MS);
    expect((await storage(t)).tombstones).toEqual([]);

    await t.mutation(components.clerkUsers.sync.applyEvent, { changes: [change("user_b")], svixId: "msg_b", tombstoneRetentionMs: 1000, wakePruning: true });
    await pass(t, 2 * DAY_MS, HOUR_MS);
    expect((await storage(t)).tombstones.map((x) => x.clerkId)).toEqual(["user_b"]);
    await pass(t, 2 * DAY_MS, HOUR_MS);
    expect((await storage(t)).tombstones).toEqual([]);
  });

  test("a request refused before verification never changes the configured retention", async () => {
    const quiet = vi.spyOn(console, "warn").mockImplementation(() => {});
    const change = { kind: "user" as const, op: "delete" as const, clerkId: "user_a" };
    await t.mutation(components.clerkUsers.sync.applyEvent, { changes: [change], svixId: "msg_a", tombstoneRetentionMs: 180 * DAY_MS, wakePruning: true });
    await pass(t, 2 * HOUR_MS, HOUR_MS);
    expect((await storage(t)).pruneState[0]?.tombstoneRetentionMs).toBe(180 * DAY_MS);
    // Anyone's request, in an hour of its own: it opens the rejections' new hour.
    expect((await post(t, { body: "{}", headers: { "content-type": "application/json" } })).status).toBe(400);
    expect(quiet).toHaveBeenCalledWith(expect.stringMatching(/400 Missing headers/));
    expect((await storage(t)).pruneState[0]?.tombstoneRetentionMs).toBe(180 * DAY_MS);
    await pass(t, 100 * DAY_MS, DAY_MS);
    expect((await storage(t)).tombstones.map((x) => x.clerkId)).toEqual(["user_a"]);
  });

  test("registerRoutes refuses a retention shorter than Svix's retries", () => {
    expect(() => registerRoutes(httpRouter(), components.clerkUsers, { tombstoneRetentionDays: 1 })).toThrow(/at least 3/);
    expect(() => registerRoutes(httpRouter(), components.clerkUsers, { tombstoneRetentionDays: 30 })).not.toThrow();
  });
});
