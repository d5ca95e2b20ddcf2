import { getCurrentUser, isClerkUsersError, requireUser, type RunQueryCtx } from "convex-clerk-users";
import { ConvexError } from "convex/values";
import { beforeEach, describe, expect, test } from "vitest";
import { api, components } from "../example/convex/_generated/api";
import { clerkUser, userEvent } from "./fixtures/clerk";
import { deliver, setup, type TestBackend } from "./setup";

const ALICE = { subject: "user_alice", email: "Alice@Example.com", name: "Alice Liddell", pictureUrl: "https://img.clerk.com/alice" };

let t: TestBackend;
beforeEach(() => {
  t = setup();
});

async function syncAlice() {
  expect(
    (await deliver(t, userEvent("user.created", clerkUser("user_alice", { first_name: "Alice", last_name: "Liddell", email: "alice@example.com" })))).status,
  ).toBe(200);
}

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    // convex-test surfaces ConvexError data as thrown from the function.
    if (error instanceof ConvexError) return (error.data as { code: string }).code;
    throw error;
  }
  return undefined;
}

describe("getCurrentUser", () => {
  test("returns the synced row in a query", async () => {
    await syncAlice();
    expect(await t.withIdentity(ALICE).query(api.messages.me, {})).toMatchObject({ clerkId: "user_alice", email: "alice@example.com" });
  });

  test("returns null when signed out", async () => {
    await syncAlice();
    expect(await t.query(api.messages.me, {})).toBeNull();
  });

  test("returns null when signed in but not synced yet", async () => {
    expect(await t.withIdentity(ALICE).query(api.messages.me, {})).toBeNull();
  });

  test("works in mutations and actions", async () => {
    await syncAlice();
    await t.withIdentity(ALICE).run(async (ctx) => {
      expect(await getCurrentUser(ctx, components.clerkUsers)).toMatchObject({ clerkId: "user_alice" });
    });
    expect(await t.withIdentity(ALICE).action(api.messages.whoAmI, {})).toBe("alice@example.com");
  });
});

