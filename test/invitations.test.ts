import { HANDLED_EVENTS } from "convex-clerk-users";
import {
  clerkInvitation,
  clerkUser,
  deliver,
  INVITATION_LIFETIME_MS,
  invitationAccepted,
  invitationCreated,
  invitationRevoked,
  organizationCreated,
  organizationDeleted,
} from "convex-clerk-users/test";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import { withLimits } from "../src/component/limits";
import { enteredStatus, invitationFromClerk, invitationStatusAt } from "../src/shared/kinds/invitation";
import { callsOf, invitationBackend, stored, storedInvitationRows } from "./fixtures/invitations";
import { hookCalls } from "./fixtures/recording";
import { captureLogs } from "./fixtures/logs";

// Organization invitations through the webhook as Clerk delivers them (signed, through t.fetch),
// read back through the component's queries as an app reads them.

const logs = captureLogs();
const DAY = 24 * 60 * 60 * 1000;
const page = (numItems = 100, cursor: string | null = null) => ({ numItems, cursor });

let t: ReturnType<typeof invitationBackend>;
beforeEach(() => {
  t = invitationBackend();
});
afterEach(() => {
  logs.take(/./);
});

const ok = (statuses: number[]) => expect(statuses.every((status) => status === 200)).toBe(true);
const pending = async (organizationId: string, numItems = 100) => {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const result: { page: { clerkId: string }[]; isDone: boolean; continueCursor: string } = await t.query(components.clerkUsers.invitations.listPending, {
      organizationId,
      paginationOpts: page(numItems, cursor),
    });
    ids.push(...result.page.map((invitation) => invitation.clerkId));
    if (result.isDone) return ids;
    cursor = result.continueCursor;
  }
};

/** An organization with three invitations: one accepted, one revoked, one still pending. */
function history() {
  const acme = organizationCreated({ name: "Acme" });
  const grace = clerkUser();
  const now = Date.now();
  const toAda = invitationCreated({ organization: acme.data, email_address: "Ada@Example.com", created_at: now - 3000 });
  const toKate = invitationCreated({ organization: acme.data, email_address: "kate@example.com", role: "org:admin", created_at: now - 2000 });
  const toAlan = invitationCreated({ organization: acme.data, email_address: "alan@example.com", created_at: now - 1000 });
  const accepted = invitationAccepted(toAda.data, grace, { updated_at: now + 1000 });
  const revoked = invitationRevoked(toKate.data, { updated_at: now + 2000 });
  return { acme, grace, toAda, toKate, toAlan, accepted, revoked, events: [acme, toAda, toKate, toAlan, accepted, revoked] };
}

