import { makeFunctionReference } from "convex/server";
import { isResyncError, makeResyncAction, type ResyncStatus } from "convex-clerk-users";
import clerkUsersTest from "convex-clerk-users/test";
import { convexTest } from "convex-test";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import schema from "../example/convex/schema";
import {
  clerkMembership,
  clerkOrganization,
  deletedEvent,
  membershipEvent,
  organizationDeletedEvent,
  organizationEvent,
  sign,
  WEBHOOK_SECRET,
} from "./fixtures/clerk";
import { SECRET_KEY, clerkOrgsAndMembers, clerkUsers, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";
import { hookCalls, recordingHooks, recordingHooksRef } from "./fixtures/recording";
import { captureLogs } from "./fixtures/logs";
import { appModules } from "./setup";

const logs = captureLogs();
/** The line a failed resync logs for the deployment's logs: its code and message. */
const resyncLog = (code: string) => logs.take(new RegExp(`^convex-clerk-users resync: ${code}: `));

/**
 * The resync with `{ organizations: true }`, run as an app runs it, against a real HTTP server
 * playing Clerk's Backend API with 30 users, 4 organizations and a membership per user.
 */

const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 };
const actions = {
  usersOnly: makeResyncAction(components.clerkUsers, { pageSize: 10, retry: fastRetry, rateLimit: false }),
  withOrgs: makeResyncAction(components.clerkUsers, { organizations: true, pageSize: 10, retry: fastRetry, rateLimit: false, hooks: recordingHooksRef }),
  /** One page (or reconcile batch) per step, each step scheduling the next. */
  stepwise: makeResyncAction(components.clerkUsers, { organizations: true, pageSize: 10, retry: fastRetry, rateLimit: false, maxStepMs: 0 }),
  massRemoval: makeResyncAction(components.clerkUsers, {
    organizations: true,
    pageSize: 10,
    retry: fastRetry,
    rateLimit: false,
    allowMassRemoval: true,
    hooks: recordingHooksRef,
  }),
};
const run = (name: keyof typeof actions) => t.action(makeFunctionReference<"action", { runId?: string; lease?: string }, ResyncStatus>(`orgSync:${name}`), {});

let api: FakeClerkApi;
let t: ReturnType<typeof convexTest>;
beforeEach(async () => {
  const users = clerkUsers(30);
  api = await startFakeClerkApi({ users, ...clerkOrgsAndMembers(4, users) });
  process.env.CLERK_SECRET_KEY = SECRET_KEY;
  process.env.CLERK_API_URL = api.url;
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  t = convexTest({
    schema,
    modules: { ...appModules, "../example/convex/orgSync.ts": async () => actions, "../example/convex/recordingHooks.ts": async () => recordingHooks },
    transactionLimits: true,
  });
  clerkUsersTest.register(t);
  hookCalls.length = 0;
});
afterEach(async () => {
  await api.close();
  delete process.env.CLERK_SECRET_KEY;
  delete process.env.CLERK_API_URL;
});

const all = { paginationOpts: { numItems: 1000, cursor: null } };
const orgIds = async () => (await t.query(components.clerkUsers.organizations.list, all)).page.map((o) => o.clerkId);
const membersOf = async (orgId: string) => (await t.query(components.clerkUsers.memberships.listByOrganization, { orgId, ...all })).page;
const allMembers = async () => (await Promise.all(api.organizations.map((o) => membersOf(o.id)))).flat();
const deliver = (event: object) => {
  const delivery = sign(event);
  return t.fetch("/clerk-users-webhook", { method: "POST", headers: delivery.headers, body: delivery.body });
};

