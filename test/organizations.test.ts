import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { components } from "../example/convex/_generated/api";
import {
  clerkMembership,
  clerkOrganization,
  clerkUser,
  deletedEvent,
  membershipEvent,
  organizationDeletedEvent,
  organizationEvent,
  sign,
  userEvent,
} from "./fixtures/clerk";
import { LIMITS } from "../src/component/limits.js";
import { hookCalls, recording, setupRecording, type storedMembershipsRef } from "./fixtures/recording";
import { captureLogs } from "./fixtures/logs";
import { deliver, post, type TestBackend } from "./setup";

const logs = captureLogs();

const T0 = 1_700_000_000_000;
const org = (overrides = {}) => clerkOrganization("org_1", overrides);
const member = (id: string, userId: string, overrides: Parameters<typeof clerkMembership>[3] = {}) => clerkMembership(id, "org_1", userId, overrides);

async function outcome(res: Response) {
  expect(res.status).toBe(200);
  return ((await res.json()) as { outcome: string }).outcome;
}

let t: TestBackend;
beforeEach(() => {
  t = setupRecording();
});

const getOrg = (clerkId = "org_1") => t.query(components.clerkUsers.organizations.getByClerkId, { clerkId });
const getMember = (userId: string, orgId = "org_1") => t.query(components.clerkUsers.memberships.get, { orgId, userId });
const members = async (orgId = "org_1") =>
  (await t.query(components.clerkUsers.memberships.listByOrganization, { orgId, paginationOpts: { numItems: 1000, cursor: null } })).page;
const hooks = () => hookCalls.map(({ hook }) => hook);

/** Cascades of `n` rows a transaction in the enclosing tests: a batch's edge is reached with a few dozen rows, not a thousand. */
function cascadeBatchesOf(n: number) {
  let saved = LIMITS.cascadeBatch;
  beforeEach(() => {
    saved = LIMITS.cascadeBatch;
    LIMITS.cascadeBatch = n;
  });
  afterEach(() => {
    LIMITS.cascadeBatch = saved;
  });
}

