import { convexTest } from "convex-test";
import { hasPermission, hasPlan, hasRole, isClerkUsersError, readClaims, requireMembership, requireRole, requireUser } from "convex-clerk-users";
import { clerkIdentity, deliver, membershipCreated, organizationCreated, register, setTestWebhookSecret, userCreated } from "convex-clerk-users/test";
import { compactPermissions } from "../src/testkit/identity";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import schema from "../example/convex/schema";
import { appModules } from "./setup";

async function backendWithAdaInAcme() {
  setTestWebhookSecret();
  const t = convexTest(schema, appModules);
  register(t);
  const ada = userCreated();
  const acme = organizationCreated({ name: "Acme" });
  const joined = membershipCreated({ organization: acme.data, user: ada.data, role: "org:admin" });
  expect(await deliver(t, [ada, acme, joined])).toEqual([200, 200, 200]);
  return { t, adaId: ada.data.id, acmeId: acme.data.id };
}

describe("clerkIdentity is read by the package's helpers as a real token", () => {
  test("requireUser and requireMembership accept it", async () => {
    const { t, adaId, acmeId } = await backendWithAdaInAcme();
    const identity = clerkIdentity({ userId: adaId, org: { id: acmeId, role: "admin" } });
    const { user, membership } = await t.withIdentity(identity).run(async (ctx) => ({
      user: await requireUser(ctx, components.clerkUsers),
      membership: await requireMembership(ctx, components.clerkUsers, { role: "org:admin" }),
    }));
    expect(user.clerkId).toBe(adaId);
    expect(membership).toMatchObject({ orgId: acmeId, userId: adaId, role: "org:admin" });
  });

  test("a pending session has no role (Clerk's backend treats it as signed out)", async () => {
    const { t, adaId, acmeId } = await backendWithAdaInAcme();
    const pending = clerkIdentity({ userId: adaId, org: { id: acmeId, role: "admin" }, pending: true });
    expect(pending.sts).toBe("pending");
    expect(hasRole(pending, "admin")).toBe(false);
    const error = await t
      .withIdentity(pending)
      .run((ctx) => requireRole(ctx, "org:admin"))
      .then(
        () => null,
        (e: unknown) => e,
      );
    // Signed out, as every helper answers a pending session (not a role it lacks).
    expect(isClerkUsersError(error, "UNAUTHENTICATED")).toBe(true);
    const active = clerkIdentity({ userId: adaId, org: { id: acmeId, role: "admin" } });
    expect(await t.withIdentity(active).run(async (ctx) => (await requireRole(ctx, "org:admin")).subject)).toBe(adaId);
  });

  test("hasRole, hasPlan and hasPermission answer from its claims", () => {
    const identity = clerkIdentity({
      userId: "user_1",
      org: { id: "org_1", role: "org:admin", permissions: ["org:posts:edit", "org:billing:read"] },
      plans: ["pro"],
    });
    expect(hasRole(identity, "admin")).toBe(true);
    expect(hasRole(identity, "org:member")).toBe(false);
    expect(hasPlan(identity, "pro")).toBe(true);
    expect(hasPlan(identity, "o:pro")).toBe(true); // with an active organization, a plan is the org's
    expect(hasPlan(identity, "u:pro")).toBe(false);
    expect(hasPermission(identity, "org:posts:edit")).toBe(true);
    expect(hasPermission(identity, "org:billing:read")).toBe(true);
    expect(hasPermission(identity, "org:posts:read")).toBe(false);
    expect(hasPermission(identity, "org:billing:edit")).toBe(false);
    const personal = clerkIdentity({ userId: "user_1", plans: ["pro"], features: ["exports"] });
    expect(hasPlan(personal, "u:pro")).toBe(true);
    expect(readClaims(personal)?.features).toEqual(["u:exports"]);
  });

  test("any set of permissions survives Clerk's own decoding of per/fpm", () => {
    const key = fc.tuple(fc.constantFrom("posts", "billing", "teams", "dashboard"), fc.constantFrom("read", "edit", "manage", "delete"));
    fc.assert(
      fc.property(fc.uniqueArray(key, { selector: ([f, p]) => `${f}:${p}` }), fc.boolean(), (keys, prefixed) => {
        const permissions = keys.map(([f, p]) => `${prefixed ? "org:" : ""}${f}:${p}`);
        const identity = clerkIdentity({ userId: "user_1", org: { id: "org_1", role: "member", permissions } });
        expect(new Set(readClaims(identity)?.orgPermissions)).toEqual(new Set(keys.map(([f, p]) => `org:${f}:${p}`)));
      }),
    );
  });
});

describe("the token's shape", () => {
  test("per/fpm match Clerk's documented example (dashboard:read, dashboard:manage, teams:read)", () => {
    const granted = [
      { feature: "dashboard", permission: "read" },
      { feature: "dashboard", permission: "manage" },
      { feature: "teams", permission: "read" },
    ];
    expect(compactPermissions(granted, ["o:dashboard", "o:teams"])).toEqual({ per: "manage,read", fpm: "3,2" });
  });

  test("v: 2, the role without org:, and only the claims given", () => {
    const identity = clerkIdentity({ userId: "user_1", org: { id: "org_1", role: "org:admin", slug: "acme" } });
    expect(identity).toMatchObject({ subject: "user_1", v: 2, o: { id: "org_1", rol: "admin", slg: "acme" } });
    expect(identity.o).not.toHaveProperty("per");
    expect(identity).not.toHaveProperty("pla");
    expect(identity).not.toHaveProperty("sts");
  });

  test("refuses what a Clerk token cannot carry", () => {
    expect(() => clerkIdentity({ userId: "user_1", org: { id: "org_1", role: "admin", permissions: ["org:sys_memberships:read"] } })).toThrow(
      /system permission/,
    );
    expect(() => clerkIdentity({ userId: "user_1", org: { id: "org_1", role: "admin", permissions: ["edit"] } })).toThrow(/org:<feature>:<permission>/);
  });
});
