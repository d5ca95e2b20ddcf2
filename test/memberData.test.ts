import { makeFunctionReference } from "convex/server";
import { makeResyncAction, type ResyncStatus } from "convex-clerk-users";
import clerkUsersTest from "convex-clerk-users/test";
import { convexTest } from "convex-test";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import schema from "../example/convex/schema";
import { LIMITS, withLimits } from "../src/component/limits.js";
import { WEBHOOK_SECRET, clerkMembership, clerkOrganization, clerkUser, membershipEvent, sign, userEvent } from "./fixtures/clerk";
import { SECRET_KEY, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";
import { appModules } from "./setup";

// A membership row shows its member's public data (name, picture, identifier), which Clerk
// changes with the user. It follows the user's own events, never moves backwards, and a resync
// leaves nothing Clerk removed.

const T0 = 1_700_000_000_000;
const resync = makeResyncAction(components.clerkUsers, { organizations: true, rateLimit: false, retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 } });

let t: ReturnType<typeof convexTest>;
let api: FakeClerkApi | undefined;
beforeEach(() => {
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  t = convexTest({ schema, modules: { ...appModules, "../example/convex/memberResync.ts": async () => ({ resync }) } });
  clerkUsersTest.register(t);
});
afterEach(async () => {
  await api?.close();
  api = undefined;
  delete process.env.CLERK_SECRET_KEY;
  delete process.env.CLERK_API_URL;
});

const deliver = async (event: object) => {
  const delivery = sign(event);
  const res = await t.fetch("/clerk-users-webhook", { method: "POST", headers: delivery.headers, body: delivery.body });
  expect(res.status).toBe(200);
  return ((await res.json()) as { outcome: string }).outcome;
};
const member = (orgId: string, userId = "user_ada") => t.query(components.clerkUsers.memberships.get, { orgId, userId });
const ada = (overrides: Parameters<typeof clerkUser>[1] = {}) => clerkUser("user_ada", { first_name: "Ada", last_name: "Lovelace", ...overrides });
const join = (id: string, orgId: string, overrides: Parameters<typeof clerkMembership>[3] = {}) =>
  membershipEvent("organizationMembership.created", clerkMembership(id, orgId, "user_ada", overrides));

describe("a user's change reaches their membership rows", () => {
  beforeEach(async () => {
    await deliver(userEvent("user.created", ada()));
    await deliver(join("orgmem_1", "org_1"));
    await deliver(join("orgmem_2", "org_2"));
  });

  test("user.updated renames the member in every organization, without a new membership version", async () => {
    await deliver(userEvent("user.updated", ada({ first_name: "Augusta", image_url: "https://img.clerk.com/new", updated_at: T0 + 10 })));
    for (const orgId of ["org_1", "org_2"]) {
      expect(await member(orgId)).toMatchObject({
        firstName: "Augusta",
        lastName: "Lovelace",
        imageUrl: "https://img.clerk.com/new",
        updatedAt: T0,
        userDataAt: T0 + 10,
      });
    }
  });

  test("a membership copy older than the user's version keeps the newer name, and takes its own new role", async () => {
    await deliver(userEvent("user.updated", ada({ first_name: "Augusta", updated_at: T0 + 10 })));
    const roleChange = clerkMembership("orgmem_1", "org_1", "user_ada", { role: "org:admin", updated_at: T0 + 5, public_user_data: { first_name: "Ada" } });
    expect(await deliver(membershipEvent("organizationMembership.updated", roleChange))).toBe("updated");
    expect(await member("org_1")).toMatchObject({ role: "org:admin", firstName: "Augusta", userDataAt: T0 + 10 });
    // A duplicate of that older copy moves nothing back either.
    expect(await deliver(membershipEvent("organizationMembership.updated", roleChange))).toBe("duplicate");
    expect(await member("org_1")).toMatchObject({ firstName: "Augusta" });
  });

  test("a membership copy newer than the user's version brings its own member data", async () => {
    await deliver(userEvent("user.updated", ada({ first_name: "Augusta", updated_at: T0 + 10 })));
    const later = clerkMembership("orgmem_1", "org_1", "user_ada", { role: "org:admin", updated_at: T0 + 20, public_user_data: { first_name: "Countess" } });
    await deliver(membershipEvent("organizationMembership.updated", later));
    expect(await member("org_1")).toMatchObject({ firstName: "Countess", role: "org:admin" });
    expect((await member("org_1"))?.userDataAt).toBeUndefined();
  });

  test("a membership sent before the user's rename and delivered after it shows the new name", async () => {
    await deliver(userEvent("user.updated", ada({ first_name: "Augusta", updated_at: T0 + 10 })));
    const late = clerkMembership("orgmem_3", "org_3", "user_ada", { updated_at: T0 + 5, public_user_data: { first_name: "Ada" } });
    expect(await deliver(membershipEvent("organizationMembership.created", late))).toBe("created");
    expect(await member("org_3")).toMatchObject({ firstName: "Augusta", userDataAt: T0 + 10 });
  });

  test("a stale user version changes no membership", async () => {
    await deliver(userEvent("user.updated", ada({ first_name: "Augusta", updated_at: T0 + 10 })));
    expect(await deliver(userEvent("user.updated", ada({ first_name: "Old", updated_at: T0 + 5 })))).toBe("stale");
    expect(await member("org_2")).toMatchObject({ firstName: "Augusta" });
  });
});

test("a user in more organizations than one transaction's budget: every membership is renamed, in batches", () =>
  withLimits({ cascadeBatch: 5 }, async () => {
    await deliver(userEvent("user.created", ada()));
    const n = LIMITS.cascadeBatch * 2 + 3;
    for (let i = 0; i < n; i++)
      await deliver(join(`orgmem_${i}`, `org_${String(i).padStart(4, "0")}`, { organization: clerkOrganization(`org_${String(i).padStart(4, "0")}`) }));
    await deliver(userEvent("user.updated", ada({ first_name: "Augusta", updated_at: T0 + 10 })));
    await t.finishAllScheduledFunctions(() => {});
    const names = (await t.query(components.clerkUsers.memberships.organizationsOf, { userId: "user_ada" })).map(({ membership }) => membership.firstName);
    expect(names).toHaveLength(n);
    expect(new Set(names)).toEqual(new Set(["Augusta"]));
  }));

test("a resync clears member data Clerk removed, though the membership's version is the same", async () => {
  await deliver(userEvent("user.created", ada()));
  await deliver(join("orgmem_1", "org_1"));
  expect(await member("org_1")).toMatchObject({ lastName: "Lovelace" });
  // Clerk now has the same membership version, but the member removed their last name.
  const membership = clerkMembership("orgmem_1", "org_1", "user_ada", { public_user_data: { last_name: null } });
  api = await startFakeClerkApi({ users: [ada({ last_name: null })], organizations: [membership.organization], memberships: [membership] });
  process.env.CLERK_SECRET_KEY = SECRET_KEY;
  process.env.CLERK_API_URL = api.url;
  const status = await t.action(makeFunctionReference<"action", Record<string, never>, ResyncStatus>("memberResync:resync"), {});
  expect(status).toMatchObject({ state: "completed" });
  const row = await member("org_1");
  expect(row).not.toBeNull();
  expect(row!.lastName).toBeUndefined();
});
