import { isClerkUsersError } from "convex-clerk-users";
import { beforeEach, describe, expect, test } from "vitest";
import { api } from "../example/convex/_generated/api";
import {
  clerkMembership,
  clerkOrganization,
  clerkUser,
  deletedEvent,
  membershipEvent,
  organizationDeletedEvent,
  organizationEvent,
  userEvent,
} from "./fixtures/clerk";
import { deliver, setup, type TestBackend } from "./setup";

const T0 = 1_700_000_000_000;

let t: TestBackend;
beforeEach(async () => {
  t = setup();
  // Ada is an admin of org_a and a plain member of org_b; Bob is only in org_b.
  await deliver(
    t,
    membershipEvent(
      "organizationMembership.created",
      clerkMembership("orgmem_1", "org_a", "user_ada", { role: "org:admin", permissions: ["org:projects:create"] }),
    ),
  );
  await deliver(t, membershipEvent("organizationMembership.created", clerkMembership("orgmem_2", "org_b", "user_ada")));
  await deliver(t, membershipEvent("organizationMembership.created", clerkMembership("orgmem_3", "org_b", "user_bob")));
});

/** Ada, signed in with org_b active in her token (Clerk's session token v2 `o` claim). */
const ada = () => t.withIdentity({ subject: "user_ada", v: 2, o: { id: "org_b", rol: "member" } } as never);
const bob = () => t.withIdentity({ subject: "user_bob" });

async function codeOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isClerkUsersError(error)) return error.data.code;
    throw error;
  }
  return "ok";
}

describe("requireMembership checks any organization from the database, active or not", () => {
  test("an admin of an organization that is not the token's active one may act as its admin", async () => {
    const projectId = await ada().mutation(api.myOrgs.createProject, { orgId: "org_a", name: "Apollo" });
    expect(await codeOf(ada().mutation(api.myOrgs.removeProject, { orgId: "org_a", projectId }))).toBe("ok");
  });

  test("a member without the role or permission is FORBIDDEN", async () => {
    expect(await codeOf(ada().mutation(api.myOrgs.createProject, { orgId: "org_b", name: "Nope" }))).toBe("FORBIDDEN");
    const projectId = await ada().mutation(api.myOrgs.createProject, { orgId: "org_a", name: "Apollo" });
    await deliver(
      t,
      membershipEvent("organizationMembership.updated", clerkMembership("orgmem_1", "org_a", "user_ada", { role: "org:member", updated_at: T0 + 1 })),
    );
    // The token may still say admin for a minute; the database says member now.
    expect(await codeOf(ada().mutation(api.myOrgs.removeProject, { orgId: "org_a", projectId }))).toBe("FORBIDDEN");
  });

  test("a non-member is FORBIDDEN, a signed-out caller UNAUTHENTICATED", async () => {
    expect(await codeOf(bob().query(api.myOrgs.projects, { orgId: "org_a" }))).toBe("FORBIDDEN");
    expect(await codeOf(t.query(api.myOrgs.projects, { orgId: "org_a" }))).toBe("UNAUTHENTICATED");
    expect(await codeOf(bob().query(api.myOrgs.projects, { orgId: "org_b" }))).toBe("ok");
  });

  test("role and permission names mean what they mean in Clerk's has()", async () => {
    const { membershipHas } = await import("convex-clerk-users");
    const membership = (await ada().query(api.myOrgs.membership, { orgId: "org_a" }))!;
    expect(membershipHas(membership, { role: "admin" })).toBe(true);
    expect(membershipHas(membership, { role: "org:admin" })).toBe(true);
    expect(membershipHas(membership, { role: "org:member" })).toBe(false);
    expect(membershipHas(membership, { permission: "projects:create" })).toBe(true);
    expect(membershipHas(membership, { role: "admin", permission: "org:projects:delete" })).toBe(false);
  });

  test("a removed membership, a deleted organization or a deleted user is FORBIDDEN at once", async () => {
    await deliver(t, membershipEvent("organizationMembership.deleted", clerkMembership("orgmem_3", "org_b", "user_bob")));
    expect(await codeOf(bob().query(api.myOrgs.projects, { orgId: "org_b" }))).toBe("FORBIDDEN");
    await deliver(t, organizationDeletedEvent("org_a"));
    expect(await codeOf(ada().query(api.myOrgs.projects, { orgId: "org_a" }))).toBe("FORBIDDEN");
    await deliver(t, deletedEvent("user_ada"));
    expect(await codeOf(ada().query(api.myOrgs.projects, { orgId: "org_b" }))).toBe("FORBIDDEN");
  });
});

