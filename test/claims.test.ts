import { describe, expect, test } from "vitest";
import fc from "fast-check";
import type { UserIdentity } from "convex/server";
import { has, hasFeature, hasPermission, hasPlan, hasRole, readClaims, type ClaimsOptions } from "../src/client/claims.js";

/** What `ctx.auth.getUserIdentity()` returns for a token with these claims. */
function identity(claims: Record<string, unknown>): UserIdentity {
  return {
    tokenIdentifier: "https://clerk.example.dev|user_1",
    issuer: "https://clerk.example.dev",
    subject: "user_1",
    ...claims,
  } as UserIdentity;
}

// A Clerk v2 session token: the org's features are posts and billing (in `fea` order);
// fpm "3,1" grants posts both permissions (bits 0b11) and billing only "read" (0b01).
const org = { id: "org_1", rol: "admin", slg: "acme", per: "read,manage", fpm: "3,1" };
const v2 = { v: 2, o: org, fea: "o:posts,o:billing,u:chat", pla: "u:free,o:pro" };

describe("Clerk session token v2", () => {
  test("readClaims decodes it the way Clerk's auth() does", () => {
    expect(readClaims(identity(v2))).toEqual({
      userId: "user_1",
      orgId: "org_1",
      orgRole: "org:admin",
      orgSlug: "acme",
      orgPermissions: ["org:posts:read", "org:posts:manage", "org:billing:read"],
      features: ["o:posts", "o:billing", "u:chat"],
      plans: ["o:pro", "u:free"],
      userRole: null,
      userPermissions: [],
    });
  });

  test("roles match with or without the org: prefix", () => {
    const id = identity(v2);
    expect(hasRole(id, "admin")).toBe(true);
    expect(hasRole(id, "org:admin")).toBe(true);
    expect(hasRole(id, "member")).toBe(false);
  });

  test("permissions come from the per/fpm bitmask of each org feature", () => {
    const id = identity(v2);
    expect(hasPermission(id, "org:posts:manage")).toBe(true);
    expect(hasPermission(id, "posts:manage")).toBe(true);
    expect(hasPermission(id, "billing:read")).toBe(true);
    expect(hasPermission(id, "billing:manage")).toBe(false);
    expect(hasPermission(id, "chat:read")).toBe(false); // a user feature carries no org permissions
  });

  test("plans and features match scoped or unscoped", () => {
    const id = identity(v2);
    for (const plan of ["pro", "o:pro", "org:pro", "organization:pro"]) expect(hasPlan(id, plan)).toBe(true);
    for (const plan of ["free", "u:free", "user:free"]) expect(hasPlan(id, plan)).toBe(true);
    for (const plan of ["u:pro", "o:free", "team", "bogus:pro"]) expect(hasPlan(id, plan)).toBe(false);
    expect(hasFeature(id, "chat")).toBe(true);
    expect(hasFeature(id, "u:chat")).toBe(true);
    expect(hasFeature(id, "o:chat")).toBe(false);
    expect(hasFeature(id, "o:posts")).toBe(true);
  });

  test("nested, dotted (Convex custom JWT) and JSON-string org claims read the same", () => {
    const { o, ...rest } = v2;
    const dotted = identity({ ...rest, ...Object.fromEntries(Object.entries(o).map(([k, v]) => [`o.${k}`, v])) });
    const json = identity({ ...rest, o: JSON.stringify(o) });
    expect(readClaims(dotted)).toEqual(readClaims(identity(v2)));
    expect(readClaims(json)).toEqual(readClaims(identity(v2)));
    expect(hasPermission(dotted, "posts:manage")).toBe(true);
  });

  test("without an active org, org checks fail and user plans still pass", () => {
    const id = identity({ v: 2, fea: "u:chat", pla: "u:free" });
    expect(hasRole(id, "admin")).toBe(false);
    expect(hasPermission(id, "posts:read")).toBe(false);
    expect(hasPlan(id, "free")).toBe(true);
    expect(hasFeature(id, "chat")).toBe(true);
  });

  test("a pending session is signed out, as in Clerk's backend", () => {
    const id = identity({ ...v2, sts: "pending" });
    expect(readClaims(id)).toBeNull();
    expect(hasRole(id, "admin")).toBe(false);
    expect(hasPlan(id, "free")).toBe(false);
  });

  test("without v: 2 the o claim is not read, as in Clerk", () => {
    const { v: _v, ...noVersion } = v2;
    expect(hasRole(identity(noVersion), "admin")).toBe(false);
  });
});

