import { makeFunctionReference } from "convex/server";
import { makeResyncAction, type ResyncStatus } from "convex-clerk-users";
import { convexTest } from "convex-test";
import clerkUsersTest from "convex-clerk-users/test";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { api, components } from "../example/convex/_generated/api";
import schema from "../example/convex/schema";
import { clerkUser, sign, userEvent } from "./fixtures/clerk";
import { SECRET_KEY, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";
import { hookCalls, recordingHooks, recordingHooksRef, setupRecording } from "./fixtures/recording";
import { captureLogs } from "./fixtures/logs";
import { appModules, deliver, post, type TestBackend } from "./setup";

const logs = captureLogs();
const NOT_A_USER = /^convex-clerk-users webhook: 400 user.created payload is not a Clerk user/;

// Deliveries a hostile network or an unlucky Clerk instance can produce, each through the
// endpoint with real svix signatures, and what the tables and hooks must do with them.

const T0 = 1_700_000_000_000;
let t: TestBackend;
beforeEach(() => {
  t = setupRecording();
});

const getUser = (clerkId = "user_1") => t.query(components.clerkUsers.users.getByClerkId, { clerkId });
const hooks = () => hookCalls.map(({ hook }) => hook);

describe("ids and timestamps that would break the table are refused with a 400", () => {
  test("an empty id", async () => {
    expect((await deliver(t, userEvent("user.created", clerkUser("")))).status).toBe(400);
    expect(logs.take(NOT_A_USER)).toHaveLength(1);
    expect((await t.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 10, cursor: null } })).page).toEqual([]);
  });

  test("an updated_at of 1e999 (Infinity once parsed)", async () => {
    const body = JSON.stringify(userEvent("user.created", clerkUser("user_1"))).replace(`"updated_at":${T0}`, '"updated_at":1e999');
    expect((await post(t, sign(body))).status).toBe(400);
    expect(logs.take(NOT_A_USER)).toHaveLength(1);
    expect(await getUser()).toBeNull();
  });

  test("an updated_at more than an hour after the delivery's svix timestamp", async () => {
    expect((await deliver(t, userEvent("user.created", clerkUser("user_1", { updated_at: Date.now() + 2 * 60 * 60_000 })))).status).toBe(400);
    expect(
      logs.take(/^convex-clerk-users webhook: 400 user.created payload's updated_at \(\d+\) is more than an hour after the delivery was signed/),
    ).toHaveLength(1);
    expect(await getUser()).toBeNull();
    // A later real version is then applied as usual.
    expect((await deliver(t, userEvent("user.created", clerkUser("user_1")))).status).toBe(200);
    expect(await getUser()).toMatchObject({ updatedAt: T0 });
  });
});

describe("users.list pages correctly whatever the ids", () => {
  test("one user a page walks every user once and stops", async () => {
    for (const id of ["user_b", "user_a", "user_ü", "user_a0"]) await deliver(t, userEvent("user.created", clerkUser(id)));
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: { page: { clerkId: string }[]; isDone: boolean; continueCursor: string } = await t.query(components.clerkUsers.users.list, {
        paginationOpts: { numItems: 1, cursor },
      });
      seen.push(...result.page.map((u) => u.clerkId));
      if (result.isDone) break;
      cursor = result.continueCursor;
    }
    expect(seen.sort()).toEqual(["user_a", "user_a0", "user_b", "user_ü"]);
  });

  test("a cursor the list never returned is a clear error, not a silent restart", async () => {
    await expect(t.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 1, cursor: "not json" } })).rejects.toThrow(
      /Not a cursor this list returned/,
    );
  });
});

describe("provisional rows cannot be confused with Clerk's versions", () => {
  test("Clerk's updated_at 0 is a real version: the next one is an update, not a second creation", async () => {
    expect((await deliver(t, userEvent("user.created", clerkUser("user_1", { updated_at: 0 })))).status).toBe(200);
    expect(await getUser()).not.toHaveProperty("provisional");
    await deliver(t, userEvent("user.updated", clerkUser("user_1", { first_name: "Grace", updated_at: T0 })));
    expect(hooks()).toEqual(["onUserCreated", "onUserUpdated"]);
  });

  test("a provisional row is marked, and Clerk's first version, whatever its time, replaces it as the creation", async () => {
    const ada = t.withIdentity({ subject: "user_1", name: "Ada", email: "ada@example.com" });
    await ada.mutation(api.messages.post, { body: "hi" }); // userMutation: createIfMissing
    expect(await getUser()).toMatchObject({ provisional: true, name: "Ada" });
    await deliver(t, userEvent("user.created", clerkUser("user_1", { updated_at: 0 })));
    expect(await getUser()).not.toHaveProperty("provisional");
    expect(await getUser()).toMatchObject({ name: "Ada Lovelace" });
    expect(hooks()).toEqual(["onUserCreated"]);
  });
});

