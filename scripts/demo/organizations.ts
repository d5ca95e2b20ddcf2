/**
 * The demo's organizations scene: Acme and Globex, with Alice and Bob as members. Deliveries
 * arrive out of order (a membership before its organization, a role change before the one it
 * replaced), then Globex is deleted. Each outcome is checked against what Clerk's promises
 * say it must be, and the example's `myOrgs` functions are called for an organization that is
 * not the caller's active one.
 */
import type { OrganizationMembershipJSON, WebhookEvent } from "@clerk/backend";
import { isClerkUsersError } from "convex-clerk-users";
import { api, components } from "../../example/convex/_generated/api";
import { clerkMembership, clerkOrganization, membershipEvent, organizationDeletedEvent, organizationEvent, sign } from "../../test/fixtures/clerk";
import type { Backend } from "./backend";
import { table, type Checks } from "./report";

const T = Date.UTC(2025, 0, 6, 10, 0);
const min = 60_000;

const acme = (name: string, at: number) => clerkOrganization("org_acme", { name, slug: "acme", updated_at: at, created_at: T });
const globex = clerkOrganization("org_globex", { name: "Globex", slug: "globex", updated_at: T, created_at: T });
const membership = (
  id: string,
  orgId: string,
  userId: string,
  role: string,
  at: number,
  organization = orgId === "org_acme" ? acme("Acme Inc.", T + 1 * min) : globex,
): OrganizationMembershipJSON =>
  clerkMembership(id, orgId, userId, {
    role,
    permissions: role === "org:admin" ? ["org:projects:create"] : [],
    created_at: T,
    updated_at: at,
    organization,
    public_user_data: { identifier: `${userId.slice(5)}@acme.example` },
  });

/** The deliveries, in arrival order, each with the outcome Clerk's promises say it must have. */
const deliveries: { event: WebhookEvent; note: string; expected: string }[] = [
  {
    event: membershipEvent("organizationMembership.created", membership("orgmem_bob", "org_acme", "user_bob", "org:member", T + 2 * min)),
    note: "before its organization's own event",
    expected: "created",
  },
  { event: organizationEvent("organization.created", acme("Acme", T)), note: "older than the copy Bob's membership carried", expected: "stale" },
  {
    event: membershipEvent("organizationMembership.created", membership("orgmem_alice", "org_acme", "user_alice", "org:admin", T + 2 * min)),
    note: "",
    expected: "created",
  },
  {
    event: membershipEvent("organizationMembership.updated", membership("orgmem_bob", "org_acme", "user_bob", "org:admin", T + 8 * min)),
    note: "Bob promoted",
    expected: "updated",
  },
  {
    event: membershipEvent("organizationMembership.updated", membership("orgmem_bob", "org_acme", "user_bob", "org:member", T + 5 * min)),
    note: "out of order: older than the promotion",
    expected: "stale",
  },
  { event: organizationEvent("organization.created", globex), note: "", expected: "created" },
  {
    event: membershipEvent("organizationMembership.created", membership("orgmem_alice_g", "org_globex", "user_alice", "org:admin", T + 3 * min)),
    note: "",
    expected: "created",
  },
];

/** Alice, with Acme active in her token: Globex is never the token's organization. */
const alice = { subject: "user_alice", v: 2, o: { id: "org_acme", rol: "admin", slg: "acme" } };
const bob = { subject: "user_bob", v: 2, o: { id: "org_acme", rol: "admin", slg: "acme" } };

export async function organizationsScene(t: Backend, checks: Checks, secret: string) {
  const rows = [["#", "event", "id", "note", "status", "outcome"]];
  for (const [i, { event, note, expected }] of deliveries.entries()) {
    const signed = sign(event, { id: `msg_org_${i}`, secret });
    const res = await t.fetch("/clerk-users-webhook", { method: "POST", headers: signed.headers, body: signed.body });
    const outcome = ((await res.json()) as { outcome?: string }).outcome ?? "rejected";
    checks.expect(`organization delivery ${i + 1}`, { status: res.status, outcome }, { status: 200, outcome: expected });
    rows.push([
      `${i + 1}`,
      event.type,
      (event.data as { id: string }).id,
      note,
      `${res.status}`,
      outcome === expected ? outcome : `${outcome} (expected ${expected})`,
    ]);
  }
  table("Organization and membership deliveries, in arrival order", rows);

  const organizations = (await t.query(components.clerkUsers.organizations.list, { paginationOpts: { numItems: 10, cursor: null } })).page;
  checks.expect(
    "organizations table",
    organizations.map(({ clerkId, name }) => ({ clerkId, name })),
    [
      { clerkId: "org_acme", name: "Acme Inc." },
      { clerkId: "org_globex", name: "Globex" },
    ],
  );
  const acmeMembers = (
    await t.query(components.clerkUsers.memberships.listByOrganization, { orgId: "org_acme", paginationOpts: { numItems: 10, cursor: null } })
  ).page;
  checks.expect(
    "Acme's members",
    acmeMembers.map(({ userId, role }) => ({ userId, role })),
    [
      { userId: "user_alice", role: "org:admin" },
      { userId: "user_bob", role: "org:admin" },
    ],
  );
  table("Acme's members (the component's memberships table)", [
    ["user", "identifier", "role"],
    ...acmeMembers.map((m) => [m.userId, m.identifier ?? "", m.role]),
  ]);

  // requireMembership for Globex: not the token's active organization for anyone.
  const projects = async (claims: object) => {
    try {
      await t.withIdentity(claims).query(api.myOrgs.projects, { orgId: "org_globex" });
      return "allowed";
    } catch (error) {
      return isClerkUsersError(error) ? error.data.code : `crashed: ${String(error)}`;
    }
  };
  const before = { alice: await projects(alice), bob: await projects(bob) };
  checks.expect("Globex projects before its deletion", before, { alice: "allowed", bob: "FORBIDDEN" });

  const signed = sign(organizationDeletedEvent("org_globex"), { id: "msg_org_deleted", secret });
  const res = await t.fetch("/clerk-users-webhook", { method: "POST", headers: signed.headers, body: signed.body });
  checks.expect("organization.deleted Globex", res.status, 200);
  const after = { alice: await projects(alice), bob: await projects(bob) };
  checks.expect("Globex projects after its deletion", after, { alice: "FORBIDDEN", bob: "FORBIDDEN" });
  const mine = await t.withIdentity(alice).query(api.myOrgs.mine, {});
  checks.expect(
    "Alice's organizations after Globex was deleted",
    mine.map(({ organization, membership }) => [organization.name, membership.role]),
    [["Acme Inc.", "org:admin"]],
  );

  table("requireMembership for Globex (Acme is everyone's active organization)", [
    ["caller", "before Globex was deleted", "after"],
    ["Alice (Globex admin)", before.alice, after.alice],
    ["Bob (not a member)", before.bob, after.bob],
  ]);
  console.log(`  Alice's organizations now (listMyOrganizations): ${mine.map(({ organization }) => organization.name).join(", ")}`);
}
