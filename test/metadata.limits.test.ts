import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { convexTest } from "convex-test";
import { getConvexSize, type Value } from "convex/values";
import clerkUsersTest from "convex-clerk-users/test";
import type { ResyncStatus } from "convex-clerk-users";
import schema from "../example/convex/schema";
import { components, internal } from "../example/convex/_generated/api";
import { MAX_METADATA_DEPTH, MAX_METADATA_SIZE, storableMetadata } from "../src/shared/metadata.js";
import { clerkUser, userEvent } from "./fixtures/clerk";
import { SECRET_KEY, clerkUsers, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";
import { appModules, deliver, setup, type TestBackend } from "./setup";
import { expectStorable } from "./storable";

// Clerk accepts any JSON up to 8 KB as public metadata; Convex stores only what its value
// rules allow, and convex-test checks few of them. These tests hold every stored row to
// Convex's rules themselves, so a row production would refuse fails here too.

/** Nesting depth: 0 for a scalar, 1 + the deepest child for an array or object. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < levels; i++) value = { level: value };
  return value;
}

const manyFields = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => {
  warn.mockRestore();
});

describe("storableMetadata holds what Clerk sends to Convex's value rules", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["a 1,100-character key", { ["k".repeat(1100)]: true, role: "admin" }],
    ["a key of 200 Cyrillic letters (1,201 characters escaped)", { ["ж".repeat(200)]: 1, role: "admin" }],
    ["a key of exactly 1,024 characters that escaping lengthens", { ["$" + "a".repeat(1023)]: 1, role: "admin" }],
    ["1,300 fields in one object (an 8 KB metadata can hold that many)", manyFields(1300)],
    ["1,300 fields in a nested object", { role: "admin", flags: manyFields(1300) }],
    ["an array of 9,000 elements", { role: "admin", list: Array.from({ length: 9000 }, () => 0) }],
    ["70 levels of nesting", { role: "admin", deep: nested(70) }],
    ["keys Convex reserves or rejects", { $x: 1, _y: 2, "": 3, é: 4, "a\u0000b": 5, "~z": 6, role: "admin" }],
  ];
  test.each(cases)("%s", (_name, metadata) => {
    const stored = storableMetadata(metadata);
    expect(stored).toBeDefined();
    expectStorable(stored);
    expect(getConvexSize(stored as Value)).toBeLessThanOrEqual(MAX_METADATA_SIZE);
    expect(depthOf(stored)).toBeLessThanOrEqual(MAX_METADATA_DEPTH);
    if ("role" in metadata) expect(stored!.role).toBe("admin");
  });

  test("a key too long even for Convex is dropped with a warning, the rest kept", () => {
    const stored = storableMetadata({ ["k".repeat(1100)]: true, role: "admin" });
    expect(stored).toEqual({ role: "admin" });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("1100-character key"));
  });

  test("a nested object over 1,024 fields and an array over 8,192 elements are kept whole, as JSON text", () => {
    const flags = manyFields(1300);
    const list = Array.from({ length: 9000 }, (_, i) => i % 10);
    const stored = storableMetadata({ flags, list });
    expect(JSON.parse(stored!.flags as string)).toEqual(flags);
    expect(JSON.parse(stored!.list as string)).toEqual(list);
    expect(warn).toHaveBeenCalled();
  });

  test("the top level over 1,024 fields keeps its first 1,024, with a warning", () => {
    const stored = storableMetadata(manyFields(1300));
    expect(Object.keys(stored!)).toEqual(Object.keys(manyFields(1024)));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("1300 fields"));
  });

  test("values nested past the depth limit are kept as JSON text", () => {
    const stored = storableMetadata({ deep: nested(40) });
    let node: unknown = stored!.deep;
    for (let depth = 1; depth < MAX_METADATA_DEPTH; depth++) node = (node as { level: unknown }).level;
    expect(typeof node).toBe("string");
    expect(JSON.parse(node as string)).toEqual(nested(40 - MAX_METADATA_DEPTH + 1));
  });

  test("whatever fits Clerk's 8 KB is stored within the budget, however it is escaped", () => {
    // The worst expansions: one-letter keys, four-byte characters in keys, bare numbers.
    const shapes = [
      Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [i.toString(36), 0])),
      Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`😀${String.fromCodePoint(0x1f600 + i)}`, 0])),
      { list: Array.from({ length: 4000 }, () => 0) },
    ];
    for (const metadata of shapes) {
      expect(new TextEncoder().encode(JSON.stringify(metadata)).length).toBeLessThanOrEqual(8 * 1024);
      const stored = storableMetadata(metadata);
      expect(Object.keys(stored!).length).toBe(Object.keys(metadata).length);
      expectStorable(stored);
      expect(getConvexSize(stored as Value)).toBeLessThanOrEqual(MAX_METADATA_SIZE);
    }
  });

  test("metadata over the budget is not stored, with a warning", () => {
    expect(storableMetadata({ blob: "x".repeat(MAX_METADATA_SIZE) })).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("was not stored"));
  });
});

describe("the webhook stores a user whatever metadata Clerk sends", () => {
  let t: TestBackend;
  beforeEach(() => {
    t = setup();
  });
  const row = (clerkId: string) => t.query(components.clerkUsers.users.getByClerkId, { clerkId });

  const cases: [string, Record<string, unknown>][] = [
    ["a 1,100-character key", { ["k".repeat(1100)]: true, role: "admin" }],
    ["a key of 200 Cyrillic letters", { ["ж".repeat(200)]: 1, role: "admin" }],
    ["1,300 fields", { role: "admin", ...manyFields(1299) }],
    ["1,300 fields in a nested object", { role: "admin", flags: manyFields(1300) }],
    ["an array of 9,000 elements", { role: "admin", list: Array.from({ length: 9000 }, () => 0) }],
    ["70 levels of nesting", { role: "admin", deep: nested(70) }],
  ];
  test.each(cases)("%s: 200, and the row Convex would accept", async (_name, public_metadata) => {
    const response = await deliver(t, userEvent("user.created", clerkUser("user_meta", { public_metadata })));
    expect(response.status).toBe(200);
    const user = await row("user_meta");
    expect(user?.publicMetadata?.role).toBe("admin");
    expectStorable(user);
    expect(getConvexSize(user as Value)).toBeLessThan(1024 * 1024);
  });
});

describe("the resync stores every user whatever metadata Clerk lists", () => {
  let api: FakeClerkApi;
  beforeEach(async () => {
    const odd = clerkUser("user_000010", {
      created_at: 1_700_000_010_000,
      updated_at: 1_700_000_010_000,
      public_metadata: { ["k".repeat(1100)]: true, role: "admin", flags: manyFields(1300) },
    });
    api = await startFakeClerkApi({ users: clerkUsers(35).map((user) => (user.id === odd.id ? odd : user)) });
    process.env.CLERK_SECRET_KEY = SECRET_KEY;
    process.env.CLERK_API_URL = api.url;
  });
  afterEach(async () => {
    await api.close();
    delete process.env.CLERK_SECRET_KEY;
    delete process.env.CLERK_API_URL;
  });

  test("a user with a 1,100-character key and 1,300 nested fields does not fail the page", async () => {
    const t = convexTest({ schema, modules: appModules, transactionLimits: true });
    clerkUsersTest.register(t);
    const result: ResyncStatus = await t.action(internal.clerk.resync, {});
    expect(result).toMatchObject({ state: "completed", counts: { user: { seen: 35, created: 35 } } });
    const user = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_000010" });
    expect(user?.publicMetadata?.role).toBe("admin");
    expectStorable(user);
  });
});
