import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { registerRoutes } from "convex-clerk-users";
import { httpRouter } from "convex/server";
import { components } from "../example/convex/_generated/api";
import { clerkUser, deletedEvent, sign, userEvent, WEBHOOK_SECRET } from "./fixtures/clerk";
import { captureLogs } from "./fixtures/logs";
import { deliver, post, setup, type TestBackend } from "./setup";

const logs = captureLogs();

/** Everything an app can see of the component's state, to assert "nothing changed". */
async function snapshot(t: TestBackend) {
  const page = await t.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 1000, cursor: null } });
  return page.page;
}

let t: TestBackend;
beforeEach(async () => {
  t = setup();
  // One user already synced, so a rejected request has something it could have changed.
  expect((await deliver(t, userEvent("user.created", clerkUser("user_1")))).status).toBe(200);
});
afterEach(() => {
  vi.unstubAllEnvs();
  delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
});

describe("a valid delivery", () => {
  test("user.created stores the row with the primary email, by id not position", async () => {
    const user = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_1" });
    expect(user).toMatchObject({
      clerkId: "user_1",
      email: "user_1@example.com",
      emailVerified: true,
      firstName: "Ada",
      lastName: "Lovelace",
      name: "Ada Lovelace",
      imageUrl: "https://img.clerk.com/user_1",
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
    });
  });

  test("private metadata is never stored", async () => {
    const user = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_1" });
    expect(JSON.stringify(user)).not.toContain("cus_secret");
  });

  test("user.updated replaces the row, and fields Clerk cleared become absent", async () => {
    const res = await deliver(t, userEvent("user.updated", clerkUser("user_1", { first_name: "Grace", last_name: null, updated_at: 1_700_000_000_500 })));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: "updated" });
    const user = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_1" });
    expect(user).toMatchObject({ firstName: "Grace", name: "Grace", updatedAt: 1_700_000_000_500 });
    expect(user).not.toHaveProperty("lastName");
  });

  test("null fields Clerk sends for an email-less, nameless sign-up are stored as absent", async () => {
    const res = await deliver(
      t,
      userEvent(
        "user.created",
        clerkUser("user_2", {
          email: null,
          first_name: null,
          last_name: null,
          username: null,
          image_url: "",
          external_id: null,
          created_at: null as never,
          last_sign_in_at: null,
          public_metadata: null as never,
        }),
      ),
    );
    expect(res.status).toBe(200);
    const user = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_2" });
    expect(user).toMatchObject({ clerkId: "user_2", updatedAt: 1_700_000_000_000 });
    for (const field of ["email", "emailVerified", "firstName", "lastName", "name", "username", "imageUrl", "externalId", "createdAt", "publicMetadata"]) {
      expect(user).not.toHaveProperty(field);
    }
  });

  test("metadata keys Convex cannot store are escaped, not a 500 retry loop", async () => {
    const metadata = { $plan: "pro", _internal: 1, "~tilde": true, ok: { nested: { $deep: "x" } }, "": "empty", naïve: 1 };
    const res = await deliver(t, userEvent("user.updated", clerkUser("user_1", { public_metadata: metadata, updated_at: 1_700_000_000_001 })));
    expect(res.status).toBe(200);
    const user = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_1" });
    expect(user?.publicMetadata).toEqual({
      "~$plan": "pro",
      "~_internal": 1,
      "~~tilde": true,
      ok: { nested: { "~$deep": "x" } },
      "~": "empty",
      "~na\\u00efve": 1,
    });
  });

  test("metadata nested deeper than Convex allows is kept as a JSON string", async () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 70; i++) deep = { d: deep };
    const res = await deliver(t, userEvent("user.updated", clerkUser("user_1", { public_metadata: deep, updated_at: 1_700_000_000_001 })));
    expect(res.status).toBe(200);
    const user = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_1" });
    let node: unknown = user?.publicMetadata;
    let depth = 0;
    while (typeof node === "object" && node !== null) {
      node = (node as Record<string, unknown>).d;
      depth++;
    }
    expect(typeof node).toBe("string");
    expect(JSON.stringify(JSON.parse(node as string))).toContain('"leaf":true');
    expect(depth).toBe(16);
    expect(logs.take(/^convex-clerk-users: public_metadata keeps (\.d){16} \(nested over 16 levels\) as JSON text/)).toHaveLength(1);
  });

  test("getByEmail finds the user case-insensitively", async () => {
    const user = await t.query(components.clerkUsers.users.getByEmail, { email: "USER_1@Example.com" });
    expect(user?.clerkId).toBe("user_1");
  });

  test("events other than user.* are acknowledged and write nothing", async () => {
    const before = await snapshot(t);
    const res = await deliver(t, { type: "session.created", object: "event", data: { id: "sess_1", user_id: "user_1" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: "ignored" });
    expect(await snapshot(t)).toEqual(before);
  });

  test("the endpoint is mounted at the default path only", async () => {
    const res = await post(t, sign(userEvent("user.created", clerkUser("user_9"))), "/somewhere-else");
    expect(res.status).toBe(404);
    const http = httpRouter();
    registerRoutes(http, components.clerkUsers);
    expect(http.lookup("/clerk-users-webhook", "POST")).not.toBeNull();
  });

  test("the path option moves the endpoint", () => {
    const http = httpRouter();
    registerRoutes(http, components.clerkUsers, { path: "/webhooks/clerk" });
    expect(http.lookup("/webhooks/clerk", "POST")).not.toBeNull();
    expect(http.lookup("/clerk-users-webhook", "POST")).toBeNull();
  });
});

