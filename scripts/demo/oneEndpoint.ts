/**
 * The demo's "one endpoint for all of Clerk" scene, on a backend of its own whose hooks have an
 * `onEvent`: organization invitations are synced (one accepted, one revoked, one still pending),
 * a sign-in and an email Clerk would send reach `onEvent` once each however often Svix delivers
 * them, and then Ada asks for her data and is deleted: the export lists what the component held
 * about her, and after `user.deleted` nothing of hers is left but a tombstone.
 */
import { defineClerkHooks, exportUserData, registerRoutes, type ClerkHooksMutation } from "convex-clerk-users";
import { httpRouter, makeFunctionReference } from "convex/server";
import { components } from "../../example/convex/_generated/api";
import { internalMutation } from "../../example/convex/_generated/server";
import * as kit from "../../src/testkit/events/index";
import { sign } from "../../test/fixtures/clerk";
import { startBackend } from "./backend";
import { table, type Checks } from "./report";

const T = Date.UTC(2025, 0, 6, 13, 0);
const min = 60_000;

/** What the app's `onEvent` and invitation hooks saw, in order. */
const seen: string[] = [];
const hooks = defineClerkHooks(internalMutation, {
  onEvent: async (_ctx, { event }) => {
    seen.push(`onEvent ${event.type}`);
  },
  onInvitationAccepted: async (_ctx, { invitation }) => {
    seen.push(`onInvitationAccepted ${invitation.emailAddress}`);
  },
  onInvitationRevoked: async (_ctx, { invitation }) => {
    seen.push(`onInvitationRevoked ${invitation.emailAddress}`);
  },
});
const hooksRef = makeFunctionReference<"mutation">("demoHooks:clerkHooks") as unknown as ClerkHooksMutation;
const http = httpRouter();
registerRoutes(http, components.clerkUsers, { hooks: hooksRef });

const ada = kit.userCreated({ id: "user_ada", first_name: "Ada", last_name: "Lovelace", email: "ada@acme.example", created_at: T, updated_at: T });
const acme = kit.organizationCreated({ id: "org_acme", name: "Acme", slug: "acme", created_at: T, updated_at: T });
const toAda = kit.clerkInvitation({ organization: acme.data, email_address: "Ada@Acme.example", created_at: T + min, updated_at: T + min });
const toBob = kit.clerkInvitation({ organization: acme.data, email_address: "bob@acme.example", created_at: T + 2 * min, updated_at: T + 2 * min });
// Expiry is judged when the list is read: Carol's is still open (Clerk's are a week long).
const toCarol = kit.clerkInvitation({
  organization: acme.data,
  email_address: "carol@acme.example",
  created_at: T + 3 * min,
  updated_at: T + 3 * min,
  expires_at: Date.now() + kit.INVITATION_LIFETIME_MS,
});
const signIn = {
  type: "session.created",
  object: "event",
  timestamp: T + 5 * min,
  data: { id: "sess_ada", object: "session", user_id: "user_ada", status: "active" },
};
const email = {
  type: "email.created",
  object: "event",
  timestamp: T + 6 * min,
  data: { id: "ema_1", object: "email", to_email_address: "carol@acme.example", subject: "You're invited", delivered_by_clerk: false },
};

/** The deliveries, in arrival order: `id` names the Svix message, so a redelivery repeats it. */
const deliveries: { id: string; event: object; note: string; expected: string }[] = [
  { id: "msg_acme", event: acme, note: "", expected: "created" },
  { id: "msg_inv_ada", event: kit.invitationCreated({ ...toAda, organization: acme.data }), note: "to Ada@Acme.example", expected: "created" },
  { id: "msg_inv_bob", event: kit.invitationCreated({ ...toBob, organization: acme.data }), note: "", expected: "created" },
  { id: "msg_inv_carol", event: kit.invitationCreated({ ...toCarol, organization: acme.data }), note: "", expected: "created" },
  { id: "msg_ada", event: ada, note: "Ada signs up", expected: "created" },
  { id: "msg_accept", event: kit.invitationAccepted(toAda, ada.data), note: "Ada accepts", expected: "updated" },
  { id: "msg_revoke", event: kit.invitationRevoked(toBob), note: "Bob's is revoked", expected: "updated" },
  { id: "msg_signin", event: signIn, note: "not synced: onEvent", expected: "handled" },
  { id: "msg_email", event: email, note: "not synced: onEvent", expected: "handled" },
  { id: "msg_signin", event: signIn, note: "Svix redelivers it", expected: "duplicate" },
];

export async function oneEndpointScene(checks: Checks, secret: string) {
  const t = startBackend({
    "../example/convex/http.ts": async () => ({ default: http }),
    "../example/convex/demoHooks.ts": async () => ({ clerkHooks: hooks }),
  });
  const post = async (id: string, event: object) => {
    const signed = sign(event, { id, secret });
    const res = await t.fetch("/clerk-users-webhook", { method: "POST", headers: signed.headers, body: signed.body });
    return { status: res.status, outcome: ((await res.json()) as { outcome?: string }).outcome ?? "" };
  };

  const rows = [["#", "event", "note", "status", "outcome"]];
  for (const [i, { id, event, note, expected }] of deliveries.entries()) {
    const { status, outcome } = await post(id, event);
    checks.expect(`one endpoint: delivery ${i + 1}`, { status, outcome }, { status: 200, outcome: expected });
    rows.push([`${i + 1}`, (event as { type: string }).type, note, `${status}`, outcome === expected ? outcome : `${outcome} (expected ${expected})`]);
  }
  table("One endpoint for all of Clerk: invitations synced, other events handed to onEvent once each", rows);
  checks.expect("the app's hooks, once per real change or delivery", seen, [
    "onInvitationAccepted ada@acme.example",
    "onInvitationRevoked bob@acme.example",
    "onEvent session.created",
    "onEvent email.created",
  ]);

  const pending = await t.query(components.clerkUsers.invitations.listPending, { organizationId: "org_acme", paginationOpts: { numItems: 10, cursor: null } });
  checks.expect(
    "Acme's pending invitations",
    pending.page.map((invitation) => invitation.emailAddress),
    ["carol@acme.example"],
  );

  const before = await t.run((ctx) => exportUserData(ctx, components.clerkUsers, "user_ada"));
  const summary = (data: typeof before) => ({
    user: data.user?.email ?? null,
    deleted: data.deleted,
    invitations: (data.rows.invitation ?? []).map((invitation) => `${invitation.emailAddress} (${invitation.status})`),
  });
  checks.expect("Ada's data before her deletion (exportUserData)", summary(before), {
    user: "ada@acme.example",
    deleted: false,
    invitations: ["ada@acme.example (accepted)"],
  });
  await post("msg_ada_deleted", kit.userDeleted(ada.data.id));
  await t.finishAllScheduledFunctions(() => {});
  const after = await t.run((ctx) => exportUserData(ctx, components.clerkUsers, "user_ada"));
  checks.expect("Ada's data after user.deleted", summary(after), { user: null, deleted: true, invitations: [] });
  table("exportUserData for Ada", [
    ["", "user", "deleted", "invitations"],
    ["before user.deleted", summary(before).user ?? "—", `${before.deleted}`, summary(before).invitations.join(", ") || "—"],
    ["after", summary(after).user ?? "—", `${after.deleted}`, summary(after).invitations.join(", ") || "—"],
  ]);
}