describe("two different versions with the same updated_at", () => {
  const alpha = userEvent("user.updated", clerkUser("user_1", { first_name: "Alpha", updated_at: T0 + 5 }));
  const beta = userEvent("user.updated", clerkUser("user_1", { first_name: "Beta", updated_at: T0 + 5 }));

  test("end the same whichever arrives first", async () => {
    const final: string[] = [];
    for (const order of [
      [alpha, beta],
      [beta, alpha],
    ]) {
      t = setupRecording();
      for (const event of order) expect((await deliver(t, event)).status).toBe(200);
      final.push((await getUser())!.firstName!);
    }
    expect(final[0]).toBe(final[1]);
    // The loser of the tie is not an update: one creation and at most one update fired.
    expect(hooks().filter((h) => h === "onUserCreated")).toHaveLength(1);
  });
});

describe("a resync repairs a row that differs from Clerk's at the same updated_at", () => {
  let clerk: FakeClerkApi;
  beforeEach(async () => {
    clerk = await startFakeClerkApi({ users: [clerkUser("user_1", { first_name: "Clerk", updated_at: T0 }), clerkUser("user_2", { updated_at: T0 })] });
    process.env.CLERK_SECRET_KEY = SECRET_KEY;
    process.env.CLERK_API_URL = clerk.url;
  });
  afterEach(async () => {
    await clerk.close();
    delete process.env.CLERK_SECRET_KEY;
    delete process.env.CLERK_API_URL;
  });

  test("the differing row is replaced with onUserUpdated; an unchanged one is not written", async () => {
    const sync = makeResyncAction(components.clerkUsers, { hooks: recordingHooksRef });
    const backend = convexTest(schema, {
      ...appModules,
      "../example/convex/repair.ts": async () => ({ sync }),
      "../example/convex/recordingHooks.ts": async () => recordingHooks,
    });
    clerkUsersTest.register(backend);
    // What a webhook stored: user_1 at Clerk's time but other content (an older package version's mapping, say); user_2 as Clerk has it.
    for (const event of [
      userEvent("user.created", clerkUser("user_1", { first_name: "Stale", updated_at: T0 })),
      userEvent("user.created", clerkUser("user_2", { updated_at: T0 })),
    ]) {
      const delivery = sign(event);
      await backend.fetch("/clerk-users-webhook", { method: "POST", headers: delivery.headers, body: delivery.body });
    }
    const user2 = await backend.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_2" });
    hookCalls.length = 0;
    const result = await backend.action(makeFunctionReference<"action", Record<string, never>, ResyncStatus>("repair:sync"), {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { updated: 1, unchanged: 1 } } });
    expect(await backend.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_1" })).toMatchObject({ firstName: "Clerk" });
    expect(hookCalls.map((c) => [c.hook, (c.args.user as { clerkId: string }).clerkId, c.args.source])).toEqual([["onUserUpdated", "user_1", "resync"]]);
    // The unchanged row is the same document, not rewritten.
    expect(await backend.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_2" })).toEqual(user2);
  });
});

describe("users.getByEmail while two users trade an address", () => {
  test("returns the user Clerk updated last, whichever delivery lands first", async () => {
    await deliver(t, userEvent("user.created", clerkUser("user_1", { email: "a@example.com", updated_at: T0 })));
    await deliver(t, userEvent("user.created", clerkUser("user_2", { email: "b@example.com", updated_at: T0 })));
    // The swap: user_1 takes b, then user_2 takes a. user_1's update lands; user_2's is still in flight.
    await deliver(t, userEvent("user.updated", clerkUser("user_1", { email: "b@example.com", updated_at: T0 + 10 })));
    expect(await t.query(components.clerkUsers.users.getByEmail, { email: "B@example.com" })).toMatchObject({ clerkId: "user_1" });
    await deliver(t, userEvent("user.updated", clerkUser("user_2", { email: "a@example.com", updated_at: T0 + 11 })));
    expect(await t.query(components.clerkUsers.users.getByEmail, { email: "a@example.com" })).toMatchObject({ clerkId: "user_2" });
    expect(await t.query(components.clerkUsers.users.getByEmail, { email: "b@example.com" })).toMatchObject({ clerkId: "user_1" });
  });
});

describe("a sign-in stamp is not a version of its own", () => {
  test("copies of one user version that differ only in last_sign_in_at are a duplicate: the stamp is written, no hook fires", async () => {
    await deliver(t, userEvent("user.created", clerkUser("user_1", { last_sign_in_at: T0 })));
    const stored = await getUser();
    expect(await (await deliver(t, userEvent("user.updated", clerkUser("user_1", { last_sign_in_at: T0 + 60_000 })))).json()).toEqual({ outcome: "duplicate" });
    expect(await getUser()).toEqual({ ...stored, lastSignInAt: T0 + 60_000 });
    expect(hooks()).toEqual(["onUserCreated"]);
  });

  test("a late copy with an older stamp never lowers it", async () => {
    await deliver(t, userEvent("user.created", clerkUser("user_1", { last_sign_in_at: T0 + 60_000 })));
    expect(await (await deliver(t, userEvent("user.updated", clerkUser("user_1", { last_sign_in_at: T0 })))).json()).toEqual({ outcome: "duplicate" });
    expect(await getUser()).toMatchObject({ lastSignInAt: T0 + 60_000 });
  });
});