describe("secrets", () => {
  test("CLERK_WEBHOOK_SIGNING_SECRET, Clerk's own name, is read when CLERK_WEBHOOK_SECRET is unset", async () => {
    delete process.env.CLERK_WEBHOOK_SECRET;
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = WEBHOOK_SECRET;
    const res = await deliver(t, userEvent("user.created", clerkUser("user_3")));
    expect(res.status).toBe(200);
  });

  test("several secrets separated by spaces are all accepted, for rotation", async () => {
    const newSecret = "whsec_" + Buffer.from("the-rotated-signing-key-32b!").toString("base64");
    process.env.CLERK_WEBHOOK_SECRET = `${newSecret} ${WEBHOOK_SECRET}`;
    expect((await post(t, sign(userEvent("user.created", clerkUser("user_3")), { secret: newSecret }))).status).toBe(200);
    expect((await post(t, sign(userEvent("user.created", clerkUser("user_4"))))).status).toBe(200);
  });

  test("a secret configured without its whsec_ prefix still verifies", async () => {
    process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET.slice("whsec_".length);
    expect((await deliver(t, userEvent("user.created", clerkUser("user_3")))).status).toBe(200);
  });

  test("the secret is read per request, not at import time", async () => {
    process.env.CLERK_WEBHOOK_SECRET = "whsec_" + Buffer.from("a-different-secret-entirely").toString("base64");
    expect((await deliver(t, userEvent("user.created", clerkUser("user_3")))).status).toBe(401);
    expect(logs.take(/^convex-clerk-users webhook: 401 Signature verification failed/)).toHaveLength(1);
  });
});