describe("when the token and the database disagree about a membership", () => {
  /** The error's data, or "ok". */
  async function refusal(promise: Promise<unknown>) {
    try {
      await promise;
    } catch (error) {
      if (isClerkUsersError(error)) return error.data;
      throw error;
    }
    return "ok";
  }

  test("only user.* subscribed: an admin by the token is FORBIDDEN, and the message says organization events may not be subscribed", async () => {
    // Carol's user arrived; her organization's and membership's events never did.
    await deliver(t, userEvent("user.created", clerkUser("user_carol")));
    const carol = t.withIdentity({ subject: "user_carol", v: 2, o: { id: "org_c", rol: "admin" } } as never);
    const refused = await refusal(carol.query(api.clerk.health, {}));
    expect(refused).toMatchObject({ code: "FORBIDDEN" });
    expect(refused).toHaveProperty("message", expect.stringMatching(/org_c .*session token says you are \(role "org:admin"\)/));
    expect(refused).toHaveProperty(
      "message",
      expect.stringMatching(/not be subscribed to organization events.*organization\.\*, organizationMembership\.\*.*has not landed/),
    );
    // The same for an organization given by id, when it is the token's active one.
    expect(await refusal(carol.query(api.myOrgs.projects, { orgId: "org_c" }))).toHaveProperty("message", expect.stringMatching(/session token says you are/));
  });

  test("a token that claims nothing about the organization asked: the plain message", async () => {
    const plain = { code: "FORBIDDEN", message: "You are not a member of organization org_a." };
    expect(await refusal(bob().query(api.myOrgs.projects, { orgId: "org_a" }))).toMatchObject(plain); // no active organization
    const carolInOrgC = t.withIdentity({ subject: "user_carol", v: 2, o: { id: "org_c", rol: "admin" } } as never);
    expect(await refusal(carolInOrgC.query(api.myOrgs.projects, { orgId: "org_a" }))).toMatchObject(plain); // another one active
  });
});

describe("getMembership and listMyOrganizations", () => {
  test("getMembership defaults to the token's active organization", async () => {
    expect(await ada().query(api.myOrgs.membership, {})).toMatchObject({ clerkId: "orgmem_2", orgId: "org_b" });
    expect(await bob().query(api.myOrgs.membership, {})).toBeNull(); // no active org
    expect(await t.query(api.myOrgs.membership, { orgId: "org_a" })).toBeNull(); // signed out
  });

  test("works in an action too", async () => {
    expect(await ada().action(api.myOrgs.roleIn, { orgId: "org_a" })).toBe("org:admin");
    expect(await bob().action(api.myOrgs.roleIn, { orgId: "org_a" })).toBeNull();
  });

  test("listMyOrganizations lists every organization with the membership, and drops a deleted one at once", async () => {
    await deliver(t, organizationEvent("organization.updated", clerkOrganization("org_a", { name: "Acme", updated_at: T0 + 1 })));
    const mine = await ada().query(api.myOrgs.mine, {});
    expect(mine.map(({ organization, membership }) => [organization.name, membership.role])).toEqual([
      ["Acme", "org:admin"],
      ["Org org_b", "org:member"],
    ]);
    await deliver(t, organizationDeletedEvent("org_a"));
    expect((await ada().query(api.myOrgs.mine, {})).map(({ organization }) => organization.clerkId)).toEqual(["org_b"]);
    expect(await t.query(api.myOrgs.mine, {})).toEqual([]);
  });
});
