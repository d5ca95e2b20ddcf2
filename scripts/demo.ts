/**
 * `npm run demo`: the whole flow, in-process, no accounts needed.
 *
 * Clerk's webhook deliveries for three users arrive the way they do in production
 * (out of order, retried, one after its user was deleted, plus one forgery), signed with
 * svix and posted to the example app's endpoint on convex-test's embedded backend. Then
 * the example app's functions are called as each user, with Clerk session-token claims.
 * Then an organizations scene (scripts/demo/organizations.ts): memberships before their
 * organization, a role change out of order, an organization deleted, and membership checks
 * for an organization that is not the caller's active one. Then a billing scene
 * (scripts/demo/billing.ts): plans synced by a resync from a local fake of Clerk's Backend API,
 * an upgrade, a failed renewal, a cancellation that keeps the features until the period ends,
 * and a billing check for an organization that is not the caller's active one. Then one endpoint
 * for all of Clerk (scripts/demo/oneEndpoint.ts): invitations synced, other events handed to the
 * app's `onEvent` once each, and a person's data exported, then erased by `user.deleted`.
 * Every result is checked against expectations worked out independently
 * (scripts/demo/expectations.ts); any divergence exits non-zero.
 */
import { isClerkUsersError } from "convex-clerk-users";
import type { UserIdentity } from "convex/server";
import { api, components } from "../example/convex/_generated/api";
import { clerkUser, deletedEvent, sign, userEvent, WEBHOOK_SECRET } from "../test/fixtures/clerk";
import { startBackend, type Backend } from "./demo/backend";
import {
  expectedPermission,
  expectedProfiles,
  expectedResponses,
  expectedMessagesAfter,
  expectedUsers,
  REQUIREMENTS,
  type Action,
  type ExpectedMessage,
  type Delivery,
  type Persona,
  type Version,
} from "./demo/expectations";
import { billingScene } from "./demo/billing";
import { oneEndpointScene } from "./demo/oneEndpoint";
import { organizationsScene } from "./demo/organizations";
import { healthScenes } from "./demo/health";
import { Checks, table } from "./demo/report";

// ---- The story, on Clerk's clock -------------------------------------------------------

const T = Date.UTC(2025, 0, 6, 9, 0); // Monday 09:00
const min = 60_000;
const version = (clerkId: string, label: string, firstName: string, lastName: string, email: string, updatedAt: number): Version => ({
  clerkId,
  label,
  firstName,
  lastName,
  email,
  updatedAt,
});

const alice1 = version("user_alice", "v1", "Alice", "Liddell", "alice@wonderland.example", T);
const alice2 = version("user_alice", "v2", "Alice", "Liddell", "Alice@Acme.example", T + 5 * min); // new work email
const alice3 = version("user_alice", "v3", "Alice", "Hargreaves", "Alice@Acme.example", T + 9 * min); // married
const bob1 = version("user_bob", "v1", "Bob", "Stone", "bob@acme.example", T + 1 * min);
const bob2 = version("user_bob", "v2", "Robert", "Stone", "bob@acme.example", T + 3 * min); // prefers his full name
const carol1 = version("user_carol", "v1", "Carol", "Shaw", "carol@acme.example", T + 2 * min);
const carol2 = version("user_carol", "v2", "Carol", "Shaw", "carol@home.example", T + 4 * min); // in flight when she left

type Event = Pick<Delivery, "type" | "clerkId" | "version">;
const created = (v: Version): Event => ({ type: "user.created", clerkId: v.clerkId, version: v });
const updated = (v: Version): Event => ({ type: "user.updated", clerkId: v.clerkId, version: v });
const deleted = (clerkId: string): Event => ({ type: "user.deleted", clerkId });

const deliveries: Delivery[] = [];
/** The next delivery to arrive: a fresh svix-id, unless Svix re-sends an earlier message. */
function arrive(event: Event, note = "", options: { resends?: Delivery; forged?: boolean } = {}): Delivery {
  const n = deliveries.length + 1;
  const delivery = { ...event, n, svixId: options.resends?.svixId ?? `msg_${n}`, forged: options.forged ?? false, note };
  deliveries.push(delivery);
  return delivery;
}
/** Svix re-sends a message (same svix-id) when it did not see a 2xx in time. */
const retry = (of: Delivery) => arrive(of, `retry of #${of.n}`, { resends: of });