describe("a rejected request changes nothing", () => {
  const update = () => userEvent("user.updated", clerkUser("user_1", { first_name: "Mallory", updated_at: 1_700_000_009_999 }));

  // Every log line the endpoint writes, to check none leaks the secret or private fields.
  let logged: string[] = [];
  beforeEach(() => {
    logged = [];
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    }
  });
  afterEach(() => vi.restoreAllMocks());

  async function expectRejected(res: Response, status: number, before: unknown) {
    expect(res.status).toBe(status);
    const text = await res.text();
    for (const output of [text, ...logged]) {
      expect(output).not.toContain(WEBHOOK_SECRET.slice("whsec_".length));
      expect(output).not.toContain("cus_secret");
      expect(output).not.toContain("Mallory");
    }
    expect(logged.length).toBeGreaterThan(0);
    expect(await snapshot(t)).toEqual(before);
    return text;
  }

  test("no secret configured: 500 naming the env var", async () => {
    delete process.env.CLERK_WEBHOOK_SECRET;
    const before = await snapshot(t);
    const text = await expectRejected(await deliver(t, update()), 500, before);
    expect(text).toContain("CLERK_WEBHOOK_SECRET");
  });

  test("a configured secret that is not a signing secret: 500 naming the env var", async () => {
    process.env.CLERK_WEBHOOK_SECRET = "whsec_%%%not-base64%%%";
    const before = await snapshot(t);
    const text = await expectRejected(await deliver(t, update()), 500, before);
    expect(text).toContain("CLERK_WEBHOOK_SECRET");
  });

  test("wrong secret: 401", async () => {
    const before = await snapshot(t);
    const other = "whsec_" + Buffer.from("somebody-elses-signing-key!!").toString("base64");
    await expectRejected(await post(t, sign(update(), { secret: other })), 401, before);
  });

  test("tampered body: 401", async () => {
    const before = await snapshot(t);
    const delivery = sign(update());
    await expectRejected(await post(t, { ...delivery, body: delivery.body.replace("Mallory", "Eve") }), 401, before);
  });

  test.each([
    ["5 min + 1 s old", -(5 * 60 + 1)],
    ["5 min + 1 s in the future", 5 * 60 + 1],
  ])("timestamp %s: 401", async (_, offsetSeconds) => {
    const before = await snapshot(t);
    await expectRejected(await post(t, sign(update(), { at: new Date(Date.now() + offsetSeconds * 1000) })), 401, before);
  });

  test.each(["svix-id", "svix-timestamp", "svix-signature"])("missing %s header: 400", async (header) => {
    const before = await snapshot(t);
    const delivery = sign(update());
    delete delivery.headers[header];
    const text = await expectRejected(await post(t, delivery), 400, before);
    expect(text).toContain(header);
  });

  test("malformed base64 in the signature: 401", async () => {
    const before = await snapshot(t);
    const delivery = sign(update());
    delivery.headers["svix-signature"] = "v1,@@@not*base64@@@";
    await expectRejected(await post(t, delivery), 401, before);
  });

  test("several signatures, one of them good: accepted", async () => {
    const delivery = sign(update());
    delivery.headers["svix-signature"] = `v1,${Buffer.from("nope").toString("base64")} ${delivery.headers["svix-signature"]} v1a,ignored`;
    expect((await post(t, delivery)).status).toBe(200);
  });

  test("empty body: 400", async () => {
    const before = await snapshot(t);
    await expectRejected(await post(t, sign("")), 400, before);
  });

  test("non-JSON body: 400", async () => {
    const before = await snapshot(t);
    await expectRejected(await post(t, sign("user.updated user_1 Mallory")), 400, before);
  });

  test.each([
    ["no type", { data: clerkUser("user_1") }],
    ["data is not an object", { type: "user.updated", data: "user_1" }],
    ["user without id", { type: "user.updated", data: { ...clerkUser("user_1"), id: undefined } }],
    ["updated_at is a string", { type: "user.updated", data: { ...clerkUser("user_1"), updated_at: "yesterday" } }],
    ["first_name is a number", { type: "user.updated", data: { ...clerkUser("user_1"), first_name: 42, updated_at: 1_700_000_009_999 } }],
    ["deleted without id", { type: "user.deleted", data: { deleted: true } }],
    ["a JSON array", []],
  ])("wrongly shaped payload (%s): 400", async (_, payload) => {
    const before = await snapshot(t);
    await expectRejected(await deliver(t, payload as object), 400, before);
  });

  test("a body over the size cap: 413", async () => {
    const before = await snapshot(t);
    const huge = userEvent("user.updated", clerkUser("user_1", { public_metadata: { blob: "x".repeat(600 * 1024) }, updated_at: 1_700_000_009_999 }));
    await expectRejected(await deliver(t, huge), 413, before);
  });
});

describe("deletion", () => {
  test("user.deleted removes the row", async () => {
    const res = await deliver(t, deletedEvent("user_1"));
    expect(await res.json()).toEqual({ outcome: "deleted" });
    expect(await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_1" })).toBeNull();
  });
});

describe("users.list", () => {
  test("pages through every user once, in Clerk id order", async () => {
    for (const id of ["user_5", "user_3", "user_4", "user_2"]) await deliver(t, userEvent("user.created", clerkUser(id)));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const result: { page: { clerkId: string }[]; isDone: boolean; continueCursor: string } = await t.query(components.clerkUsers.users.list, {
        paginationOpts: { numItems: 2, cursor },
      });
      seen.push(...result.page.map((u) => u.clerkId));
      pages++;
      if (result.isDone) break;
      cursor = result.continueCursor;
    }
    expect(seen).toEqual(["user_1", "user_2", "user_3", "user_4", "user_5"]);
    expect(pages).toBe(3);
  });

  test("a deleted user leaves the list", async () => {
    await deliver(t, userEvent("user.created", clerkUser("user_2")));
    await deliver(t, deletedEvent("user_1"));
    const { page } = await t.query(components.clerkUsers.users.list, { paginationOpts: { numItems: 10, cursor: null } });
    expect(page.map((u) => u.clerkId)).toEqual(["user_2"]);
  });
});
