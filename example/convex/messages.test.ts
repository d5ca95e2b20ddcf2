import { convexTest } from "convex-test";
import { register } from "convex-clerk-users/test";
import { Webhook } from "svix";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "./_generated/api";
import schema from "./schema";

const modules = import.meta.glob("./**/*.ts");

// Any secret in Clerk's format works in tests: `whsec_` + base64.
const CLERK_WEBHOOK_SECRET = "whsec_" + btoa("my-apps-test-signing-secret!");

/** Posts a Clerk event to the app's webhook endpoint, signed as Clerk's Svix sender does. */
async function deliver(t: ReturnType<typeof convexTest>, event: object, secret = CLERK_WEBHOOK_SECRET) {
  const id = `msg_${crypto.randomUUID()}`;
  const now = new Date();
  const body = JSON.stringify(event);
  const headers = {
    "svix-id": id,
    "svix-timestamp": String(Math.floor(now.getTime() / 1000)),
    "svix-signature": new Webhook(secret).sign(id, now, body),
  };
  return await t.fetch("/clerk-users-webhook", { method: "POST", headers, body });
}

/** The parts of Clerk's `user.created` payload that matter here. */
const aliceSignsUp = {
  type: "user.created",
  data: {
    id: "user_alice",
    first_name: "Alice",
    last_name: "Liddell",
    primary_email_address_id: "idn_1",
    email_addresses: [{ id: "idn_1", email_address: "alice@example.com", verification: { status: "verified" } }],
    created_at: 1_736_150_400_000,
    updated_at: 1_736_150_400_000,
  },
};

// Clerk session token (v2) claims: `o` is the active organization, `pla` the plans.
const aliceAsAdmin = { subject: "user_alice", v: 2, o: { id: "org_1", rol: "admin", slg: "acme" }, pla: "u:pro" };
const aliceAsMember = { subject: "user_alice", v: 2, o: { id: "org_1", rol: "member", slg: "acme" }, pla: "u:free" };

let t: ReturnType<typeof convexTest>;
beforeEach(() => {
  vi.stubEnv("CLERK_WEBHOOK_SECRET", CLERK_WEBHOOK_SECRET);
  t = convexTest(schema, modules);
  register(t);
});

describe("messages", () => {
  test("a user Clerk told us about can read their own row", async () => {
    expect((await deliver(t, aliceSignsUp)).status).toBe(200);
    const me = await t.withIdentity({ subject: "user_alice" }).query(api.messages.me, {});
    expect(me).toMatchObject({ clerkId: "user_alice", name: "Alice Liddell", email: "alice@example.com" });
  });

  test("a webhook not signed with our secret is refused", async () => {
    const forged = await deliver(t, aliceSignsUp, "whsec_" + btoa("somebody-elses-secret-key!!!"));
    expect(forged.status).toBe(401);
    expect(await t.withIdentity({ subject: "user_alice" }).query(api.messages.me, {})).toBeNull();
  });

  test("before the webhook lands, posting says USER_NOT_FOUND", async () => {
    await expect(t.withIdentity(aliceAsAdmin).mutation(api.messages.send, { body: "hi" })).rejects.toMatchObject({
      data: { code: "USER_NOT_FOUND" },
    });
  });

  test("long messages are for the Pro plan", async () => {
    await deliver(t, aliceSignsUp);
    await t.withIdentity(aliceAsAdmin).mutation(api.messages.sendLong, { body: "..." });
    await expect(t.withIdentity(aliceAsMember).mutation(api.messages.sendLong, { body: "..." })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
  });

  test("only organization admins may clear messages", async () => {
    await deliver(t, aliceSignsUp);
    await t.withIdentity(aliceAsMember).mutation(api.messages.send, { body: "hello" });
    await expect(t.withIdentity(aliceAsMember).mutation(api.messages.clear, {})).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await t.withIdentity(aliceAsAdmin).mutation(api.messages.clear, {});
    expect(await t.withIdentity(aliceAsAdmin).query(api.messages.mine, {})).toEqual([]);
  });
});