const aliceJoins = arrive(created(alice1));
const bobRenamed = arrive(updated(bob2), "out of order: before its user.created");
arrive(created(carol1));
arrive(created(bob1), `out of order: older than #${bobRenamed.n}`);
const aliceMarried = arrive(updated(alice3));
arrive(updated(alice2), `out of order: older than #${aliceMarried.n}`);
retry(bobRenamed);
const carolLeaves = arrive(deleted("user_carol"));
arrive(updated(carol2), "after delete");
retry(carolLeaves);
const mallory = { ...alice3, label: "-", email: "mallory@evil.example", updatedAt: T + 60 * min };
arrive(updated(mallory), "forged: another key", { forged: true });
retry(aliceJoins);

/** Who calls the app afterwards, with Clerk session token v2 claims (`o`: active org, `pla`: plans). */
type Claims = Partial<UserIdentity>;
const personas: { persona: Persona; claims: Claims | null }[] = [
  {
    persona: { label: "Alice (org admin, Pro)", clerkId: "user_alice", orgAdmin: true, pro: true },
    claims: { subject: "user_alice", v: 2, o: { id: "org_acme", rol: "admin", slg: "acme" }, pla: "u:pro" },
  },
  {
    persona: { label: "Bob (member, Free)", clerkId: "user_bob", orgAdmin: false, pro: false },
    claims: { subject: "user_bob", v: 2, o: { id: "org_acme", rol: "member", slg: "acme" }, pla: "u:free" },
  },
  {
    persona: { label: "Carol (deleted, token still valid)", clerkId: "user_carol", orgAdmin: false, pro: true },
    claims: { subject: "user_carol", v: 2, pla: "u:pro" },
  },
  { persona: { label: "signed out", clerkId: null, orgAdmin: false, pro: false }, claims: null },
];

// ---- Running it --------------------------------------------------------------------------

const ATTACKER_SECRET = "whsec_" + Buffer.from("not-the-endpoint-signing-key").toString("base64");
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

async function main(): Promise<number> {
  const checks = new Checks();
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  const t = startBackend();
  console.log("convex-clerk-users demo: Clerk webhooks -> the example app, on convex-test's embedded backend");

  // 1. The deliveries. What the endpoint warns is what a deployment would log: collect it.
  const expectedAnswers = expectedResponses(deliveries);
  const rows = [["#", "event", "user", "version", "note", "status", "outcome"]];
  const serverLog = await capturingWarnings(async () => {
    for (const [i, d] of deliveries.entries()) {
      const { status, outcome } = await deliver(t, d);
      const expected = expectedAnswers[i]!;
      checks.expect(`delivery #${d.n} (${d.type} ${d.clerkId})`, { status, outcome }, expected);
      const verdict = status === expected.status && outcome === expected.outcome ? "" : `  <- expected ${expected.status} ${expected.outcome}`;
      rows.push([`${d.n}`, d.type, d.clerkId, d.version?.label ?? "", d.note, `${status}`, outcome + verdict]);
    }
  });
  table("Webhook deliveries, in arrival order", rows);
  for (const line of serverLog) console.log(`  server log: ${line}`);

  // 2. What the component stored, and what the app's hooks wrote.
  const liveUsers = expectedUsers(deliveries);
  const users = (await t.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 100, cursor: null } })).page;
  checks.expect(
    "users table",
    users.map(({ clerkId, email, name, updatedAt }) => ({ clerkId, email, name, updatedAt })),
    liveUsers,
  );
  const versionOf = (u: { clerkId: string; updatedAt: number }) =>
    deliveries.find((d) => d.version?.clerkId === u.clerkId && d.version.updatedAt === u.updatedAt)?.version?.label ?? "?";
  table("Users (the component's table)", [
    ["clerkId", "email", "name", "updatedAt", "version"],
    ...users.map((u) => [u.clerkId, u.email ?? "", u.name ?? "", clock(u.updatedAt), versionOf(u)]),
  ]);
  const gone = [...new Set(deliveries.map((d) => d.clerkId))].filter((id) => !users.some((u) => u.clerkId === id));
  if (gone.length) console.log(`  not listed: ${gone.join(", ")} (deleted in Clerk; later events about them dropped)`);

  const profiles = (await t.run((ctx) => ctx.db.query("profiles").collect()))
    .map(({ clerkId, displayName, versions }) => ({ clerkId, displayName, versions }))
    .sort((a, b) => (a.clerkId < b.clerkId ? -1 : 1));
  checks.expect("profiles table", profiles, expectedProfiles(deliveries));
  table("Profiles (the app's table, written by its onUserCreated/Updated/Deleted hooks)", [
    ["clerkId", "displayName", "versions"],
    ...profiles.map((p) => [p.clerkId, p.displayName, `${p.versions}`]),
  ]);

  // 3. The app's functions, called by each persona, one function (column) at a time.
  const actions = Object.keys(REQUIREMENTS) as Action[];
  const cells = new Map<string, string>();
  let wantedMessages: ExpectedMessage[] = [];
  const counts: string[] = [];
  for (const action of actions) {
    for (const { persona, claims } of personas) {
      const expected = expectedPermission(action, persona, liveUsers);
      const actual = await attempt(t, action, claims);
      checks.expect(`${persona.label}: messages.${action}`, actual, expected);
      cells.set(`${persona.label}/${action}`, actual === expected ? actual : `${actual} (expected ${expected})`);
      wantedMessages = expectedMessagesAfter(wantedMessages, action, persona, liveUsers);
    }
    const messages = await t.run((ctx) => ctx.db.query("messages").collect());
    checks.expect(
      `messages after every ${action}`,
      messages.map(({ author, pro }) => ({ author, pro })),
      wantedMessages,
    );
    counts.push(`${action} ${messages.length}`);
  }
  table("What each caller may do (example/convex/messages.ts)", [
    ["caller", ...actions],
    ...personas.map(({ persona }) => [persona.label, ...actions.map((a) => cells.get(`${persona.label}/${a}`)!)]),
  ]);
  console.log(`  messages in the app's table after each column: ${counts.join(", ")}`);

  // 4. Organizations and memberships, and membership checks for an org that is not the active one.
  await organizationsScene(t, checks, WEBHOOK_SECRET);

  // 5. Clerk Billing: a plan's life, and a billing check for an organization that is not the active one.
  await billingScene(checks, WEBHOOK_SECRET);

  // 6. One endpoint for all of Clerk: invitations, other events to onEvent, a person's data.
  await oneEndpointScene(checks, WEBHOOK_SECRET);

  // Is the webhook working? After the whole stream, then with a secret that does not match.
  await healthScenes(t, checks, deliveries.filter((d) => d.forged).length);

  return checks.finish();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("\ndemo crashed:", error);
    process.exit(1);
  },
);