describe("a resync with { organizations: true }", () => {
  test("without the option it makes no organization request", async () => {
    expect(await run("usersOnly")).toMatchObject({ state: "completed", kinds: ["user"], counts: { user: { created: 30 } } });
    expect(api.log.every((r) => r.path === "/v1/users")).toBe(true);
    expect(await orgIds()).toEqual([]);
  });

  test("fills organizations and memberships after the users: pages of the limit, oldest first, no count request", async () => {
    const status = await run("withOrgs");
    expect(status).toMatchObject({
      state: "completed",
      kinds: ["user", "organization", "membership"],
      counts: { user: { created: 30 }, organization: { seen: 4, created: 4, removed: 0 }, membership: { seen: 30, created: 30, removed: 0 } },
    });
    expect(await orgIds()).toEqual(["org_0000", "org_0001", "org_0002", "org_0003"]);
    const members = await membersOf("org_0001");
    expect(members.map((m) => [m.userId, m.role])).toEqual([
      ["user_000001", "org:admin"],
      ["user_000005", "org:member"],
      ["user_000009", "org:member"],
      ["user_000013", "org:member"],
      ["user_000017", "org:member"],
      ["user_000021", "org:member"],
      ["user_000025", "org:member"],
      ["user_000029", "org:member"],
    ]);
    const paths = [...new Set(api.log.map((r) => r.path))];
    expect(paths).toEqual(["/v1/users", "/v1/organizations", "/v1/organization_memberships"]);
    expect(api.log.filter((r) => r.path !== "/v1/users").every((r) => r.orderBy === "+created_at" && r.limit === 10)).toBe(true);
    // 4 organizations fit one page; 30 memberships take 4 (pages overlap by one).
    expect(api.log.filter((r) => r.path === "/v1/organizations")).toHaveLength(1);
    expect(api.log.filter((r) => r.path === "/v1/organization_memberships")).toHaveLength(4);
    expect(hookCalls.filter((c) => c.hook === "onOrganizationCreated")).toHaveLength(4);
    expect(hookCalls.filter((c) => c.hook === "onMembershipCreated")).toHaveLength(30);
    expect(hookCalls.every((c) => c.args.source === "resync")).toBe(true);
  });

  test("a second pass over an unchanged Clerk writes no row and fires no hook", async () => {
    await run("withOrgs");
    const before = { orgs: (await t.query(components.clerkUsers.organizations.list, all)).page, members: await allMembers() };
    hookCalls.length = 0;
    expect(await run("withOrgs")).toMatchObject({
      state: "completed",
      counts: { organization: { unchanged: 4, created: 0, updated: 0 }, membership: { unchanged: 30, created: 0, updated: 0 } },
    });
    expect(hookCalls).toEqual([]);
    expect({ orgs: (await t.query(components.clerkUsers.organizations.list, all)).page, members: await allMembers() }).toEqual(before);
  });

  test("the webhook's ordering rules hold: a newer webhook version stays, a deleted organization or user is not brought back", async () => {
    const newer = { ...api.organizations[0]!, name: "Renamed by a webhook", updated_at: api.organizations[0]!.updated_at + 5_000 };
    expect((await deliver(organizationEvent("organization.updated", newer))).status).toBe(200);
    expect((await deliver(organizationDeletedEvent("org_0002"))).status).toBe(200);
    expect((await deliver(deletedEvent("user_000003"))).status).toBe(200);
    const status = await run("withOrgs");
    expect(status).toMatchObject({ state: "completed", counts: { organization: { created: 2, unchanged: 1, tombstoned: 1 } } });
    expect(await t.query(components.clerkUsers.organizations.getByClerkId, { clerkId: "org_0000" })).toMatchObject({ name: "Renamed by a webhook" });
    expect(await orgIds()).not.toContain("org_0002");
    expect(await membersOf("org_0002")).toEqual([]);
    // user_000003's membership (in org_0003) is dropped, and org_0002's members too.
    expect((await membersOf("org_0003")).map((m) => m.userId)).not.toContain("user_000003");
    expect(status.counts.membership).toMatchObject({ tombstoned: 1 + 7, created: 30 - 8 });
  });

  test("an organization and a membership Clerk no longer has are removed, with their hooks and the cascade", async () => {
    await run("withOrgs");
    // Webhooks missed: org_0003 was deleted in Clerk (with its memberships), user_000004 left org_0000.
    api.organizations = api.organizations.filter((o) => o.id !== "org_0003");
    api.memberships = api.memberships.filter((m) => m.organization.id !== "org_0003" && m.public_user_data.user_id !== "user_000004");
    hookCalls.length = 0;
    const status = await run("withOrgs");
    expect(status).toMatchObject({ state: "completed", counts: { organization: { removed: 1 }, membership: { removed: 1 } } });
    expect(await orgIds()).toEqual(["org_0000", "org_0001", "org_0002"]);
    expect((await membersOf("org_0000")).map((m) => m.userId)).not.toContain("user_000004");
    expect(await membersOf("org_0003")).toEqual([]);
    const hooks = hookCalls.map((c) => c.hook);
    expect(hooks.filter((h) => h === "onOrganizationDeleted")).toHaveLength(1);
    // org_0003's 7 members by the cascade, user_000004's membership by reconcile.
    expect(hooks.filter((h) => h === "onMembershipDeleted")).toHaveLength(8);
    // Each membership was asked about in its organization, by user id.
    expect(api.log.some((r) => r.path === "/v1/organizations/org_0000/memberships" && r.userIds.includes("user_000004"))).toBe(true);
  });

  test("the removal guard holds per kind: a key that lists none of the stored organizations removes none", async () => {
    const fifteen = clerkOrgsAndMembers(15, clerkUsers(30));
    api.organizations = fifteen.organizations;
    api.memberships = fifteen.memberships;
    await run("withOrgs");
    expect(await orgIds()).toHaveLength(15);
    // Another instance's key: its organizations are others entirely.
    api.organizations = fifteen.organizations.map((o, i) => ({ ...o, id: `org_other_${i}`, created_at: 1_600_000_000_000 + i }));
    api.memberships = [];
    const error = await run("withOrgs").catch((e: unknown) => e);
    expect(isResyncError(error, "TOO_MANY_REMOVALS")).toBe(true);
    expect((error as Error).message).toContain("organizations");
    expect(resyncLog("TOO_MANY_REMOVALS")).toEqual([expect.stringMatching(/before removing 15 organizations .* found only 0 of the stored organizations/)]);
    expect(await t.query(components.clerkUsers.resync.status, {})).toMatchObject({
      state: "failed",
      kind: "organization",
      phase: "reconciling",
      counts: { organization: { removed: 0 } },
    });
    expect((await orgIds()).filter((id) => !id.startsWith("org_other"))).toHaveLength(15);
    // If Clerk really deleted them: a resync made with allowMassRemoval resumes the run and removes them.
    expect(await run("massRemoval")).toMatchObject({ state: "completed", counts: { organization: { removed: 15 } } });
    expect((await orgIds()).every((id) => id.startsWith("org_other"))).toBe(true);
  });

  test("continues in scheduled steps, one page per step, to the end of every kind", async () => {
    const first = await run("stepwise");
    expect(first.state).toBe("running");
    for (let i = 0; i < 100; i++) {
      await t.finishInProgressScheduledFunctions();
      const current = await t.query(components.clerkUsers.resync.status, {});
      if (current?.state !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await t.query(components.clerkUsers.resync.status, {})).toMatchObject({
      state: "completed",
      counts: { organization: { created: 4 }, membership: { created: 30 } },
    });
    expect((await allMembers()).length).toBe(30);
  });

  test("a 5xx on the organization list is retried; a 401 stops the run with UNAUTHORIZED, and the next call resumes", async () => {
    let failOrgs: number | null = 500;
    api.beforeRequest = () => {
      const last = api.log.at(-1)!;
      if (last.path === "/v1/organizations" && failOrgs !== null) {
        const status = failOrgs;
        failOrgs = failOrgs === 500 ? 401 : null;
        return { status };
      }
    };
    const error = await run("withOrgs").catch((e: unknown) => e);
    expect(resyncLog("UNAUTHORIZED")).toEqual([expect.stringContaining("HTTP 401")]);
    expect(isResyncError(error, "UNAUTHORIZED")).toBe(true);
    expect(await t.query(components.clerkUsers.resync.status, {})).toMatchObject({
      state: "failed",
      kind: "organization",
      phase: "listing",
      counts: { user: { created: 30 } },
    });
    const resumed = await run("withOrgs");
    expect(resumed).toMatchObject({ state: "completed", counts: { organization: { created: 4 }, membership: { created: 30 } } });
    // The users were not listed again.
    expect(api.log.filter((r) => r.path === "/v1/users")).toHaveLength(4);
  });

  test("a failed run is resumed only by an action of the same options: a users-only resync starts afresh and asks nothing of organizations", async () => {
    api.beforeRequest = () => (api.log.at(-1)!.path === "/v1/organizations" ? { status: 401 } : undefined);
    await run("withOrgs").catch(() => undefined);
    expect(resyncLog("UNAUTHORIZED")).toHaveLength(1);
    expect(await t.query(components.clerkUsers.resync.status, {})).toMatchObject({ state: "failed", kind: "organization" });
    api.beforeRequest = undefined;
    const before = api.log.length;
    expect(await run("usersOnly")).toMatchObject({ state: "completed", kinds: ["user"] });
    expect(api.log.slice(before).every((r) => r.path === "/v1/users")).toBe(true);
  });

  test("a membership stored by a webhook whose organization Clerk lists is kept current; one Clerk does not have is removed", async () => {
    const extra = clerkMembership("orgmem_webhook_only", "org_0001", "user_000002", {
      created_at: 1_700_150_000_000,
      updated_at: 1_700_150_000_000,
      organization: api.organizations[1]!,
    });
    expect((await deliver(membershipEvent("organizationMembership.created", extra))).status).toBe(200);
    await run("withOrgs");
    // user_000002 is in org_0002 per Clerk; the webhook-only membership in org_0001 is gone from Clerk.
    expect((await membersOf("org_0001")).map((m) => m.clerkId)).not.toContain("orgmem_webhook_only");
  });

  test("an organization created after the organizations' listing is stored with its first listed membership", async () => {
    // Clerk lists it with the memberships only (it was created once organizations were listed), and its webhook was missed.
    const late = clerkOrganization("org_unlisted", { created_at: 1_750_000_000_000, updated_at: 1_750_000_000_000, name: "Unlisted" });
    api.memberships.push(
      clerkMembership("orgmem_unlisted", "org_unlisted", api.memberships[0]!.public_user_data.user_id, { organization: late, created_at: 1_750_000_000_000 }),
    );
    expect(await run("withOrgs")).toMatchObject({ state: "completed" });
    expect(await t.query(components.clerkUsers.organizations.getByClerkId, { clerkId: "org_unlisted" })).toMatchObject({ name: "Unlisted" });
    expect(await membersOf("org_unlisted")).toHaveLength(1);
  });
});
