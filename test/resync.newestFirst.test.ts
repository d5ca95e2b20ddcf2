import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { convexTest } from "convex-test";
import { makeFunctionReference } from "convex/server";
import clerkUsersTest from "convex-clerk-users/test";
import { makeResyncAction, type ResyncStatus } from "convex-clerk-users";
import type { ListingOrder } from "../src/shared/kinds/define";
import { user as userKind } from "../src/shared/kinds/user";
import schema from "../example/convex/schema";
import { components } from "../example/convex/_generated/api";
import { appModules } from "./setup";
import { WEBHOOK_SECRET, clerkUser, sign, userEvent } from "./fixtures/clerk";
import { SECRET_KEY, clerkUsers, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";

/**
 * The newest-first listing strategy (`ListingOrder`), end to end through the real protocol
 * (start, list, judge, recheck, done) against the fake Backend API. No production kind is listed
 * newest first yet (Clerk Billing's will be), so this file lists users newest first: their
 * module's `api.order` is switched for the file and put back after. The fake API sorts
 * `GET /v1/users` by `-created_at` as Clerk does.
 */

const original = userKind.api!.order;
beforeAll(() => {
  (userKind.api as { order: ListingOrder }).order = { by: "newestFirst" };
});
afterAll(() => {
  (userKind.api as { order: ListingOrder }).order = original;
});

const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 };
const sync = makeResyncAction(components.clerkUsers, { pageSize: 10, retry: fastRetry, allowMassRemoval: true });
const syncRef = makeFunctionReference<"action", Record<string, never>, ResyncStatus>("newestFirst:sync");

let api: FakeClerkApi;
let t: ReturnType<typeof setup>;

function setup() {
  const backend = convexTest({ schema, modules: { ...appModules, "../example/convex/newestFirst.ts": async () => ({ sync }) }, transactionLimits: true });
  clerkUsersTest.register(backend);
  return backend;
}

beforeEach(async () => {
  api = await startFakeClerkApi({ users: clerkUsers(35) });
  process.env.CLERK_SECRET_KEY = SECRET_KEY;
  process.env.CLERK_API_URL = api.url;
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  t = setup();
});
afterEach(async () => {
  await api.close();
  delete process.env.CLERK_SECRET_KEY;
  delete process.env.CLERK_API_URL;
});

const componentIds = async () => {
  const ids: string[] = [];
  for (const listed of api.list()) if (await t.query(components.clerkUsers.users.getByClerkId, { clerkId: listed.id })) ids.push(listed.id);
  return ids.sort();
};
const has = (clerkId: string) => t.query(components.clerkUsers.users.getByClerkId, { clerkId });
const listedIds = () =>
  api
    .list()
    .map((u) => u.id)
    .sort();
const deliver = (event: object) => {
  const delivery = sign(event);
  return t.fetch("/clerk-users-webhook", { method: "POST", headers: delivery.headers, body: delivery.body });
};
const at = (index: number) => 1_700_000_000_000 + index * 1000;

describe("a kind listed newest first", () => {
  test("is read by -created_at in overlapping pages, then its head once more, and every object is stored once", async () => {
    const result = await t.action(syncRef, {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { seen: 35, created: 35, removed: 0 } } });
    expect(await componentIds()).toEqual(listedIds());
    // 35 objects in pages of 10 overlapping by one, then the head read again from offset 0.
    expect(api.log.map((r) => [r.offset, r.orderBy])).toEqual([
      [0, "-created_at"],
      [9, "-created_at"],
      [18, "-created_at"],
      [27, "-created_at"],
      [0, "-created_at"],
    ]);
  });

  test("objects created during the pass land at the head: later pages repeat, and the head's re-read stores them", async () => {
    const signUps: Record<number, string[]> = { 1: ["user_new_a", "user_new_b"], 2: ["user_new_c", "user_new_d"] };
    let clock = 100;
    api.beforeRequest = ({ index }) => {
      // Two sign-ups before each of the pass's second and third requests: Clerk creates them now.
      for (const id of signUps[index] ?? []) api.add(clerkUser(id, { created_at: at(clock), updated_at: at(clock++) }));
    };
    const result = await t.action(syncRef, {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { created: 39, seen: 39 } } });
    expect(await componentIds()).toEqual(listedIds());
    expect(listedIds()).toHaveLength(39);
  });

  test("a deletion before the cursor is a gap: the page is read again from further back, and nobody is skipped", async () => {
    api.beforeRequest = ({ index }) => {
      // Before the third page, a user on the first page is deleted: every later one moves down.
      if (index === 2) api.remove("user_000030");
    };
    const result = await t.action(syncRef, {});
    expect(result.state).toBe("completed");
    for (const id of listedIds()) expect(await has(id)).not.toBeNull();
    // A page no longer started with one already listed: it was read again from further back.
    const offsets = api.log.map((r) => r.offset ?? 0);
    expect(offsets.some((offset, i) => i > 0 && offset !== 0 && offset < offsets[i - 1]!)).toBe(true);
  });

  test("stored objects Clerk no longer has are found by the mirrored spans and removed, one tied with a page's last object too", async () => {
    await t.action(syncRef, {});
    // A row stored from a webhook Clerk never listed, created in the same millisecond as a page's last object.
    expect((await deliver(userEvent("user.created", clerkUser("user_ghost", { created_at: at(16), updated_at: at(16) })))).status).toBe(200);
    api.remove("user_000034", "user_000020", "user_000000");
    const result = await t.action(syncRef, {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { removed: 4 } } });
    for (const id of ["user_ghost", "user_000034", "user_000020", "user_000000"]) expect(await has(id)).toBeNull();
    expect(await componentIds()).toEqual(listedIds());
  });

  test("a page's span ends at its last object exclusive: a user tied with it, listed by the next page, is no candidate", async () => {
    // Tied with user_000016, sorted before it: the second page ends at it, the third starts with it and lists user_000016.
    api.add(clerkUser("user_000016b", { created_at: at(16), updated_at: at(16) }));
    await t.action(syncRef, {});
    const before = api.log.length;
    const result = await t.action(syncRef, {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { seen: 36, removed: 0 } } });
    // No stored user was asked about by id: every span held only what its page and the one before listed.
    expect(api.log.slice(before).filter((r) => r.userIds.length > 0)).toEqual([]);
    expect(api.log[before + 1]).toMatchObject({ offset: 9 });
  });
});