describe("the webhook stores invitations", () => {
  test("Clerk's three invitation events are handled", () => {
    expect(HANDLED_EVENTS).toEqual(
      expect.arrayContaining(["organizationInvitation.created", "organizationInvitation.accepted", "organizationInvitation.revoked"]),
    );
  });

  test("shuffled and duplicated deliveries converge to what the in-order deliveries store", async () => {
    const { events, toAda, toKate, toAlan, grace } = history();
    ok(await deliver(t, events));
    const expected = await storedInvitationRows(t);
    expect(expected.map((row) => [row.clerkId, row.status, row.userId])).toEqual(
      [
        [toAda.data.id, "accepted", grace.id],
        [toKate.data.id, "revoked", undefined],
        [toAlan.data.id, "pending", undefined],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    for (const seed of [1, 2, 3, 4, 5]) {
      t = invitationBackend();
      ok(await deliver(t, events, { shuffle: true, duplicate: true, seed }));
      expect(await storedInvitationRows(t)).toEqual(expected);
    }
  });

  test("the row: the address lower-cased, Clerk's role and status, who accepted it; never its url (its token) or private metadata", async () => {
    const { events, toAda, accepted, acme, grace } = history();
    ok(await deliver(t, events));
    const rows = await storedInvitationRows(t);
    expect(rows.find((row) => row.clerkId === toAda.data.id)).toEqual({
      clerkId: toAda.data.id,
      orgId: acme.data.id,
      emailAddress: "ada@example.com",
      role: "org:member",
      roleName: "Member",
      status: "accepted",
      userId: grace.id,
      expiresAt: toAda.data.expires_at,
      createdAt: toAda.data.created_at,
      updatedAt: accepted.data.updated_at,
    });
    const text = JSON.stringify(await stored(t));
    expect(toAda.data.url).toContain("token=");
    expect(text).not.toContain(toAda.data.url!.split("?")[1]);
    expect(text).not.toContain("accept-invitation");
    expect(text).not.toContain(String(toAda.data.private_metadata.referral));
    for (const row of rows) expect(Object.keys(row)).not.toEqual(expect.arrayContaining(["url"]));
    for (const row of rows) expect(Object.keys(row).filter((key) => /private/i.test(key))).toEqual([]);
  });

  test("Clerk's example payload is stored (its organization_id; public_organization_data.id when that is absent)", () => {
    // organizationInvitation.accepted's example in Clerk's webhook spec.
    const example = {
      object: "organization_invitation",
      id: "orginv_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
      email_address: "jane.doe@acme.com",
      role: "org:member",
      role_name: "Member",
      organization_id: "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
      status: "accepted",
      public_metadata: {},
      private_metadata: {},
      url: "https://accounts.acme.com/accept-invitation?token=abc123",
      user_id: "user_2h8op3Isl1QR7tKu5FGNfaLKEoU",
      expires_at: 1717487999000,
      created_at: 1716883200000,
      updated_at: 1716883500000,
    };
    expect(invitationFromClerk(example)).toEqual({
      clerkId: example.id,
      orgId: example.organization_id,
      emailAddress: "jane.doe@acme.com",
      role: "org:member",
      roleName: "Member",
      status: "accepted",
      userId: example.user_id,
      expiresAt: 1717487999000,
      createdAt: 1716883200000,
      updatedAt: 1716883500000,
    });
    const { organization_id: _org, ...withoutOrgId } = example;
    expect(invitationFromClerk({ ...withoutOrgId, public_organization_data: { id: "org_x", name: "X", slug: "x", has_image: false } })).toMatchObject({
      orgId: "org_x",
    });
    expect(invitationFromClerk(withoutOrgId)).toBeNull();
    expect(invitationFromClerk({ ...example, created_at: null })).toBeNull();
  });

  test("a payload that is not an invitation is refused with a 400, and nothing is stored", async () => {
    const acme = organizationCreated();
    const { organization_id: _org, public_organization_data: _data, ...orphan } = clerkInvitation({ organization: acme.data });
    const bad = { ...invitationCreated({ organization: acme.data }), data: orphan };
    expect(await deliver(t, [bad])).toEqual([400]);
    expect(logs.take(/organizationInvitation.created payload is not a Clerk organization invitation/)).toHaveLength(1);
    expect(await storedInvitationRows(t)).toEqual([]);
  });
});

describe("invitations.listPending", () => {
  test("an organization's pending invitations, oldest first: not accepted, revoked or expired ones, nor another organization's", async () => {
    const { events, acme, toAlan } = history();
    const now = Date.now();
    const other = organizationCreated({ name: "Other" });
    const expired = invitationCreated({ organization: acme.data, created_at: now - 8 * DAY });
    const older = invitationCreated({ organization: acme.data, created_at: now - 2 * DAY });
    const elsewhere = invitationCreated({ organization: other.data });
    ok(await deliver(t, [...events, other, expired, older, elsewhere]));
    expect(expired.data.expires_at).toBe(now - 8 * DAY + INVITATION_LIFETIME_MS);
    expect(await pending(acme.data.id)).toEqual([older.data.id, toAlan.data.id]);
    expect(await pending(other.data.id)).toEqual([elsewhere.data.id]);
    // Its stored status is still pending: Clerk sent no event when it expired.
    expect((await storedInvitationRows(t)).find((row) => row.clerkId === expired.data.id)?.status).toBe("pending");
  });

  test("pages by hand, one at a time, through invitations sent at once (one created_at) without skipping or repeating one", async () => {
    const acme = organizationCreated();
    const at = Date.now() - 1000;
    const bulk = Array.from({ length: 5 }, (_, i) => invitationCreated({ organization: acme.data, email_address: `bulk${i}@example.com`, created_at: at }));
    const earlier = invitationCreated({ organization: acme.data, created_at: at - 500 });
    const later = invitationCreated({ organization: acme.data, created_at: at + 500 });
    ok(await deliver(t, [acme, later, ...bulk, earlier], { shuffle: true, seed: 7 }));
    const ids = await pending(acme.data.id, 1);
    expect(ids).toHaveLength(7);
    expect(ids[0]).toBe(earlier.data.id);
    expect(ids[6]).toBe(later.data.id);
    expect(new Set(ids.slice(1, 6))).toEqual(new Set(bulk.map((event) => event.data.id)));
    expect(await pending(acme.data.id, 2)).toEqual(ids);
  });

  test("a cursor it did not return is refused", async () => {
    await expect(t.query(components.clerkUsers.invitations.listPending, { organizationId: "org_1", paginationOpts: page(10, '"org_1"') })).rejects.toThrow(
      /Not a cursor this list returned/,
    );
  });
});

describe("invitations.byEmail", () => {
  test("every invitation to an address, whatever its case, oldest first, expired ones saying so", async () => {
    const acme = organizationCreated();
    const beta = organizationCreated();
    const now = Date.now();
    const lapsed = invitationCreated({ organization: acme.data, email_address: "Ada.Lovelace@Example.COM", created_at: now - 10 * DAY });
    const again = invitationCreated({ organization: acme.data, email_address: "ada.lovelace@example.com", created_at: now - 1000 });
    const fromBeta = invitationAccepted(
      invitationCreated({ organization: beta.data, email_address: "ADA.LOVELACE@EXAMPLE.COM", created_at: now - 5 * DAY }).data,
      "user_ada",
    );
    const someoneElse = invitationCreated({ organization: acme.data, email_address: "grace@example.com" });
    ok(await deliver(t, [acme, beta, lapsed, again, fromBeta, someoneElse]));
    for (const email of ["ada.lovelace@example.com", "Ada.Lovelace@Example.COM", "  ADA.LOVELACE@example.com "]) {
      const found = await t.query(components.clerkUsers.invitations.byEmail, { email });
      expect(found.map((invitation) => [invitation.clerkId, invitation.status])).toEqual([
        [lapsed.data.id, "expired"],
        [fromBeta.data.id, "accepted"],
        [again.data.id, "pending"],
      ]);
    }
    expect(await t.query(components.clerkUsers.invitations.byEmail, { email: "nobody@example.com" })).toEqual([]);
  });
});

describe("an organization's deletion", () => {
  test("removes its invitations, and a late copy of one never brings it back", async () => {
    const { events, acme, toAlan, toAda, grace } = history();
    ok(await deliver(t, events));
    ok(await deliver(t, [organizationDeleted(acme.data)]));
    expect(await storedInvitationRows(t)).toEqual([]);
    // Late: a newer version of an invitation it had, and one never seen.
    const late = [
      invitationRevoked(toAlan.data, { updated_at: Date.now() + 60_000 }),
      invitationAccepted(toAda.data, grace),
      invitationCreated({ organization: acme.data }),
    ];
    ok(await deliver(t, late, { duplicate: true }));
    expect(await storedInvitationRows(t)).toEqual([]);
    expect(await pending(acme.data.id)).toEqual([]);
    expect(await t.query(components.clerkUsers.invitations.byEmail, { email: "alan@example.com" })).toEqual([]);
  });

  test("hides its invitations from every read while the cascade that removes them is still running", async () => {
    const { events, acme } = history();
    ok(await deliver(t, events));
    await withLimits({ cascadeBatch: 1 }, async () => {
      ok(await deliver(t, [organizationDeleted(acme.data)]));
    });
    // The cascade's first batch removed one; its continuation (scheduled, not run yet) has two left.
    expect(await storedInvitationRows(t)).toHaveLength(2);
    expect(await pending(acme.data.id)).toEqual([]);
    for (const email of ["ada@example.com", "kate@example.com", "alan@example.com"])
      expect(await t.query(components.clerkUsers.invitations.byEmail, { email })).toEqual([]);
  });
});

describe("onInvitationCreated, onInvitationAccepted and onInvitationRevoked", () => {
  const invitationHooks = () => hookCalls.filter((call) => call.hook.startsWith("onInvitation")).map((call) => call.hook);

  test("each fires once per real change: an invitation sent, then accepted; another sent, then revoked", async () => {
    const { acme, toAda, accepted, toKate, revoked } = history();
    ok(await deliver(t, [acme, toAda, accepted, toKate, revoked]));
    expect(invitationHooks()).toEqual([
      "onInvitationCreated",
      "onInvitationUpdated",
      "onInvitationAccepted",
      "onInvitationCreated",
      "onInvitationUpdated",
      "onInvitationRevoked",
    ]);
    expect(callsOf("onInvitationAccepted")).toEqual([
      { invitation: expect.objectContaining({ clerkId: toAda.data.id, status: "accepted" }), source: "webhook" },
    ]);
    expect(callsOf("onInvitationRevoked")).toEqual([
      { invitation: expect.objectContaining({ clerkId: toKate.data.id, status: "revoked" }), source: "webhook" },
    ]);
  });

  test("not for a redelivery, nor for a stale copy arriving after the acceptance", async () => {
    const { acme, toAda, accepted, toKate, revoked } = history();
    ok(await deliver(t, [acme, toAda, accepted, toKate, revoked]));
    hookCalls.length = 0;
    ok(await deliver(t, [accepted, revoked, toAda, toKate, accepted]));
    expect(invitationHooks()).toEqual([]);
  });

  test("an invitation first seen accepted (or revoked) is created in that status: created and accepted fire once, the late pending copy nothing", async () => {
    const { acme, toAda, accepted, toKate, revoked } = history();
    ok(await deliver(t, [acme, accepted, revoked, toAda, toKate], { duplicate: true }));
    expect(invitationHooks()).toEqual(["onInvitationCreated", "onInvitationAccepted", "onInvitationCreated", "onInvitationRevoked"]);
  });

  test("a newer version in the same status (its metadata changed) is an update, not a second acceptance", async () => {
    const { acme, toAda, accepted } = history();
    const edited = invitationAccepted(accepted.data, accepted.data.user_id!, { public_metadata: { seat: "A" } });
    ok(await deliver(t, [acme, toAda, accepted, edited]));
    expect(invitationHooks()).toEqual(["onInvitationCreated", "onInvitationUpdated", "onInvitationAccepted", "onInvitationUpdated"]);
  });

  test("an organization's deletion announces each invitation's deletion, not an acceptance or revocation", async () => {
    const { events, acme } = history();
    ok(await deliver(t, events));
    hookCalls.length = 0;
    ok(await deliver(t, [organizationDeleted(acme.data)]));
    expect(invitationHooks()).toEqual(["onInvitationDeleted", "onInvitationDeleted", "onInvitationDeleted"]);
  });
});

describe("pure rules", () => {
  test.each([
    // [stored status, expiresAt, now, status at now]
    ["pending", 1000, 999, "pending"],
    ["pending", 1000, 1000, "expired"],
    ["pending", 1000, 5000, "expired"],
    ["pending", undefined, 5000, "pending"],
    ["accepted", 1000, 5000, "accepted"],
    ["revoked", 1000, 5000, "revoked"],
    ["expired", 9000, 5000, "expired"],
  ] as const)("a %s invitation expiring at %s is %s at %s", (status, expiresAt, now, expected) => {
    expect(invitationStatusAt({ status, expiresAt }, now)).toBe(expected);
  });

  test.each([
    // [status asked, hook event, row's status, replaced row's status, entered]
    ["accepted", "created", "accepted", undefined, true],
    ["accepted", "created", "pending", undefined, false],
    ["accepted", "updated", "accepted", "pending", true],
    ["accepted", "updated", "accepted", "accepted", false],
    ["accepted", "updated", "revoked", "pending", false],
    ["revoked", "updated", "revoked", "pending", true],
    ["revoked", "deleted", "revoked", undefined, false],
  ] as const)("entering %s: a %s event of a %s invitation (was %s) is %s", (status, what, now, before, expected) => {
    expect(enteredStatus(status, what, { status: now }, before === undefined ? undefined : { status: before })).toBe(expected);
  });
});