describe("legacy v1 session token", () => {
  const v1 = { org_id: "org_1", org_role: "org:admin", org_slug: "acme", org_permissions: ["org:posts:read"] };

  test("org role and permissions", () => {
    const id = identity(v1);
    expect(hasRole(id, "admin")).toBe(true);
    expect(hasRole(id, "org:admin")).toBe(true);
    expect(hasPermission(id, "posts:read")).toBe(true);
    expect(hasPermission(id, "posts:manage")).toBe(false);
  });

  test("a role without an org id is no org role", () => {
    expect(hasRole(identity({ org_role: "org:admin" }), "admin")).toBe(false);
  });
});

describe("custom claims from a JWT template", () => {
  test("a top-level role is an app-wide role, with or without org:", () => {
    expect(hasRole(identity({ role: "admin" }), "admin")).toBe(true);
    expect(hasRole(identity({ role: "admin" }), "org:admin")).toBe(true);
    expect(hasRole(identity({ role: "org:admin" }), "admin")).toBe(true);
    expect(hasRole(identity({ role: "admin" }), "member")).toBe(false);
  });

  test("metadata.role and public_metadata.role, nested, dotted or as JSON", () => {
    expect(hasRole(identity({ metadata: { role: "admin" } }), "admin")).toBe(true);
    expect(hasRole(identity({ public_metadata: { role: "admin" } }), "admin")).toBe(true);
    expect(hasRole(identity({ "metadata.role": "admin" }), "admin")).toBe(true);
    expect(hasRole(identity({ metadata: JSON.stringify({ role: "admin" }) }), "admin")).toBe(true);
  });

  test("a custom plan is a user plan", () => {
    const id = identity({ plan: "pro" });
    expect(hasPlan(id, "pro")).toBe(true);
    expect(hasPlan(id, "u:pro")).toBe(true);
    expect(hasPlan(id, "o:pro")).toBe(false);
    expect(hasPlan(identity({ metadata: { plan: ["pro", "team"] } }), "team")).toBe(true);
  });

  test("custom permissions, as an array or a comma list", () => {
    expect(hasPermission(identity({ permissions: ["posts:edit"] }), "posts:edit")).toBe(true);
    expect(hasPermission(identity({ permissions: "posts:read, posts:edit" }), "org:posts:edit")).toBe(true);
    expect(hasPermission(identity({ permissions: ["posts:edit"] }), "posts:delete")).toBe(false);
  });

  test("either the org role or the custom role satisfies a role check", () => {
    const id = identity({ ...v2, role: "support" });
    expect(hasRole(id, "admin")).toBe(true);
    expect(hasRole(id, "support")).toBe(true);
  });
});

describe("ClaimsOptions: where the role claim lives", () => {
  test("a dotted path", () => {
    const options: ClaimsOptions = { roleClaim: "app.role" };
    expect(hasRole(identity({ app: { role: "admin" } }), "admin", options)).toBe(true);
    expect(hasRole(identity({ "app.role": "admin" }), "admin", options)).toBe(true);
  });

  test("a path replaces the defaults", () => {
    expect(hasRole(identity({ role: "admin" }), "admin", { roleClaim: "app.role" })).toBe(false);
  });

  test("a function of the identity", () => {
    const roleClaim = (id: UserIdentity) => (id.email === "boss@example.com" ? "admin" : undefined);
    expect(hasRole(identity({ email: "boss@example.com" }), "admin", { roleClaim })).toBe(true);
    expect(hasRole(identity({ email: "someone@example.com" }), "admin", { roleClaim })).toBe(false);
  });

  test("false ignores custom roles, leaving Clerk's org role", () => {
    expect(hasRole(identity({ role: "admin" }), "admin", { roleClaim: false })).toBe(false);
    expect(hasRole(identity({ ...v2, role: "x" }), "admin", { roleClaim: false })).toBe(true);
  });

  test("a throwing function denies instead of throwing", () => {
    const roleClaim = () => {
      throw new Error("boom");
    };
    expect(hasRole(identity({ role: "admin" }), "admin", { roleClaim })).toBe(false);
  });
});

describe("has()", () => {
  const id = identity(v2);

  test("a check with no criteria is false", () => {
    expect(has(id, {})).toBe(false);
    expect(has(id, { role: undefined })).toBe(false);
  });

  test("every criterion must pass", () => {
    expect(has(id, { role: "admin", permission: "posts:manage", plan: "pro", feature: "chat" })).toBe(true);
    expect(has(id, { role: "admin", permission: "posts:delete" })).toBe(false);
    expect(has(id, { role: "member", plan: "pro" })).toBe(false);
    expect(has(id, { plan: "pro", feature: "o:chat" })).toBe(false);
  });

  test("a signed-out identity has nothing", () => {
    expect(hasRole(null, "admin")).toBe(false);
    expect(hasRole(undefined, "admin")).toBe(false);
    expect(hasRole(identity({ ...v2, subject: "" }), "admin")).toBe(false);
  });

  test("untyped callers: null params, non-string criteria, unsupported criteria", () => {
    expect(has(id, null as never)).toBe(false);
    expect(has(id, { role: 1 } as never)).toBe(false);
    expect(has(id, { reverification: "strict" } as never)).toBe(false);
  });
});

