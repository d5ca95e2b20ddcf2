import { beforeEach, describe, expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import { clerkUser, deletedEvent, sign, userEvent } from "./fixtures/clerk";
import { hookCalls, recording, setupRecording } from "./fixtures/recording";
import { captureLogs } from "./fixtures/logs";
import { deliver, post, setup, type TestBackend } from "./setup";

const logs = captureLogs();

const created = userEvent("user.created", clerkUser("user_1", { updated_at: 1_700_000_000_000 }));
const renamed = userEvent("user.updated", clerkUser("user_1", { first_name: "Grace", last_name: "Hopper", updated_at: 1_700_000_000_200 }));
/** Older than `renamed`: it arrives late. */
const stale = userEvent("user.updated", clerkUser("user_1", { first_name: "Stale", updated_at: 1_700_000_000_100 }));
const deleted = deletedEvent("user_1");

async function outcomeOf(res: Response) {
  expect(res.status).toBe(200);
  return ((await res.json()) as { outcome: string }).outcome;
}

const getUser = (t: TestBackend, clerkId = "user_1") => t.query(components.clerkUsers.users.getByClerkId, { clerkId });
const listUsers = async (t: TestBackend) => (await t.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 100, cursor: null } })).page;
const profiles = (t: TestBackend) => t.run((ctx) => ctx.db.query("profiles").collect());

describe("the example app's hooks keep its profiles in step", () => {
  let t: TestBackend;
  beforeEach(() => {
    t = setup();
  });

  test("user.created fires onUserCreated once, and its profile is written by the time the webhook answers", async () => {
    expect(await outcomeOf(await deliver(t, created))).toBe("created");
    expect(await profiles(t)).toMatchObject([{ clerkId: "user_1", displayName: "Ada Lovelace", versions: 1 }]);
    // Written in the sync's own transaction, not scheduled for later.
    expect(await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect())).toEqual([]);
  });

  test("a newer user.updated fires onUserUpdated once", async () => {
    await deliver(t, created);
    expect(await outcomeOf(await deliver(t, renamed))).toBe("updated");
    expect(await profiles(t)).toMatchObject([{ clerkId: "user_1", displayName: "Grace Hopper", versions: 2 }]);
  });

  test("a repeated delivery fires no hook", async () => {
    // Svix retries the same message: same svix-id, same body.
    const create = sign(created, { id: "msg_created" });
    expect(await outcomeOf(await post(t, create))).toBe("created");
    expect(await outcomeOf(await post(t, create))).toBe("duplicate");
    const update = sign(renamed, { id: "msg_renamed" });
    expect(await outcomeOf(await post(t, update))).toBe("updated");
    expect(await outcomeOf(await post(t, update))).toBe("duplicate");
    expect(await profiles(t)).toMatchObject([{ clerkId: "user_1", displayName: "Grace Hopper", versions: 2 }]);
  });

  test("a stale delivery fires no hook", async () => {
    await deliver(t, created);
    await deliver(t, renamed);
    expect(await outcomeOf(await deliver(t, stale))).toBe("stale");
    expect(await outcomeOf(await deliver(t, created))).toBe("stale");
    expect(await profiles(t)).toMatchObject([{ clerkId: "user_1", displayName: "Grace Hopper", versions: 2 }]);
  });

  test("user.deleted removes the profile; a late create or update brings back neither user nor profile", async () => {
    await deliver(t, created);
    expect(await outcomeOf(await deliver(t, deleted))).toBe("deleted");
    expect(await profiles(t)).toEqual([]);
    expect(await outcomeOf(await deliver(t, renamed))).toBe("tombstoned");
    expect(await outcomeOf(await deliver(t, created))).toBe("tombstoned");
    expect(await outcomeOf(await deliver(t, deleted))).toBe("duplicate");
    expect(await profiles(t)).toEqual([]);
    expect(await getUser(t)).toBeNull();
  });
});

// The recording app (fixtures/recording.ts): its hooks record what they receive and can be made
// to fail, which the example app's cannot.
const calls = hookCalls;

