import { convexTest } from "convex-test";
import { clerkIdentity, deliver, register, setTestWebhookSecret, userCreated } from "convex-clerk-users/test";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "./_generated/api";
import schema from "./schema";

const modules = import.meta.glob("./**/*.ts");

// Clerk's user.created for Alice: a realistic payload, with the fields that matter here given.
const aliceSignsUp = userCreated({ first_name: "Alice", last_name: "Liddell", email: "alice@example.com" });
const alice = aliceSignsUp.data.id;
// Clerk session tokens (v2): Alice in Acme, as an admin on the Pro plan, or as a member on Free.
const aliceAsAdmin = clerkIdentity({ userId: alice, org: { id: "org_acme", role: "admin", slug: "acme" }, plans: ["pro"] });
const aliceAsMember = clerkIdentity({ userId: alice, org: { id: "org_acme", role: "member", slug: "acme" }, plans: ["free"] });

let t: ReturnType<typeof convexTest>;
beforeEach(() => {
  setTestWebhookSecret();
  t = convexTest(schema, modules);
  register(t);
});

describe("messages", () => {
  test("a user Clerk told us about can read their own row", async () => {
    expect(await deliver(t, [aliceSignsUp])).toEqual([200]);
    const me = await t.withIdentity(clerkIdentity({ userId: alice })).query(api.messages.me, {});
    expect(me).toMatchObject({ clerkId: alice, name: "Alice Liddell", email: "alice@example.com" });
  });

  test("a webhook not signed with our secret is refused", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(await deliver(t, [aliceSignsUp], { secret: "whsec_" + btoa("somebody-elses-secret-key!!!") })).toEqual([401]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/401 Signature verification failed/));
    warn.mockRestore();
    expect(await t.withIdentity(clerkIdentity({ userId: alice })).query(api.messages.me, {})).toBeNull();
  });

  test("before the webhook lands, posting says USER_NOT_FOUND", async () => {
    await expect(t.withIdentity(aliceAsAdmin).mutation(api.messages.send, { body: "hi" })).rejects.toMatchObject({
      data: { code: "USER_NOT_FOUND" },
    });
  });

  test("long messages are for the Pro plan", async () => {
    await deliver(t, [aliceSignsUp]);
    await t.withIdentity(aliceAsAdmin).mutation(api.messages.sendLong, { body: "..." });
    await expect(t.withIdentity(aliceAsMember).mutation(api.messages.sendLong, { body: "..." })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
  });

  test("only organization admins may clear messages", async () => {
    await deliver(t, [aliceSignsUp]);
    await t.withIdentity(aliceAsMember).mutation(api.messages.send, { body: "hello" });
    await expect(t.withIdentity(aliceAsMember).mutation(api.messages.clear, {})).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    await t.withIdentity(aliceAsAdmin).mutation(api.messages.clear, {});
    expect(await t.withIdentity(aliceAsAdmin).query(api.messages.mine, {})).toEqual([]);
  });
});