describe("requireUser", () => {
  test("returns the row when synced", async () => {
    await syncAlice();
    const id = await t.withIdentity(ALICE).mutation(api.messages.send, { body: "hi" });
    const message = await t.run((ctx) => ctx.db.get(id));
    expect(message).toMatchObject({ clerkId: "user_alice", author: "Alice Liddell" });
  });

  test("UNAUTHENTICATED when signed out, in query, mutation and action", async () => {
    await syncAlice();
    expect(await errorCode(t.query(api.messages.mine, {}))).toBe("UNAUTHENTICATED");
    expect(await errorCode(t.mutation(api.messages.send, { body: "hi" }))).toBe("UNAUTHENTICATED");
    expect(await errorCode(t.action(api.messages.whoAmI, {}))).toBe("UNAUTHENTICATED");
  });

  test("USER_NOT_FOUND when signed in before the webhook lands, and nothing is written", async () => {
    const alice = t.withIdentity(ALICE);
    expect(await errorCode(alice.query(api.messages.mine, {}))).toBe("USER_NOT_FOUND");
    expect(await errorCode(alice.mutation(api.messages.send, { body: "hi" }))).toBe("USER_NOT_FOUND");
    expect(await errorCode(alice.action(api.messages.whoAmI, {}))).toBe("USER_NOT_FOUND");
    expect(await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_alice" })).toBeNull();
    expect(await t.run((ctx) => ctx.db.query("messages").collect())).toEqual([]);
  });

  test("the error is recognised by isClerkUsersError with its code", async () => {
    await t.withIdentity(ALICE).run(async (ctx) => {
      const error = await requireUser(ctx, components.clerkUsers).catch((e: unknown) => e);
      expect(isClerkUsersError(error)).toBe(true);
      expect(isClerkUsersError(error, "USER_NOT_FOUND")).toBe(true);
      expect(isClerkUsersError(error, "FORBIDDEN")).toBe(false);
    });
  });

  test("a second call in the same function costs no second component query", async () => {
    await syncAlice();
    await t.withIdentity(ALICE).run(async (ctx) => {
      let queries = 0;
      const counting: RunQueryCtx = {
        ...ctx,
        runQuery: (query, args) => {
          queries++;
          return ctx.runQuery(query, args);
        },
      };
      const first = await requireUser(counting, components.clerkUsers);
      const second = await requireUser(counting, components.clerkUsers);
      const third = await getCurrentUser(counting, components.clerkUsers);
      expect(queries).toBe(1);
      expect(second).toEqual(first);
      expect(third).toEqual(first);
    });
  });

  test("the cache never crosses functions: another identity sees its own row", async () => {
    await syncAlice();
    await deliver(t, userEvent("user.created", clerkUser("user_bob", { first_name: "Bob", last_name: null })));
    expect((await t.withIdentity(ALICE).query(api.messages.me, {}))?.clerkId).toBe("user_alice");
    expect((await t.withIdentity({ subject: "user_bob" }).query(api.messages.me, {}))?.clerkId).toBe("user_bob");
  });
});

describe("createIfMissing: the not-yet-synced race", () => {
  test("a mutation creates a provisional row from the identity's claims", async () => {
    const id = await t.withIdentity(ALICE).mutation(api.messages.post, { body: "first!" });
    expect(await t.run((ctx) => ctx.db.get(id))).toMatchObject({ clerkId: "user_alice", author: "Alice Liddell" });
    const row = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_alice" });
    expect(row).toMatchObject({
      clerkId: "user_alice",
      email: "alice@example.com",
      name: "Alice Liddell",
      imageUrl: "https://img.clerk.com/alice",
      updatedAt: 0,
    });
  });

  test("only string claims go into the provisional row: an object or number name claim is left out", async () => {
    const odd = { subject: "user_odd", givenName: { first: "Ada" }, familyName: 42, nickname: ["ada"], email: 7 } as never;
    const id = await t.withIdentity(odd).mutation(api.messages.post, { body: "first!" });
    expect(await t.run((ctx) => ctx.db.get(id))).toMatchObject({ author: "user_odd" });
    const row = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_odd" });
    expect(row).toMatchObject({ clerkId: "user_odd" });
    for (const field of ["name", "firstName", "lastName", "username", "email"]) expect(row).not.toHaveProperty(field);

    await t.withIdentity({ subject: "user_half", givenName: "Ada", familyName: 42 } as never).mutation(api.messages.post, { body: "hi" });
    expect(await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_half" })).toMatchObject({ name: "Ada", firstName: "Ada" });
  });

  test("Clerk's webhook then replaces the provisional row, and fires onUserCreated once", async () => {
    await t.withIdentity(ALICE).mutation(api.messages.post, { body: "first!" });
    const res = await deliver(t, userEvent("user.created", clerkUser("user_alice", { first_name: "Alicia", last_name: null, email: "alice@example.com" })));
    expect(await res.json()).toEqual({ outcome: "created" });
    const row = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_alice" });
    expect(row).toMatchObject({ name: "Alicia", updatedAt: 1_700_000_000_000 });
    expect(row).not.toHaveProperty("imageUrl", "https://img.clerk.com/alice");
    const profiles = await t.run((ctx) => ctx.db.query("profiles").collect());
    expect(profiles).toMatchObject([{ clerkId: "user_alice", displayName: "Alicia", versions: 1 }]);
  });

  test("a provisional row never overwrites a synced one", async () => {
    await syncAlice();
    await t.withIdentity({ ...ALICE, name: "Someone Else" }).mutation(api.messages.post, { body: "x" });
    const row = await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_alice" });
    expect(row).toMatchObject({ name: "Alice Liddell", updatedAt: 1_700_000_000_000 });
  });

  test("a deleted user is not brought back by a provisional row", async () => {
    await syncAlice();
    await deliver(t, { type: "user.deleted", object: "event", data: { object: "user", id: "user_alice", deleted: true } });
    expect(await errorCode(t.withIdentity(ALICE).mutation(api.messages.post, { body: "x" }))).toBe("USER_NOT_FOUND");
    expect(await t.query(components.clerkUsers.users.getByClerkId, { clerkId: "user_alice" })).toBeNull();
  });

  test("without createIfMissing a query still reports USER_NOT_FOUND, then succeeds once the webhook lands", async () => {
    const alice = t.withIdentity(ALICE);
    expect(await errorCode(alice.query(api.messages.mine, {}))).toBe("USER_NOT_FOUND");
    await syncAlice();
    expect(await alice.query(api.messages.mine, {})).toEqual([]);
  });
});

describe("role and plan guards through app functions", () => {
  const admin = { subject: "user_alice", v: 2, o: { id: "org_1", rol: "admin", slg: "acme" }, pla: "u:pro" };
  const member = { subject: "user_alice", v: 2, o: { id: "org_1", rol: "member", slg: "acme" }, pla: "u:free" };

  test("requirePlan lets a Pro user through, in a mutation", async () => {
    await syncAlice();
    const id = await t.withIdentity(admin).mutation(api.messages.sendLong, { body: "long" });
    expect(await t.run((ctx) => ctx.db.get(id))).toMatchObject({ pro: true });
  });

  test("requirePlan: FORBIDDEN for a free user, and nothing written", async () => {
    await syncAlice();
    expect(await errorCode(t.withIdentity(member).mutation(api.messages.sendLong, { body: "long" }))).toBe("FORBIDDEN");
    expect(await t.run((ctx) => ctx.db.query("messages").collect())).toEqual([]);
  });

  test("requireRole: admins may clear, members get FORBIDDEN, signed-out UNAUTHENTICATED", async () => {
    await syncAlice();
    await t.withIdentity(member).mutation(api.messages.send, { body: "keep me" });
    expect(await errorCode(t.withIdentity(member).mutation(api.messages.clear, {}))).toBe("FORBIDDEN");
    expect(await errorCode(t.mutation(api.messages.clear, {}))).toBe("UNAUTHENTICATED");
    expect(await t.run((ctx) => ctx.db.query("messages").collect())).toHaveLength(1);
    await t.withIdentity(admin).mutation(api.messages.clear, {});
    expect(await t.run((ctx) => ctx.db.query("messages").collect())).toEqual([]);
  });

  test("hasPlan reads the flattened claims Convex produces for custom JWT providers", async () => {
    await syncAlice();
    const id = await t
      .withIdentity({ subject: "user_alice", v: 2, pla: "u:pro", "o.id": "org_1", "o.rol": "admin" } as never)
      .mutation(api.messages.send, { body: "x" });
    expect(await t.run((ctx) => ctx.db.get(id))).toMatchObject({ pro: true });
    await t.withIdentity({ subject: "user_alice", v: 2, "o.id": "org_1", "o.rol": "admin" } as never).mutation(api.messages.clear, {});
  });

  test("a role from a convex JWT template's custom claim works", async () => {
    await syncAlice();
    await t.withIdentity({ subject: "user_alice", role: "admin" } as never).mutation(api.messages.clear, {});
    await t.withIdentity({ subject: "user_alice", public_metadata: { role: "admin" } } as never).mutation(api.messages.clear, {});
    expect(await errorCode(t.withIdentity({ subject: "user_alice", public_metadata: { role: 7 } } as never).mutation(api.messages.clear, {}))).toBe(
      "FORBIDDEN",
    );
  });
});
