import { readFileSync } from "node:fs";
import { hasPermission, hasPlan, hasRole, readClaims } from "convex-clerk-users";
import type { UserIdentity } from "convex/server";
import { clerkIdentity } from "convex-clerk-users/test";
import { expect, test } from "vitest";

/** The README's full example of a v2 token (the JSON block after "A full token"). */
function readmeToken(): UserIdentity {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const block = /A full token[^\n]*\n\n```json\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("README lost its example token");
  return JSON.parse(block) as UserIdentity;
}

test("the README's example token means what the README says it means", () => {
  const token = readmeToken();
  expect(token.v).toBe(2);
  expect(readClaims(token)).toMatchObject({
    orgRole: "org:admin",
    orgSlug: "acme",
    plans: ["o:pro"],
  });
  expect(new Set(readClaims(token)?.orgPermissions)).toEqual(new Set(["org:dashboard:manage", "org:dashboard:read", "org:teams:read"]));
  expect(hasRole(token, "admin")).toBe(true);
  expect(hasPlan(token, "pro")).toBe(true);
  expect(hasPermission(token, "org:teams:manage")).toBe(false);
});

test("clerkIdentity builds the README's example token from what it describes", () => {
  const token = readmeToken();
  const o = token.o as { id: string };
  const built = clerkIdentity({
    userId: token.subject as string,
    org: { id: o.id, role: "org:admin", slug: "acme", permissions: ["org:dashboard:read", "org:dashboard:manage", "org:teams:read"] },
    plans: ["pro"],
  });
  expect({ o: built.o, fea: built.fea, pla: built.pla, v: built.v }).toEqual({ o: token.o, fea: token.fea, pla: token.pla, v: token.v });
});