describe("organizations follow Clerk's organization.* events", () => {
  test("organization.created stores the row Clerk describes, without private metadata, nulls absent", async () => {
    expect(await outcome(await deliver(t, organizationEvent("organization.created", org({ image_url: undefined, created_by: undefined }))))).toBe("created");
    const stored = await getOrg();
    expect(stored).toMatchObject({
      clerkId: "org_1",
      name: "Org org_1",
      slug: "slug-org_1",
      membersCount: 1,
      maxAllowedMemberships: 5,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(stored).not.toHaveProperty("imageUrl");
    expect(stored).not.toHaveProperty("createdBy");
    expect(JSON.stringify(stored)).not.toContain("acct_secret");
    expect(await t.query(components.clerkUsers.organizations.getBySlug, { slug: "slug-org_1" })).toEqual(stored);
    expect(hooks()).toEqual(["onOrganizationCreated"]);
  });

  test("a newer update wins, an older one arriving late is stale, a repeat writes nothing", async () => {
    await deliver(t, organizationEvent("organization.created", org()));
    expect(await outcome(await deliver(t, organizationEvent("organization.updated", org({ name: "Renamed", updated_at: T0 + 2 }))))).toBe("updated");
    expect(await outcome(await deliver(t, organizationEvent("organization.updated", org({ name: "Late", updated_at: T0 + 1 }))))).toBe("stale");
    expect(await outcome(await deliver(t, organizationEvent("organization.updated", org({ name: "Renamed", updated_at: T0 + 2 }))))).toBe("duplicate");
    expect(await getOrg()).toMatchObject({ name: "Renamed", updatedAt: T0 + 2 });
    expect(hooks()).toEqual(["onOrganizationCreated", "onOrganizationUpdated"]);
  });

  test("a deleted organization stays deleted: a late update does not bring it back", async () => {
    await deliver(t, organizationEvent("organization.created", org()));
    expect(await outcome(await deliver(t, organizationDeletedEvent("org_1")))).toBe("deleted");
    expect(await outcome(await deliver(t, organizationEvent("organization.updated", org({ updated_at: T0 + 5 }))))).toBe("tombstoned");
    expect(await getOrg()).toBeNull();
    expect(hooks()).toEqual(["onOrganizationCreated", "onOrganizationDeleted"]);
  });

  test("organizations.list pages in id order", async () => {
    for (const id of ["org_c", "org_a", "org_b"]) await deliver(t, organizationEvent("organization.created", clerkOrganization(id)));
    const first = await t.query(components.clerkUsers.organizations.list, { paginationOpts: { numItems: 2, cursor: null } });
    const second = await t.query(components.clerkUsers.organizations.list, { paginationOpts: { numItems: 2, cursor: first.continueCursor } });
    expect([...first.page, ...second.page].map((o) => o.clerkId)).toEqual(["org_a", "org_b", "org_c"]);
    expect([first.isDone, second.isDone]).toEqual([false, true]);
  });
});

describe("organizations.getBySlug while two organizations trade a slug", () => {
  test("returns the organization Clerk updated last, though the other's older row arrived first", async () => {
    const bySlug = (slug: string) => t.query(components.clerkUsers.organizations.getBySlug, { slug });
    await deliver(t, organizationEvent("organization.created", clerkOrganization("org_a", { slug: "acme", updated_at: T0 })));
    await deliver(t, organizationEvent("organization.created", clerkOrganization("org_b", { slug: "acme-labs", updated_at: T0 })));
    // org_a gives acme up (T0 + 5), then org_b takes it (T0 + 10): org_b's update lands first.
    await deliver(t, organizationEvent("organization.updated", clerkOrganization("org_b", { slug: "acme", updated_at: T0 + 10 })));
    expect(await bySlug("acme")).toMatchObject({ clerkId: "org_b" });
    await deliver(t, organizationEvent("organization.updated", clerkOrganization("org_a", { slug: "acme-old", updated_at: T0 + 5 })));
    expect(await bySlug("acme")).toMatchObject({ clerkId: "org_b" });
    expect(await bySlug("acme-old")).toMatchObject({ clerkId: "org_a" });
  });
});

describe("memberships follow Clerk's organizationMembership.* events", () => {
  test("a membership is stored with what a member list shows, without private metadata", async () => {
    expect(
      await outcome(
        await deliver(
          t,
          membershipEvent("organizationMembership.created", member("orgmem_1", "user_1", { role: "org:admin", permissions: ["org:projects:create"] })),
        ),
      ),
    ).toBe("created");
    const stored = await getMember("user_1");
    expect(stored).toMatchObject({
      clerkId: "orgmem_1",
      orgId: "org_1",
      userId: "user_1",
      role: "org:admin",
      permissions: ["org:projects:create"],
      identifier: "user_1@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      imageUrl: "https://img.clerk.com/user_1",
      createdAt: T0,
      updatedAt: T0,
    });
    expect(JSON.stringify(stored)).not.toContain("secret");
  });

  test("a membership that arrives before its organization's event brings the organization with it", async () => {
    await deliver(
      t,
      membershipEvent("organizationMembership.created", member("orgmem_1", "user_1", { organization: org({ name: "Embedded", updated_at: T0 + 10 }) })),
    );
    expect(await getOrg()).toMatchObject({ name: "Embedded", updatedAt: T0 + 10 });
    // The organization's own, older event arrives late: it does not overwrite the newer embedded version.
    expect(await outcome(await deliver(t, organizationEvent("organization.created", org({ name: "Original" }))))).toBe("stale");
    expect(await getOrg()).toMatchObject({ name: "Embedded" });
    expect(hooks()).toEqual(["onOrganizationCreated", "onMembershipCreated"]);
  });

  test("an embedded organization older than the stored one changes nothing of it", async () => {
    await deliver(t, organizationEvent("organization.created", org({ name: "Newest", updated_at: T0 + 10 })));
    await deliver(t, membershipEvent("organizationMembership.created", member("orgmem_1", "user_1", { organization: org({ name: "Old" }) })));
    expect(await getOrg()).toMatchObject({ name: "Newest" });
    expect(hooks()).toEqual(["onOrganizationCreated", "onMembershipCreated"]);
  });

  test("a role change delivered out of order ends at Clerk's latest role", async () => {
    const admin = member("orgmem_1", "user_1", { role: "org:admin", updated_at: T0 + 2 });
    const memberAgain = member("orgmem_1", "user_1", { role: "org:member", updated_at: T0 + 1 });
    await deliver(t, membershipEvent("organizationMembership.created", member("orgmem_1", "user_1")));
    expect(await outcome(await deliver(t, membershipEvent("organizationMembership.updated", admin)))).toBe("updated");
    expect(await outcome(await deliver(t, membershipEvent("organizationMembership.updated", memberAgain)))).toBe("stale");
    expect(await getMember("user_1")).toMatchObject({ role: "org:admin" });
  });

  test("a deleted membership stays deleted", async () => {
    await deliver(t, membershipEvent("organizationMembership.created", member("orgmem_1", "user_1")));
    expect(await outcome(await deliver(t, membershipEvent("organizationMembership.deleted", member("orgmem_1", "user_1"))))).toBe("deleted");
    expect(await outcome(await deliver(t, membershipEvent("organizationMembership.updated", member("orgmem_1", "user_1", { updated_at: T0 + 9 }))))).toBe(
      "tombstoned",
    );
    expect(await getMember("user_1")).toBeNull();
    expect(hooks()).toEqual(["onOrganizationCreated", "onMembershipCreated", "onMembershipDeleted"]);
  });

  test("a membership of a deleted organization, or of a deleted user, is dropped", async () => {
    await deliver(t, organizationDeletedEvent("org_1"));
    expect(await outcome(await deliver(t, membershipEvent("organizationMembership.created", member("orgmem_1", "user_1"))))).toBe("tombstoned");
    await deliver(t, deletedEvent("user_2"));
    expect(await outcome(await deliver(t, membershipEvent("organizationMembership.created", clerkMembership("orgmem_2", "org_2", "user_2"))))).toBe(
      "tombstoned",
    );
    expect(await getMember("user_1")).toBeNull();
    expect(await getMember("user_2", "org_2")).toBeNull();
    expect(await getOrg()).toBeNull();
  });

  test("leave and rejoin: one live membership in every order of the three deliveries, the rejoined one", async () => {
    const old = member("orgmem_old", "user_1", { created_at: T0, updated_at: T0 });
    const rejoined = member("orgmem_new", "user_1", { created_at: T0 + 100, updated_at: T0 + 100 });
    const events = [
      membershipEvent("organizationMembership.created", old),
      membershipEvent("organizationMembership.deleted", old),
      membershipEvent("organizationMembership.created", rejoined),
    ];
    for (const order of [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ]) {
      t = setupRecording();
      for (const i of order) expect((await deliver(t, events[i]!)).status).toBe(200);
      expect(await getMember("user_1"), `order ${order}`).toMatchObject({ clerkId: "orgmem_new" });
      expect(
        (await members()).map((m) => m.clerkId),
        `order ${order}`,
      ).toEqual(["orgmem_new"]);
      // Each membership's hooks: created at most once, and the old one ends deleted.
      const created = hookCalls.filter((c) => c.hook === "onMembershipCreated").map((c) => (c.args.membership as { clerkId: string }).clerkId);
      expect(new Set(created).size, `order ${order}`).toBe(created.length);
      expect(created).toContain("orgmem_new");
    }
  });

  test("while a leave and a rejoin cross, get returns the newer and never throws", async () => {
    await deliver(t, membershipEvent("organizationMembership.created", member("orgmem_old", "user_1", { created_at: T0 })));
    await deliver(t, membershipEvent("organizationMembership.created", member("orgmem_new", "user_1", { created_at: T0 + 100, role: "org:admin" })));
    expect(await getMember("user_1")).toMatchObject({ clerkId: "orgmem_new", role: "org:admin" });
  });
});

describe("deleting an organization or a user removes their memberships", () => {
  cascadeBatchesOf(20);

  test("organization.deleted removes its memberships, each with onMembershipDeleted", async () => {
    for (const userId of ["user_1", "user_2", "user_3"])
      await deliver(t, membershipEvent("organizationMembership.created", member(`orgmem_${userId}`, userId)));
    await deliver(t, membershipEvent("organizationMembership.created", clerkMembership("orgmem_other", "org_2", "user_1")));
    hookCalls.length = 0;
    await deliver(t, organizationDeletedEvent("org_1"));
    expect(await members()).toEqual([]);
    expect(await getMember("user_1", "org_2")).toMatchObject({ clerkId: "orgmem_other" });
    expect(hooks()).toEqual(["onOrganizationDeleted", "onMembershipDeleted", "onMembershipDeleted", "onMembershipDeleted"]);
    // A membership's own deletion arriving after the cascade fires nothing again.
    expect(await outcome(await deliver(t, membershipEvent("organizationMembership.deleted", member("orgmem_user_1", "user_1"))))).toBe("duplicate");
    expect(hooks()).toHaveLength(4);
  });

  test("user.deleted removes that user's memberships in every organization", async () => {
    await deliver(t, userEvent("user.created", clerkUser("user_1")));
    await deliver(t, membershipEvent("organizationMembership.created", member("orgmem_1", "user_1")));
    await deliver(t, membershipEvent("organizationMembership.created", clerkMembership("orgmem_2", "org_2", "user_1")));
    await deliver(t, membershipEvent("organizationMembership.created", member("orgmem_3", "user_2")));
    hookCalls.length = 0;
    await deliver(t, deletedEvent("user_1"));
    expect(await getMember("user_1")).toBeNull();
    expect(await getMember("user_1", "org_2")).toBeNull();
    expect((await members()).map((m) => m.userId)).toEqual(["user_2"]);
    expect(hooks()).toEqual(["onUserDeleted", "onMembershipDeleted", "onMembershipDeleted"]);
  });

  test("an organization larger than one transaction: its members are hidden at once, and removed in batches, each hook once", async () => {
    vi.useFakeTimers();
    try {
      const MEMBERS = LIMITS.cascadeBatch * 2 + 8;
      // Stored through the component's own mutation, 500 a call: webhook posts would only be slower.
      const memberships = Array.from({ length: MEMBERS }, (_, i) => {
        const userId = `user_${String(i).padStart(5, "0")}`;
        return {
          kind: "membership",
          op: "upsert",
          row: { clerkId: `orgmem_${i}`, orgId: "org_big", userId, role: "org:member", permissions: [] as string[], updatedAt: T0 },
        } as const;
      });
      for (let i = 0; i < MEMBERS; i += 500) await t.mutation(components.clerkUsers.sync.applyEvent, { changes: memberships.slice(i, i + 500) });
      hookCalls.length = 0;
      await deliver(t, organizationDeletedEvent("org_big"));
      // One transaction removed the first batch; the rest is scheduled, and already invisible.
      const left = await t.query(components.clerkUsers.memberships.get, { orgId: "org_big", userId: `user_${String(MEMBERS - 1).padStart(5, "0")}` });
      expect(left).toBeNull();
      expect(await members("org_big")).toEqual([]);
      expect(hooks().filter((h) => h === "onMembershipDeleted").length).toBe(LIMITS.cascadeBatch);
      await t.finishAllScheduledFunctions(vi.runAllTimers);
      const deleted = hookCalls.filter((c) => c.hook === "onMembershipDeleted").map((c) => c.args.clerkId);
      expect(deleted.length).toBe(MEMBERS);
      expect(new Set(deleted).size).toBe(MEMBERS);
      expect(hookCalls.every((c) => c.args.source === "webhook")).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  }, 60_000);
});

describe("a wrongly shaped organization or membership payload is a 400 that changes nothing", () => {
  const cases: [string, object][] = [
    ["an organization with no name", organizationEvent("organization.created", org({ name: undefined as never }))],
    ["an organization with an empty id", organizationEvent("organization.created", clerkOrganization(""))],
    [
      "an organization whose updated_at is 1e999",
      { raw: JSON.stringify(organizationEvent("organization.updated", org())).replace(`"updated_at":${T0}`, '"updated_at":1e999') },
    ],
    [
      "a membership without public_user_data",
      membershipEvent("organizationMembership.created", { ...member("orgmem_1", "user_1"), public_user_data: undefined as never }),
    ],
    [
      "a membership whose organization is not one",
      membershipEvent("organizationMembership.created", member("orgmem_1", "user_1", { organization: { id: "org_1" } as never })),
    ],
    ["a membership with an empty user id", membershipEvent("organizationMembership.created", member("orgmem_1", "", {}))],
    ["organization.deleted with no id", { ...organizationDeletedEvent("org_1"), data: { object: "organization", deleted: true } }],
  ];
  test.each(cases)("%s", async (_name, event) => {
    const body = "raw" in event ? (event as { raw: string }).raw : event;
    const res = await post(t, sign(body));
    expect(res.status).toBe(400);
    expect(logs.take(/^convex-clerk-users webhook: 400 organization(Membership)?\.\w+ payload/)).toHaveLength(1);
    expect(await getOrg()).toBeNull();
    expect(await t.query(components.clerkUsers.organizations.list, { paginationOpts: { numItems: 10, cursor: null } })).toMatchObject({ page: [] });
    expect(await getMember("user_1")).toBeNull();
  });

  test("an updated_at more than an hour after the delivery was signed is refused", async () => {
    expect((await deliver(t, organizationEvent("organization.created", org({ updated_at: Date.now() + 61 * 60_000 })))).status).toBe(400);
    expect(logs.take(/^convex-clerk-users webhook: 400 organization.created payload's updated_at \(\d+\) is more than an hour after/)).toHaveLength(1);
    expect(await getOrg()).toBeNull();
    // Within the hour (clocks drift): applied.
    expect(await outcome(await deliver(t, organizationEvent("organization.created", org({ updated_at: Date.now() + 59 * 60_000 }))))).toBe("created");
  });
});

describe("an organization's member count is not a version of its own", () => {
  test("copies of one version that differ only in members_count are the same version: no write, no hook, and the count never moves backwards", async () => {
    const final: number[] = [];
    for (const counts of [
      [3, 4],
      [4, 3],
    ]) {
      t = setupRecording();
      for (const members_count of counts) {
        expect(
          await outcome(
            await deliver(
              t,
              membershipEvent(
                "organizationMembership.created",
                member(`orgmem_${members_count}`, `user_${members_count}`, { organization: org({ members_count }) }),
              ),
            ),
          ),
        ).toBe("created");
      }
      final.push((await getOrg())!.membersCount!);
      // The organization was created once and never updated: a count moving is not a change Clerk versioned.
      expect(hooks().filter((h) => h.startsWith("onOrganization"))).toEqual(["onOrganizationCreated"]);
    }
    // The version's first copy stays: which later copy is newer, nothing in them says.
    expect(final).toEqual([3, 4]);
    // A newer version carries its own count.
    await deliver(t, organizationEvent("organization.updated", org({ members_count: 9, updated_at: T0 + 1 })));
    expect(await getOrg()).toMatchObject({ membersCount: 9 });
  });

  test("members joining write their organization's row once, not once per join", async () => {
    for (let i = 0; i < 20; i++) {
      await deliver(t, membershipEvent("organizationMembership.created", member(`orgmem_${i}`, `user_${i}`, { organization: org({ members_count: i + 1 }) })));
    }
    // Still the first copy's count: no join rewrote the row.
    expect(await getOrg()).toMatchObject({ membersCount: 1 });
    expect(await members()).toHaveLength(20);
  });
});

describe("a cascade that fails part way is finished, and never comes back", () => {
  cascadeBatchesOf(20);

  /** Membership rows still stored for an organization, hidden from every read or not. */
  const leftFor = (orgId: string) =>
    t.query((components.clerkUsers as unknown as { testOnly: { storedMemberships: typeof storedMembershipsRef } }).testOnly.storedMemberships, { orgId });
  const bigOrg = async (members: number) => {
    const memberships = Array.from({ length: members }, (_, i) => {
      const userId = `user_${String(i).padStart(5, "0")}`;
      return {
        kind: "membership",
        op: "upsert",
        row: { clerkId: `orgmem_${i}`, orgId: "org_1", userId, role: "org:member", permissions: [] as string[], updatedAt: T0 },
      } as const;
    });
    for (let i = 0; i < members; i += 500) await t.mutation(components.clerkUsers.sync.applyEvent, { changes: memberships.slice(i, i + 500) });
  };

  test("a continuation whose hook throws is tried again later; every membership goes, each hook once", async () => {
    vi.useFakeTimers();
    try {
      await bigOrg(LIMITS.cascadeBatch + 5);
      hookCalls.length = 0;
      await deliver(t, organizationDeletedEvent("org_1"));
      // The continuation's first try fails: its transaction rolls back, and it is scheduled again.
      recording.failing = "onMembershipDeleted";
      await t.finishInProgressScheduledFunctions();
      vi.advanceTimersByTime(0);
      await t.finishInProgressScheduledFunctions();
      recording.failing = null;
      await t.finishAllScheduledFunctions(vi.runAllTimers);
      expect(logs.take(/removing what belonged to organization org_1 failed/)).toEqual([
        expect.stringMatching(/failed \(attempt 1\); trying again in 1 s\. Error: onMembershipDeleted failed/),
      ]);
      expect(await members()).toEqual([]);
      expect(await getMember("user_00504")).toBeNull();
      const removed = new Set(hookCalls.filter((c) => c.hook === "onMembershipDeleted").map((c) => c.args.clerkId));
      expect(removed.size).toBe(LIMITS.cascadeBatch + 5);
    } finally {
      vi.useRealTimers();
    }
  }, 60_000);

  test("finishAllScheduledFunctions ends while a cascade's hook keeps throwing; the rows stay hidden, and a redelivery finishes them", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers();
    try {
      await bigOrg(LIMITS.cascadeBatch + 5);
      await post(t, sign(organizationDeletedEvent("org_1"), { id: "msg_org_deleted" }));
      // The app's hook is broken for good: what an app's own test suite may well do.
      recording.failing = "onMembershipDeleted";
      await t.finishAllScheduledFunctions(vi.runAllTimers);
      const failures = logged.mock.calls.map(([line]) => String(line));
      expect(failures.at(-1)).toMatch(
        /removing what belonged to organization org_1 failed 24 times; it stays hidden, and a redelivery of the deletion resumes it/,
      );
      expect(failures.slice(0, -1).every((line) => /failed \(attempt \d+\); trying again/.test(line))).toBe(true);
      // Past the tombstones' retention: the 5 left stay hidden, the organization deleted.
      expect(Date.now()).toBeGreaterThan(T0 + 90 * 24 * 60 * 60_000);
      expect(await leftFor("org_1")).toBe(5);
      expect(await getMember("user_00504")).toBeNull();
      expect(await outcome(await deliver(t, organizationEvent("organization.updated", org({ updated_at: T0 + 1 }))))).toBe("tombstoned");

      recording.failing = null;
      expect(await outcome(await post(t, sign(organizationDeletedEvent("org_1"), { id: "msg_org_deleted_again" })))).toBe("duplicate");
      expect(await leftFor("org_1")).toBe(0);
      await t.finishAllScheduledFunctions(vi.runAllTimers);
      expect(logged.mock.calls.length).toBe(failures.length);
      // Nothing is left for the tombstone to hide, and it is past the retention: the next run pruned it.
      expect(await outcome(await deliver(t, organizationEvent("organization.updated", org({ updated_at: T0 + 2 }))))).toBe("created");
    } finally {
      vi.useRealTimers();
    }
  }, 60_000);

  test("a redelivered deletion finishes what is left; pruning keeps a tombstone while rows still belong to it", async () => {
    vi.useFakeTimers();
    try {
      await bigOrg(LIMITS.cascadeBatch + 5);
      const deletion = sign(organizationDeletedEvent("org_1"), { id: "msg_org_deleted" });
      await post(t, deletion);
      // Every try of the continuation fails (the hook is broken for good), until it gives up.
      recording.failing = "onMembershipDeleted";
      for (let hour = 0; hour < 30; hour++) {
        await t.finishInProgressScheduledFunctions();
        vi.advanceTimersByTime(60 * 60_000);
      }
      await t.finishInProgressScheduledFunctions();
      recording.failing = null;
      const retries = logs.take(/removing what belonged to organization org_1 failed/);
      expect(retries.slice(0, -1).map((line) => /\(attempt (\d+)\)/.exec(line)?.[1])).toEqual(retries.slice(0, -1).map((_, i) => String(i + 1)));
      expect(retries.at(-1)).toMatch(new RegExp(`failed ${retries.length} times; it stays hidden, and a redelivery of the deletion resumes it`));
      expect(await leftFor("org_1")).toBe(5);
      // Past the tombstones' retention (90 days), pruning has run: the tombstone stays while its
      // memberships do, so none comes back.
      for (let day = 0; day < 120; day += 10) {
        vi.advanceTimersByTime(10 * 24 * 60 * 60_000);
        await t.finishInProgressScheduledFunctions();
      }
      expect(await getMember("user_00504")).toBeNull();
      expect(await t.query(components.clerkUsers.organizations.getByClerkId, { clerkId: "org_1" })).toBeNull();
      // Svix (or a replay) delivers the deletion again: the cascade finishes.
      const redelivered = sign(organizationDeletedEvent("org_1"), { id: "msg_org_deleted_again" });
      expect(await outcome(await post(t, redelivered))).toBe("duplicate");
      await t.finishInProgressScheduledFunctions();
      expect(await getMember("user_00504")).toBeNull();
      // No membership row is left for the organization (listByOrganization hides them either way: count the table).
      expect(await leftFor("org_1")).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  }, 60_000);
});

describe("one transaction that finds an organization, then deletes it", () => {
  test("a membership of it applied after the deletion is dropped: the deletion's tombstone is seen, not the row found before it", async () => {
    const membership = { clerkId: "orgmem_1", orgId: "org_1", userId: "user_1", role: "org:member", permissions: [] as string[], updatedAt: T0 };
    const outcome = await t.mutation(components.clerkUsers.sync.applyEvent, {
      changes: [
        { kind: "organization", op: "upsert", row: { clerkId: "org_1", name: "Acme", slug: "acme", createdAt: T0, updatedAt: T0 } },
        { kind: "organization", op: "delete", clerkId: "org_1" },
        { kind: "membership", op: "upsert", row: membership },
      ],
    });
    expect(outcome).toBe("tombstoned");
    expect(await getMember("user_1")).toBeNull();
    expect(
      await t.query((components.clerkUsers as unknown as { testOnly: { storedMemberships: typeof storedMembershipsRef } }).testOnly.storedMemberships, {
        orgId: "org_1",
      }),
    ).toBe(0);
  });
});
