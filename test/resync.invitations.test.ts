import { makeFunctionReference } from "convex/server";
import { isResyncError, makeResyncAction, type ResyncStatus } from "convex-clerk-users";
import clerkUsersTest, {
  clerkInvitation,
  clerkOrganization,
  deliver,
  invitationAccepted,
  invitationCreated,
  setTestWebhookSecret,
  type ClerkInvitationJSON,
} from "convex-clerk-users/test";
import { convexTest } from "convex-test";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import schema from "../example/convex/schema";
import { SECRET_KEY, clerkUsers, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";
import { captureLogs } from "./fixtures/logs";
import { hookCalls, recordingHooks, recordingHooksRef } from "./fixtures/recording";
import { appModules } from "./setup";

const logs = captureLogs();

/**
 * The resync with `{ invitations: true }`, run as an app runs it, against a real HTTP server
 * playing Clerk's Backend API: 3 users, and 12 invitations to 2 organizations in every status.
 */

const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 };
const common = { pageSize: 5, retry: fastRetry, rateLimit: false as const, hooks: recordingHooksRef };
const actions = {
  usersOnly: makeResyncAction(components.clerkUsers, common),
  withInvitations: makeResyncAction(components.clerkUsers, { ...common, invitations: true }),
};
const run = (name: keyof typeof actions) => t.action(makeFunctionReference<"action", { runId?: string }, ResyncStatus>(`invitationSync:${name}`), {});

const T0 = 1_700_300_000_000;
const acme = clerkOrganization({ id: "org_acme", name: "Acme", created_at: T0, updated_at: T0 });
const beta = clerkOrganization({ id: "org_beta", name: "Beta", created_at: T0, updated_at: T0 });
const STATUSES = ["pending", "accepted", "revoked", "expired"];

/** Invitation `i`: to `acme` or `beta` in turn, a second apart, in every status; created far enough back for any expiry. */
function invitations(n: number): ClerkInvitationJSON[] {
  return Array.from({ length: n }, (_, i) => {
    const at = Date.now() - (n - i) * 1000;
    const status = STATUSES[i % STATUSES.length]!;
    const invitation = clerkInvitation({
      organization: i % 2 === 0 ? acme : beta,
      id: `orginv_${String(i).padStart(4, "0")}`,
      email_address: `Invitee${i}@Example.com`,
      created_at: at,
      updated_at: at + 500,
      status,
    });
    return status === "accepted" ? { ...invitation, user_id: `user_${String(i).padStart(6, "0")}` } : invitation;
  });
}