// ---- Helpers --------------------------------------------------------------------------------

/** Signs a delivery as Clerk's Svix sender does, posts it, and reads the answer. */
async function deliver(backend: Backend, d: Delivery) {
  const event = d.version
    ? userEvent(
        d.type as "user.created" | "user.updated",
        clerkUser(d.clerkId, {
          first_name: d.version.firstName,
          last_name: d.version.lastName,
          email: d.version.email,
          created_at: T,
          updated_at: d.version.updatedAt,
        }),
      )
    : deletedEvent(d.clerkId);
  const signed = sign(event, { id: d.svixId, secret: d.forged ? ATTACKER_SECRET : WEBHOOK_SECRET });
  const res = await backend.fetch("/clerk-users-webhook", { method: "POST", headers: signed.headers, body: signed.body });
  const body = (await res.json()) as { outcome?: string; error?: string };
  return { status: res.status, outcome: body.outcome ?? "rejected" };
}

/** Calls one app function as `claims` (null: signed out) and names what happened. */
async function attempt(backend: Backend, action: Action, claims: Claims | null): Promise<string> {
  const as = claims ? backend.withIdentity(claims) : backend;
  try {
    switch (action) {
      case "me": {
        const row = await as.query(api.messages.me, {});
        return row === null ? "null" : row.clerkId === claims?.subject ? "own row" : `someone else's row (${row.clerkId})`;
      }
      case "send":
        await as.mutation(api.messages.send, { body: "hello, team" });
        break;
      case "sendLong":
        await as.mutation(api.messages.sendLong, { body: "a very long message ".repeat(50) });
        break;
      case "clear":
        await as.mutation(api.messages.clear, {});
        break;
    }
    return "allowed";
  } catch (error) {
    // The package's errors carry a code; anything else is a bug worth seeing.
    if (isClerkUsersError(error)) return error.data.code;
    return `crashed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
  }
}

/** Runs `work` with console.warn collected instead of printed; returns what was warned. */
async function capturingWarnings(work: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    await work();
  } finally {
    console.warn = warn;
  }
  return lines;
}