describe("fails closed on malformed claims", () => {
  test("wrongly typed org fields", () => {
    // Clerk would turn rol: 5 into "org:5" and accept o.id: 1 as an org; we deny.
    expect(hasRole(identity({ v: 2, o: { ...org, rol: 5 } }), "5")).toBe(false);
    expect(hasRole(identity({ v: 2, o: { ...org, id: 1 } }), "admin")).toBe(false);
    expect(hasRole(identity({ org_id: "org_1", org_role: ["org:admin"] }), "admin")).toBe(false);
  });

  test("a permissions list with a non-string is no list", () => {
    const id = identity({ org_id: "org_1", org_permissions: ["org:posts:read", 7] });
    expect(hasPermission(id, "posts:read")).toBe(false);
    expect(hasPermission(identity({ permissions: ["posts:read", null] }), "posts:read")).toBe(false);
  });

  test("non-numeric or missing fpm grants nothing", () => {
    expect(hasPermission(identity({ ...v2, o: { ...org, fpm: "x,1" } }), "posts:read")).toBe(false);
    expect(hasPermission(identity({ ...v2, o: { ...org, fpm: "x,1" } }), "billing:read")).toBe(true);
    expect(hasPermission(identity({ ...v2, o: { ...org, fpm: undefined } }), "posts:read")).toBe(false);
  });

  test("an unscoped fea element makes the token unreadable, as it does for Clerk", () => {
    const id = identity({ ...v2, fea: "posts,u:chat" });
    expect(readClaims(id)).toBeNull();
    expect(hasRole(id, "admin")).toBe(false);
  });

  test("a malformed pla denies plans only", () => {
    const id = identity({ ...v2, pla: "pro" });
    expect(hasPlan(id, "pro")).toBe(false);
    expect(hasFeature(id, "chat")).toBe(true);
  });

  test("fea, pla and role of the wrong type", () => {
    expect(hasFeature(identity({ ...v2, fea: ["u:chat"] }), "chat")).toBe(false);
    expect(hasPlan(identity({ ...v2, pla: 1 }), "pro")).toBe(false);
    expect(hasRole(identity({ role: ["admin"] }), "admin")).toBe(false);
    expect(hasRole(identity({ role: "org:" }), "")).toBe(false);
  });
});

describe("properties", () => {
  const keys = fc.constantFrom(
    ...["v", "o", "o.id", "o.rol", "o.per", "o.fpm", "fea", "pla", "sts", "org_id", "org_role"],
    ...["org_permissions", "role", "plan", "permissions", "metadata", "metadata.role", "subject"],
  );
  const scalar = fc.oneof(
    fc.constantFrom("admin", "org:admin", "o:a,u:b", "a", "1,2", "3", "read,manage", "{", "[", 2),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.jsonValue(),
  );
  const value = fc.oneof(scalar, fc.dictionary(fc.oneof(keys, fc.string()), scalar));
  const anyIdentity = fc.oneof(
    fc.constantFrom(null, undefined),
    fc.jsonValue(),
    fc.dictionary(fc.oneof(keys, fc.string()), value).map((claims) => identity(claims)),
  );
  const criterion = fc.oneof(fc.constantFrom("admin", "org:admin", "posts:read", "u:a", "o:", "a"), fc.anything());
  const params = fc.record({ role: criterion, permission: criterion, plan: criterion, feature: criterion }, { requiredKeys: [] });
  const options = fc.record(
    {
      roleClaim: fc.oneof(fc.string(), fc.array(fc.string()), fc.constant(false as const)),
      planClaim: fc.constant(() => ({ not: "a plan" })),
      permissionsClaim: fc.constant(() => {
        throw new Error("boom");
      }),
    },
    { requiredKeys: [] },
  );

  test("has() never throws and always answers a boolean", () => {
    fc.assert(
      fc.property(anyIdentity, params, options, (id, p, o) => {
        expect(typeof has(id as UserIdentity, p as never, o)).toBe("boolean");
      }),
      { numRuns: 3000 },
    );
  });

  test("the org: prefix never changes a role or permission answer", () => {
    fc.assert(
      fc.property(anyIdentity, fc.constantFrom("admin", "member", "posts:read", "a"), (id, name) => {
        const i = id as UserIdentity;
        expect(hasRole(i, `org:${name}`)).toBe(hasRole(i, name));
        expect(hasPermission(i, `org:${name}`)).toBe(hasPermission(i, name));
      }),
      { numRuns: 1000 },
    );
  });
});