let api: FakeClerkApi;
let t: ReturnType<typeof convexTest>;
beforeEach(async () => {
  api = await startFakeClerkApi({ users: clerkUsers(3), organizations: [acme, beta], invitations: invitations(12) });
  process.env.CLERK_SECRET_KEY = SECRET_KEY;
  process.env.CLERK_API_URL = api.url;
  setTestWebhookSecret();
  t = convexTest({
    schema,
    modules: { ...appModules, "../example/convex/invitationSync.ts": async () => actions, "../example/convex/recordingHooks.ts": async () => recordingHooks },
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

const byEmail = (email: string) => t.query(components.clerkUsers.invitations.byEmail, { email });
const everyStored = async () => (await Promise.all(api.invitations.map((invitation) => byEmail(invitation.email_address)))).flat();
const listRequests = () => api.log.filter((request) => request.path === "/v1/organization_invitations");

describe("a resync with { invitations: true }", () => {
  test("without the option it makes no invitation request and stores none", async () => {
    expect(await run("usersOnly")).toMatchObject({ state: "completed", kinds: ["user"] });
    expect(api.log.every((request) => request.path === "/v1/users")).toBe(true);
    expect(await everyStored()).toEqual([]);
  });

  test("stores every invitation of the instance, in every status, from pages of the list oldest first", async () => {
    const status = await run("withInvitations");
    expect(status).toMatchObject({ state: "completed", kinds: ["user", "invitation"], counts: { invitation: { seen: 12, created: 12, removed: 0 } } });
    const requests = listRequests();
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const request of requests) {
      expect(request.orderBy).toBe("+created_at");
      // No status filter: Clerk lists every status.
      expect(new URLSearchParams(request.search).has("status")).toBe(false);
    }
    const stored = await everyStored();
    expect(stored.map((invitation) => [invitation.clerkId, invitation.status, invitation.emailAddress])).toEqual(
      api.invitations.map((invitation, i) => [invitation.id, STATUSES[i % 4], `invitee${i}@example.com`]),
    );
    expect(JSON.stringify(stored)).not.toContain("token=");
    const pending = await t.query(components.clerkUsers.invitations.listPending, { organizationId: acme.id, paginationOpts: { numItems: 100, cursor: null } });
    expect(pending.page.map((invitation) => invitation.clerkId)).toEqual(["orginv_0000", "orginv_0004", "orginv_0008"]);
    // A resync's first pass creates what already existed: created in `accepted` or `revoked`, each hook once.
    expect(hookCalls.filter((call) => call.hook === "onInvitationCreated")).toHaveLength(12);
    expect(hookCalls.filter((call) => call.hook === "onInvitationAccepted").map((call) => (call.args.invitation as { clerkId: string }).clerkId)).toEqual([
      "orginv_0001",
      "orginv_0005",
      "orginv_0009",
    ]);
    expect(hookCalls.filter((call) => call.hook === "onInvitationRevoked")).toHaveLength(3);
    // A second pass over an unchanged Clerk changes nothing and fires nothing.
    hookCalls.length = 0;
    expect(await run("withInvitations")).toMatchObject({ state: "completed", counts: { invitation: { unchanged: 12, created: 0, updated: 0 } } });
    expect(hookCalls).toEqual([]);
  });

  test("keeps who accepted an invitation, which the Backend API's copy of the same version leaves out", async () => {
    const accepted = api.invitations[1]!;
    expect(await deliver(t, [invitationAccepted(accepted, "user_000001", { updated_at: accepted.updated_at })])).toEqual([200]);
    await run("withInvitations");
    expect(await byEmail(accepted.email_address)).toMatchObject([{ status: "accepted", userId: "user_000001" }]);
  });

  test("reconcile removes an invitation Clerk no longer has, asked about by id in its organization, and keeps one its list missed", async () => {
    // Stored by webhooks, then gone from Clerk (its organization's admin deleted it in a way no event told).
    const gone = invitationCreated({ organization: acme, id: "orginv_gone", email_address: "gone@example.com", created_at: Date.now() - 5500 });
    expect(await deliver(t, [gone])).toEqual([200]);
    const missed = api.invitations[3]!;
    expect(await deliver(t, [invitationCreated({ ...missed, organization: beta })])).toEqual([200]);
    api.hiddenFromListing.add(missed.id);
    const status = await run("withInvitations");
    expect(status).toMatchObject({ state: "completed", counts: { invitation: { removed: 1 } } });
    expect(await byEmail("gone@example.com")).toEqual([]);
    expect(await byEmail(missed.email_address)).toMatchObject([{ clerkId: missed.id }]);
    const asked = api.log.filter((request) => /^\/v1\/organizations\/[^/]+\/invitations\//.test(request.path)).map((request) => [request.path, request.status]);
    expect(asked).toEqual(
      expect.arrayContaining([
        ["/v1/organizations/org_acme/invitations/orginv_gone", 404],
        [`/v1/organizations/org_beta/invitations/${missed.id}`, 200],
      ]),
    );
    expect(hookCalls.filter((call) => call.hook === "onInvitationDeleted").map((call) => call.args.clerkId)).toEqual(["orginv_gone"]);
  });

  test("the removal guard holds: a key that lists none of the stored invitations removes none", async () => {
    await run("withInvitations");
    // Another instance's key: its invitations are others entirely.
    api.invitations = invitations(12).map((invitation, i) => ({ ...invitation, id: `orginv_other_${i}`, organization_id: "org_other" }));
    const error = await run("withInvitations").catch((e: unknown) => e);
    expect(isResyncError(error, "TOO_MANY_REMOVALS")).toBe(true);
    expect(logs.take(/TOO_MANY_REMOVALS: .*before removing 12 invitations/)).toHaveLength(1);
    expect((await everyStored()).filter((invitation) => invitation.orgId !== "org_other")).toHaveLength(12);
  });
});
