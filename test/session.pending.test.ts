import {
  getCurrentUser,
  getMembership,
  hasRole,
  isClerkUsersError,
  listMyOrganizations,
  requireMembership,
  requireRole,
  requireUser,
  type SessionOptions,
} from "convex-clerk-users";
import { beforeEach, describe, expect, test } from "vitest";
import { api, components } from "../example/convex/_generated/api";
import { clerkMembership, clerkUser, membershipEvent, userEvent } from "./fixtures/clerk";
import { deliver, setup, type TestBackend } from "./setup";

// A session with unfinished tasks (Clerk's `sts: "pending"`) is signed out by default, in every
// helper alike, as in Clerk's own auth(); `treatPendingAsSignedOut: false` lets it in.

const component = components.clerkUsers;
/** Ada's v2 session token with org_a active, as Clerk issues it while a task is left. */
const PENDING = { subject: "user_ada", v: 2, sts: "pending", o: { id: "org_a", rol: "admin" } };
const ACTIVE = { ...PENDING, sts: "active" };

let t: TestBackend;
beforeEach(async () => {
  t = setup();
  await deliver(t, userEvent("user.created", clerkUser("user_ada")));
  await deliver(t, membershipEvent("organizationMembership.created", clerkMembership("orgmem_1", "org_a", "user_ada", { role: "org:admin" })));
});

async function codeOf(promise: Promise<unknown>) {
  try {
    await promise;
    return "ok";
  } catch (error) {
    if (isClerkUsersError(error)) return error.data.code;
    throw error;
  }
}

/** What each helper answers for `identity`, with `options`. */
function answers(identity: object, options?: SessionOptions) {
  return t.withIdentity(identity as never).run(async (ctx) => ({
    getCurrentUser: (await getCurrentUser(ctx, component, options))?.clerkId ?? null,
    requireUser: await codeOf(requireUser(ctx, component, options)),
    getMembership: (await getMembership(ctx, component, undefined, options))?.role ?? null,
    requireMembership: await codeOf(requireMembership(ctx, component, { role: "org:admin", ...options })),
    listMyOrganizations: (await listMyOrganizations(ctx, component, options)).length,
    hasRole: hasRole(await ctx.auth.getUserIdentity(), "admin", options),
    requireRole: await codeOf(requireRole(ctx, "admin", options)),
  }));
}

const SIGNED_IN = {
  getCurrentUser: "user_ada",
  requireUser: "ok",
  getMembership: "org:admin",
  requireMembership: "ok",
  listMyOrganizations: 1,
  hasRole: true,
  requireRole: "ok",
};
const SIGNED_OUT = {
  getCurrentUser: null,
  requireUser: "UNAUTHENTICATED",
  getMembership: null,
  requireMembership: "UNAUTHENTICATED",
  listMyOrganizations: 0,
  hasRole: false,
  requireRole: "UNAUTHENTICATED",
};

describe("a pending session", () => {
  test("an active session is signed in everywhere", async () => {
    expect(await answers(ACTIVE)).toEqual(SIGNED_IN);
  });

  test("is signed out by every helper, by default", async () => {
    expect(await answers(PENDING)).toEqual(SIGNED_OUT);
  });

  test("is signed in everywhere with treatPendingAsSignedOut: false", async () => {
    expect(await answers(PENDING, { treatPendingAsSignedOut: false })).toEqual(SIGNED_IN);
  });

  test("requireUser says why: the session has tasks left", async () => {
    await expect(t.withIdentity(PENDING as never).run((ctx) => requireUser(ctx, component))).rejects.toThrow(/unfinished tasks/);
  });

  test("a pending user cannot create a provisional row", async () => {
    const newcomer = { subject: "user_new", v: 2, sts: "pending" };
    await expect(t.withIdentity(newcomer as never).mutation(api.messages.post, { body: "hi" })).rejects.toThrow(/unfinished tasks/);
    expect(await t.query(component.users.getByClerkId, { clerkId: "user_new" })).toBeNull();
  });
});
