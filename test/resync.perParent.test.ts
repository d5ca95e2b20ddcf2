import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { convexTest } from "convex-test";
import { makeFunctionReference } from "convex/server";
import clerkUsersTest from "convex-clerk-users/test";
import { isResyncError, makeResyncAction, type ResyncStatus } from "convex-clerk-users";
import type { ListingOrder } from "../src/shared/kinds/define";
import { membership as membershipKind } from "../src/shared/kinds/membership";
import schema from "../example/convex/schema";
import { components } from "../example/convex/_generated/api";
import { appModules } from "./setup";
import { WEBHOOK_SECRET } from "./fixtures/clerk";
import { SECRET_KEY, clerkOrgsAndMembers, clerkUsers, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";
import { captureLogs } from "./fixtures/logs";

/**
 * The per-parent listing strategy (`ListingOrder`), end to end through the real protocol. No
 * production kind is listed per parent yet (a payer's Billing subscription will be), so this file
 * lists memberships per organization, `GET /v1/organizations/{id}/memberships`, one request per
 * stored organization: the membership module's `api.order` is switched for the file and put back after.
 */

const logs = captureLogs();
const original = membershipKind.api!.order;
beforeAll(() => {
  (membershipKind.api as { order: ListingOrder }).order = {
    by: "perParent",
    parent: "organization",
    field: "orgId",
    path: (orgId) => `/v1/organizations/${orgId}/memberships`,
  };
});
afterAll(() => {
  (membershipKind.api as { order: ListingOrder }).order = original;
});

const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 };
const actions = {
  withOrgs: makeResyncAction(components.clerkUsers, { organizations: true, pageSize: 10, retry: fastRetry, rateLimit: false }),
  /** Pages of 5: an organization of 8 members fills one. */
  smallPages: makeResyncAction(components.clerkUsers, { organizations: true, pageSize: 5, retry: fastRetry, rateLimit: false }),
};
const run = (name: keyof typeof actions) => t.action(makeFunctionReference<"action", Record<string, never>, ResyncStatus>(`perParent:${name}`), {});

let api: FakeClerkApi;
let t: ReturnType<typeof convexTest>;
beforeEach(async () => {
  const users = clerkUsers(30);
  // Four organizations; user i is a member of organization i % 4 (7 or 8 members each).
  api = await startFakeClerkApi({ users, ...clerkOrgsAndMembers(4, users) });
  process.env.CLERK_SECRET_KEY = SECRET_KEY;
  process.env.CLERK_API_URL = api.url;
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  t = convexTest({ schema, modules: { ...appModules, "../example/convex/perParent.ts": async () => actions }, transactionLimits: true });
  clerkUsersTest.register(t);
});
afterEach(async () => {
  await api.close();
  delete process.env.CLERK_SECRET_KEY;
  delete process.env.CLERK_API_URL;
});

const all = { paginationOpts: { numItems: 1000, cursor: null } };
const membersOf = async (orgId: string) => (await t.query(components.clerkUsers.memberships.listByOrganization, { orgId, ...all })).page;
const storedMemberIds = async () =>
  (await Promise.all(api.organizations.map((o) => membersOf(o.id))))
    .flat()
    .map((m) => m.clerkId)
    .sort();
const clerkMemberIds = () => api.memberships.map((m) => m.id).sort();

describe("a kind listed per parent", () => {
  test("is fetched with one request per stored parent, and every object is stored", async () => {
    const result = await run("withOrgs");
    expect(result).toMatchObject({ state: "completed", counts: { membership: { seen: 30, created: 30, removed: 0 } } });
    expect(await storedMemberIds()).toEqual(clerkMemberIds());
    const memberRequests = api.log.filter((r) => r.path.includes("membership"));
    // One per organization, in Clerk id order, and never the whole list.
    expect(memberRequests.map((r) => r.path)).toEqual(api.organizations.map((o) => `/v1/organizations/${o.id}/memberships`).sort());
  });

  test("what Clerk answers for a parent is its truth: its stored objects missing from the answer are asked about and removed", async () => {
    await run("withOrgs");
    const gone = api.memberships.filter((m) => m.organization.id === "org_0001").slice(0, 2);
    api.memberships = api.memberships.filter((m) => !gone.includes(m));
    const result = await run("withOrgs");
    expect(result).toMatchObject({ state: "completed", counts: { membership: { removed: 2 } } });
    expect(await storedMemberIds()).toEqual(clerkMemberIds());
  });

  test("an answer that fills a request may have more behind it: refused, never taken as the parent's truth", async () => {
    const error = await run("smallPages").catch((e: unknown) => e);
    expect(isResyncError(error, "RESYNC_FAILED")).toBe(true);
    expect((error as Error & { data: { message: string } }).data.message).toMatch(/org_0000 has 5 or more memberships/);
    logs.take(/^convex-clerk-users resync: RESYNC_FAILED: /);
  });

  test("an answer holding another parent's object is refused: the path did not answer for that parent", async () => {
    const order = membershipKind.api!.order as Extract<ListingOrder, { by: "perParent" }>;
    const path = order.path;
    // A wrong path: every organization is answered with org_0000's members.
    order.path = () => path("org_0000");
    try {
      const error = await run("withOrgs").catch((e: unknown) => e);
      expect(isResyncError(error, "RESYNC_FAILED")).toBe(true);
      expect((error as Error & { data: { message: string } }).data.message).toMatch(
        /answer for organization org_0001 holds 8 memberships of other organizations/,
      );
      logs.take(/^convex-clerk-users resync: RESYNC_FAILED: /);
      // Nothing of the refused answer was written: only org_0000's own members are stored.
      expect((await membersOf("org_0001")).length).toBe(0);
    } finally {
      order.path = path;
    }
  });
});
