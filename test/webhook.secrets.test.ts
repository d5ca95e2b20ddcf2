import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { components } from "../example/convex/_generated/api";
import { WEBHOOK_SECRET, clerkUser, sign, userEvent } from "./fixtures/clerk";
import { post, setup, type TestBackend } from "./setup";

// Which secrets verify a delivery, and over which bytes: as a deployment's env vars and
// Svix's signatures really come.

const OTHER_SECRET = "whsec_" + Buffer.from("somebody-elses-signing-key!!").toString("base64");
const user = (id: string) => userEvent("user.created", clerkUser(id));

let t: TestBackend;
beforeEach(() => {
  t = setup();
  vi.spyOn(console, "warn").mockImplementation(() => {});
  delete process.env.CLERK_WEBHOOK_SECRET;
  delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.CLERK_WEBHOOK_SECRET;
  delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
});
const stored = (clerkId: string) => t.query(components.clerkUsers.users.getByClerkId, { clerkId });

describe("the two env vars", () => {
  test.each([
    ["blank", " \n"],
    ["empty", ""],
    ["a tab", "\t"],
  ])("CLERK_WEBHOOK_SECRET %s beside a correct CLERK_WEBHOOK_SIGNING_SECRET: accepted", async (_name, blank) => {
    process.env.CLERK_WEBHOOK_SECRET = blank;
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = WEBHOOK_SECRET;
    expect((await post(t, sign(user("user_1")))).status).toBe(200);
    expect(await stored("user_1")).not.toBeNull();
  });

  test("a wrong CLERK_WEBHOOK_SECRET does not shadow a correct CLERK_WEBHOOK_SIGNING_SECRET", async () => {
    process.env.CLERK_WEBHOOK_SECRET = OTHER_SECRET;
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = WEBHOOK_SECRET;
    expect((await post(t, sign(user("user_1")))).status).toBe(200);
  });

  test("with both set, a delivery signed by either secret is accepted", async () => {
    process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = OTHER_SECRET;
    expect((await post(t, sign(user("user_1")))).status).toBe(200);
    expect((await post(t, sign(user("user_2"), { secret: OTHER_SECRET }))).status).toBe(200);
  });

  test("a malformed secret in one variable does not stop the other's from verifying", async () => {
    process.env.CLERK_WEBHOOK_SECRET = "whsec_%%%not-base64%%%";
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = WEBHOOK_SECRET;
    expect((await post(t, sign(user("user_1")))).status).toBe(200);
  });

  test("signed by neither: 401, nothing stored", async () => {
    process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = OTHER_SECRET;
    const third = "whsec_" + Buffer.from("a-third-signing-key-nobody!!").toString("base64");
    expect((await post(t, sign(user("user_1"), { secret: third }))).status).toBe(401);
    expect(await stored("user_1")).toBeNull();
  });

  test("both blank: 500 naming both variables", async () => {
    process.env.CLERK_WEBHOOK_SECRET = " ";
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = "\n";
    const res = await post(t, sign(user("user_1")));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain("CLERK_WEBHOOK_SECRET");
    expect(text).toContain("CLERK_WEBHOOK_SIGNING_SECRET");
  });
});

describe("the bytes signed", () => {
  const BOM = "\uFEFF";
  beforeEach(() => {
    process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  });

  test("a body starting with a UTF-8 BOM, signed over the bytes sent, is verified and stored", async () => {
    const delivery = sign(BOM + JSON.stringify(user("user_bom")));
    expect(new TextEncoder().encode(delivery.body).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    const res = await post(t, delivery);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ outcome: "created" });
    expect(await stored("user_bom")).toMatchObject({ clerkId: "user_bom" });
  });

  test("a BOM added to a body signed without one is not what was signed: 401", async () => {
    const delivery = sign(user("user_bom"));
    const res = await post(t, { ...delivery, body: BOM + delivery.body });
    expect(res.status).toBe(401);
    expect(await stored("user_bom")).toBeNull();
  });

  test("a body that is not UTF-8 is refused with a 4xx, never stored", async () => {
    const delivery = sign(user("user_bytes"));
    const bytes = new Uint8Array([...new TextEncoder().encode(delivery.body.slice(0, -1)), 0xff, 0x7d]);
    const res = await t.fetch("/clerk-users-webhook", { method: "POST", headers: delivery.headers, body: bytes });
    expect([400, 401]).toContain(res.status);
    expect(await stored("user_bytes")).toBeNull();
  });
});