describe("hooks receive the change", () => {
  let t: TestBackend;
  beforeEach(() => {
    t = setupRecording();
  });

  test("onUserCreated receives { user, source }: the stored row, and that a webhook brought it", async () => {
    await deliver(t, created);
    expect(calls).toEqual([{ hook: "onUserCreated", args: { user: await getUser(t), source: "webhook" } }]);
  });

  test("onUserUpdated receives { user, previous }: the new row and the version it replaced", async () => {
    await deliver(t, created);
    const previous = await getUser(t);
    await deliver(t, renamed);
    const user = await getUser(t);
    expect(calls.slice(1)).toEqual([{ hook: "onUserUpdated", args: { user, previous, source: "webhook" } }]);
    expect(previous).toMatchObject({ firstName: "Ada", updatedAt: 1_700_000_000_000 });
    expect(user).toMatchObject({ _id: previous!._id, firstName: "Grace", updatedAt: 1_700_000_000_200 });
  });

  test("onUserDeleted receives { clerkId, user }, the removed row", async () => {
    await deliver(t, created);
    await deliver(t, renamed);
    const user = await getUser(t);
    await deliver(t, deleted);
    expect(calls.at(-1)).toEqual({ hook: "onUserDeleted", args: { clerkId: "user_1", user, source: "webhook" } });
  });

  test("onUserDeleted receives user: null for a user that was never synced", async () => {
    expect(await outcomeOf(await deliver(t, deletedEvent("user_never_seen")))).toBe("deleted");
    expect(calls).toEqual([{ hook: "onUserDeleted", args: { clerkId: "user_never_seen", user: null, source: "webhook" } }]);
  });

  test("no hook sees a repeat, a stale version or a change to a deleted user", async () => {
    for (const event of [created, created, renamed, stale, renamed, created, deleted, deleted, renamed, created]) await deliver(t, event);
    expect(calls.map(({ hook }) => hook)).toEqual(["onUserCreated", "onUserUpdated", "onUserDeleted"]);
  });
});

describe("a hook that throws rolls back the sync, so Clerk's retry applies it", () => {
  let t: TestBackend;
  beforeEach(() => {
    t = setupRecording();
  });

  /**
   * Delivers while `hook` writes and then throws: the delivery must answer 500 (so Svix retries),
   * and nothing the sync or the hook wrote may remain.
   */
  async function expectRolledBack(hook: string, event: object) {
    const usersBefore = await listUsers(t);
    const profilesBefore = await profiles(t);
    recording.failing = hook;
    const delivery = sign(event, { id: "msg_retried" });
    const res = await post(t, delivery);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain(`${hook} failed`);
    // The answer does not say why; the deployment's log does.
    expect(logs.take(/^convex-clerk-users webhook: applying the event failed, Clerk will retry/)).toEqual([expect.stringContaining(`${hook} failed`)]);
    expect(calls.at(-1)?.hook).toBe(hook);
    expect(await listUsers(t)).toEqual(usersBefore);
    expect(await profiles(t)).toEqual(profilesBefore);
    recording.failing = null;
    return delivery;
  }

  test("onUserCreated throws: no row; the retry creates it", async () => {
    const delivery = await expectRolledBack("onUserCreated", created);
    expect(await getUser(t)).toBeNull();
    expect(await outcomeOf(await post(t, delivery))).toBe("created");
    expect(calls.map(({ hook }) => hook)).toEqual(["onUserCreated", "onUserCreated"]);
  });

  test("onUserUpdated throws: the row keeps the old version; the retry updates it", async () => {
    await deliver(t, created);
    const delivery = await expectRolledBack("onUserUpdated", renamed);
    expect(await getUser(t)).toMatchObject({ firstName: "Ada", updatedAt: 1_700_000_000_000 });
    expect(await outcomeOf(await post(t, delivery))).toBe("updated");
    expect(await getUser(t)).toMatchObject({ firstName: "Grace", updatedAt: 1_700_000_000_200 });
  });

  test("onUserDeleted throws: the row stays and no tombstone is left; the retry deletes it", async () => {
    await deliver(t, created);
    const delivery = await expectRolledBack("onUserDeleted", deleted);
    expect(await getUser(t)).toMatchObject({ clerkId: "user_1" });
    // Not tombstoned: a newer version still applies.
    expect(await outcomeOf(await deliver(t, renamed))).toBe("updated");
    expect(await outcomeOf(await post(t, delivery))).toBe("deleted");
    expect(await getUser(t)).toBeNull();
  });
});
