import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { api, components } from "../example/convex/_generated/api";
import { WEBHOOK_SECRET, clerkMembership, clerkUser, membershipEvent, sign, userEvent, type Delivery } from "./fixtures/clerk";
import { post, setup, type TestBackend } from "./setup";

// No configuration, however wrong, lets a delivery signed with a key an outsider knows succeed;
// and the package reads the signed time strictly, as svix does not.

/** A delivery signed over svix's content (`id.timestamp.body`) with any key, empty ones too: what an attacker can send. */
function forge(body: object, key: Uint8Array, at = new Date()): Delivery {
  const payload = JSON.stringify(body);
  const id = `msg_forged_${Math.random().toString(36).slice(2)}`;
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${payload}`).digest("base64");
  return { body: payload, headers: { "content-type": "application/json", "svix-id": id, "svix-timestamp": timestamp, "svix-signature": `v1,${signature}` } };
}

const whsec = (key: Uint8Array) => "whsec_" + Buffer.from(key).toString("base64");
const keyOf = (secret: string) => new Uint8Array(Buffer.from(secret.slice("whsec_".length), "base64"));

/** The attacker's wish: admin of org_victim. */
const adminOfVictim = () =>
  membershipEvent("organizationMembership.created", clerkMembership("orgmem_evil", "org_victim", "user_evil", { role: "org:admin", permissions: [] }));

let t: TestBackend;
let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  t = setup();
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  delete process.env.CLERK_WEBHOOK_SECRET;
  delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  delete process.env.CLERK_WEBHOOK_SECRET;
  delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
});

const evilIsAdmin = () => t.withIdentity({ subject: "user_evil" }).query(api.myOrgs.membership, { orgId: "org_victim" });

describe("a placeholder secret is not a signing secret", () => {
  const placeholders: [string, string, Uint8Array][] = [
    ["the bare prefix whsec_ (an empty key)", "whsec_", new Uint8Array()],
    ["whsec_test (3 bytes)", "whsec_test", keyOf("whsec_test")],
    ["a 23-byte key", whsec(new Uint8Array(23).fill(7)), new Uint8Array(23).fill(7)],
  ];

  test.each(placeholders)("%s alone: a delivery forged with it is a 500, nothing written, health misconfigured", async (_name, secret, key) => {
    process.env.CLERK_WEBHOOK_SECRET = secret;
    const res = await post(t, forge(adminOfVictim(), key));
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/placeholder/);
    expect(await evilIsAdmin()).toBeNull();
    const health = await t.query(components.clerkUsers.health.status, {});
    expect(health).toMatchObject({ verdict: "misconfigured", lastRejection: { status: 500, reason: "invalidSecret" } });
    expect(health.advice).toMatch(/placeholder/);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/500 .*placeholder/));
  });

  test.each(placeholders)("%s beside a correct secret in the other variable: still refused, forged or real", async (_name, secret, key) => {
    process.env.CLERK_WEBHOOK_SECRET = secret;
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = WEBHOOK_SECRET;
    expect((await post(t, forge(adminOfVictim(), key))).status).toBe(500);
    expect(await evilIsAdmin()).toBeNull();
    // The real one is refused too, loudly: Svix retries it once the placeholder is removed.
    expect(await post(t, sign(userEvent("user.created", clerkUser("user_real"))))).toMatchObject({ status: 500 });
    expect(await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_real" })).toBeNull();
    expect((await t.query(components.clerkUsers.health.status, {})).verdict).toBe("misconfigured");
    delete process.env.CLERK_WEBHOOK_SECRET;
    expect(await post(t, sign(userEvent("user.created", clerkUser("user_real"))))).toMatchObject({ status: 200 });
  });

  test("a placeholder among several secrets in one variable is refused the same way", async () => {
    const [, secret, key] = placeholders[1]!;
    const app = setup();
    process.env.CLERK_WEBHOOK_SECRET = `${WEBHOOK_SECRET} ${secret}`;
    expect((await post(app, forge(adminOfVictim(), key))).status).toBe(500);
  });

  test("a 24-byte key, the shortest Clerk issues, verifies", async () => {
    const key = new Uint8Array(24).fill(9);
    process.env.CLERK_WEBHOOK_SECRET = whsec(key);
    expect((await post(t, forge(userEvent("user.created", clerkUser("user_24")), key))).status).toBe(200);
  });
});

describe("test vectors", () => {
  // Standard Webhooks' published example (the svix libraries test the same one).
  const VECTOR = {
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestamp: "1614265330",
    body: '{"test": 2432232314}',
    signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  };
  const postVector = (headers: Partial<Record<"svix-id" | "svix-timestamp" | "svix-signature", string>> = {}, body = VECTOR.body) =>
    t.fetch("/clerk-users-webhook", {
      method: "POST",
      headers: { "svix-id": VECTOR.id, "svix-timestamp": VECTOR.timestamp, "svix-signature": VECTOR.signature, ...headers },
      body,
    });

  beforeEach(() => {
    process.env.CLERK_WEBHOOK_SECRET = VECTOR.secret;
    vi.useFakeTimers({ toFake: ["Date"], now: Number(VECTOR.timestamp) * 1000 });
  });

  test("the published signature verifies (then the body, not a Clerk event, is a 400)", async () => {
    const res = await postVector();
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/not a Clerk event/) });
  });

  test.each([
    ["one of several signatures", { "svix-signature": `v1,${"A".repeat(44)} ${VECTOR.signature}` }, 400],
    ["a signature of another version", { "svix-signature": VECTOR.signature.replace("v1,", "v2,") }, 401],
    ["the signature without its version", { "svix-signature": VECTOR.signature.slice(3) }, 401],
    ["another message id", { "svix-id": "msg_other" }, 401],
    ["another timestamp", { "svix-timestamp": String(Number(VECTOR.timestamp) + 1) }, 401],
  ])("%s: %s", async (_name, headers, status) => {
    expect((await postVector(headers)).status).toBe(status);
  });

  test("a body changed by one byte: 401", async () => {
    expect((await postVector({}, VECTOR.body.replace("2", "3"))).status).toBe(401);
  });

  test.each([
    ["over five minutes ago", 5 * 60 + 1, 401],
    ["just inside five minutes ago", 5 * 60 - 1, 400],
    ["over five minutes in the future", -(5 * 60 + 1), 401],
  ])("signed %s: %s", async (_name, ageSeconds, status) => {
    vi.setSystemTime((Number(VECTOR.timestamp) + ageSeconds) * 1000);
    expect((await postVector()).status).toBe(status);
  });
});

describe("svix-timestamp is read strictly", () => {
  beforeEach(() => {
    process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  });
  const IN_2036 = Date.UTC(2036, 0, 1);

  test.each(["abc", "1e3"])("a correctly signed delivery whose timestamp has %j appended is a 400 and stores nothing", async (suffix) => {
    const delivery = sign(userEvent("user.created", clerkUser("user_future", { updated_at: IN_2036 })));
    const res = await post(t, { ...delivery, headers: { ...delivery.headers, "svix-timestamp": delivery.headers["svix-timestamp"] + suffix } });
    expect(res.status).toBe(400);
    expect(await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_future" })).toBeNull();
    // Later real versions are not refused as stale.
    expect(await post(t, sign(userEvent("user.updated", clerkUser("user_future", { updated_at: Date.now() }))))).toMatchObject({ status: 200 });
  });

  test("with a plain timestamp the same body is refused by the signed-time rule", async () => {
    const res = await post(t, sign(userEvent("user.created", clerkUser("user_future", { updated_at: IN_2036 }))));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/more than an hour after the delivery was signed/);
  });
});
