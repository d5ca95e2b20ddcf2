import { beforeEach, describe, expect, test } from "vitest";
import { convexTest } from "convex-test";
import { v, ConvexError } from "convex/values";
import {
  actionGeneric,
  anyApi,
  mutationGeneric,
  queryGeneric,
  type FunctionReference,
  type GenericActionCtx,
  type GenericDataModel,
  type GenericMutationCtx,
  type GenericQueryCtx,
} from "convex/server";
import { customAction, customMutation, customQuery } from "convex-helpers/server/customFunctions";
import clerkUsersTest from "convex-clerk-users/test";
import { getCurrentUser, requireUser, withUser, type RunQueryCtx } from "convex-clerk-users";
import schema from "../example/convex/schema";
import { api, components } from "../example/convex/_generated/api";
import { clerkUser, deletedEvent, userEvent } from "./fixtures/clerk";
import { appModules, deliver } from "./setup";
import { WEBHOOK_SECRET } from "./fixtures/clerk";

// The current user is read once per query or mutation, and never kept past it: an app testing
// itself makes all its calls through one `t.withIdentity(...)` accessor, and a webhook landing
// between two calls must show. An action is no transaction: each call reads the row as it is.

const ALICE = { subject: "user_alice", email: "alice@example.com" };
const v1 = clerkUser("user_alice", { first_name: "Alice", last_name: "Liddell", email: "alice@example.com" });
const v2 = clerkUser("user_alice", { first_name: "Alicia", last_name: null, email: "alicia@example.com", updated_at: v1.updated_at + 1000 });

/** A test-only component mutation: renames a row, as another of the app's writes through the component would. */
const rename = mutationGeneric({
  args: { clerkId: v.string(), name: v.string() },
  handler: async (ctx, { clerkId, name }) => {
    const row = (await ctx.db.query("users").collect()).find((user) => user.clerkId === clerkId);
    await ctx.db.patch(row!._id, { name });
  },
});
const renameRef = (components.clerkUsers as unknown as { testEdit: { rename: FunctionReference<"mutation", "internal", { clerkId: string; name: string }> } })
  .testEdit.rename;

/** Counts the component queries of one invocation, as an app's own middleware could. */
function counted<Ctx extends { runQuery: (...args: never[]) => Promise<unknown> }>(ctx: Ctx) {
  const counter = { queries: 0 };
  const runQuery = ((...args: Parameters<Ctx["runQuery"]>) => {
    counter.queries++;
    return ctx.runQuery(...args);
  }) as Ctx["runQuery"];
  return { counter, runQuery };
}
/** `withUser` over a ctx whose component queries are counted. */
function countedWithUser<Ctx extends RunQueryCtx>() {
  return {
    args: {},
    input: async (ctx: Ctx) => {
      const extra = counted(ctx);
      const { ctx: user } = await withUser(components.clerkUsers).input({ ...ctx, ...extra });
      return { ctx: { ...extra, ...user }, args: {} };
    },
  };
}
const userQuery = customQuery(queryGeneric, countedWithUser<GenericQueryCtx<GenericDataModel>>());
const userMutation = customMutation(mutationGeneric, countedWithUser<GenericMutationCtx<GenericDataModel>>());
const userAction = customAction(actionGeneric, countedWithUser<GenericActionCtx<GenericDataModel>>());

const probe = {
  /** withUser, then requireUser and getCurrentUser again: how many component queries that took. */
  queryThrice: userQuery({
    args: {},
    handler: async (ctx) => {
      await requireUser(ctx, components.clerkUsers);
      const again = await getCurrentUser(ctx, components.clerkUsers);
      return { queries: ctx.counter.queries, name: again?.name ?? null };
    },
  }),
  mutationThrice: userMutation({
    args: {},
    handler: async (ctx) => {
      await requireUser(ctx, components.clerkUsers);
      const again = await getCurrentUser(ctx, components.clerkUsers);
      return { queries: ctx.counter.queries, name: again?.name ?? null };
    },
  }),
  actionThrice: userAction({
    args: {},
    handler: async (ctx) => {
      await requireUser(ctx, components.clerkUsers);
      const again = await getCurrentUser(ctx, components.clerkUsers);
      return { queries: ctx.counter.queries, name: again?.name ?? null };
    },
  }),
  /** An action that changes the user between two reads. */
  renameBetweenReads: actionGeneric({
    args: {},
    handler: async (ctx: GenericActionCtx<GenericDataModel>) => {
      const before = await requireUser(ctx, components.clerkUsers);
      await ctx.runMutation(renameRef, { clerkId: before.clerkId, name: "Renamed" });
      const after = await requireUser(ctx, components.clerkUsers);
      const current = await getCurrentUser(ctx, components.clerkUsers);
      return [before.name, after.name, current?.name];
    },
  }),
};
const ref = (name: keyof typeof probe) => anyApi.probe![name]!;

let t: ReturnType<typeof backend>;
function backend() {
  const t = convexTest({ schema, modules: { ...appModules, "../example/convex/probe.ts": async () => probe } });
  t.registerComponent("clerkUsers", clerkUsersTest.schema, { ...clerkUsersTest.modules, "./component/testEdit.ts": async () => ({ rename }) });
  return t;
}
beforeEach(async () => {
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  t = backend();
  expect((await deliver(t as never, userEvent("user.created", v1))).status).toBe(200);
});

async function errorCode(promise: Promise<unknown>) {
  return promise.then(
    () => undefined,
    (error: unknown) => (error instanceof ConvexError ? (error.data as { code: string }).code : Promise.reject(error)),
  );
}

describe("one withIdentity accessor, calls before and after a webhook", () => {
  test("a query sees the updated row", async () => {
    const alice = t.withIdentity(ALICE);
    expect(await alice.query(api.messages.me, {})).toMatchObject({ name: "Alice Liddell" });
    await deliver(t as never, userEvent("user.updated", v2));
    expect(await alice.query(api.messages.me, {})).toMatchObject({ name: "Alicia", email: "alicia@example.com" });
  });

  test("a mutation sees the updated row", async () => {
    const alice = t.withIdentity(ALICE);
    const first = await alice.mutation(api.messages.send, { body: "one" });
    await deliver(t as never, userEvent("user.updated", v2));
    const second = await alice.mutation(api.messages.send, { body: "two" });
    const authors = await t.run(async (ctx) => [(await ctx.db.get(first))?.author, (await ctx.db.get(second))?.author]);
    expect(authors).toEqual(["Alice Liddell", "Alicia"]);
  });

  test("an action sees the updated row", async () => {
    const alice = t.withIdentity(ALICE);
    expect(await alice.action(api.messages.whoAmI, {})).toBe("alice@example.com");
    await deliver(t as never, userEvent("user.updated", v2));
    expect(await alice.action(api.messages.whoAmI, {})).toBe("alicia@example.com");
  });

  test("after user.deleted, requireUser throws USER_NOT_FOUND in queries, mutations and actions, and getCurrentUser is null", async () => {
    const alice = t.withIdentity(ALICE);
    expect(await alice.query(api.messages.mine, {})).toEqual([]);
    await alice.mutation(api.messages.send, { body: "hi" });
    await alice.action(api.messages.whoAmI, {});
    expect(await alice.query(api.messages.me, {})).not.toBeNull();
    await deliver(t as never, deletedEvent("user_alice"));
    expect(await errorCode(alice.query(api.messages.mine, {}))).toBe("USER_NOT_FOUND");
    expect(await errorCode(alice.mutation(api.messages.send, { body: "hi" }))).toBe("USER_NOT_FOUND");
    expect(await errorCode(alice.action(api.messages.whoAmI, {}))).toBe("USER_NOT_FOUND");
    expect(await alice.query(api.messages.me, {})).toBeNull();
  });

  test("custom functions made with withUser see the updated row", async () => {
    const alice = t.withIdentity(ALICE);
    expect(await alice.query(ref("queryThrice"), {})).toMatchObject({ name: "Alice Liddell" });
    expect(await alice.mutation(ref("mutationThrice"), {})).toMatchObject({ name: "Alice Liddell" });
    await deliver(t as never, userEvent("user.updated", v2));
    expect(await alice.query(ref("queryThrice"), {})).toMatchObject({ name: "Alicia" });
    expect(await alice.mutation(ref("mutationThrice"), {})).toMatchObject({ name: "Alicia" });
    await deliver(t as never, deletedEvent("user_alice"));
    expect(await errorCode(alice.query(ref("queryThrice"), {}))).toBe("USER_NOT_FOUND");
    expect(await errorCode(alice.mutation(ref("mutationThrice"), {}))).toBe("USER_NOT_FOUND");
  });
});

describe("within one invocation", () => {
  test("a query reads the user once: withUser, requireUser and getCurrentUser share one component query", async () => {
    expect(await t.withIdentity(ALICE).query(ref("queryThrice"), {})).toEqual({ queries: 1, name: "Alice Liddell" });
  });

  test("a mutation reads the user once", async () => {
    expect(await t.withIdentity(ALICE).mutation(ref("mutationThrice"), {})).toEqual({ queries: 1, name: "Alice Liddell" });
  });

  test("an action reads the current row at each call", async () => {
    expect(await t.withIdentity(ALICE).action(ref("actionThrice"), {})).toEqual({ queries: 3, name: "Alice Liddell" });
  });

  test("an action that changes the user sees the change at its next read", async () => {
    expect(await t.withIdentity(ALICE).action(ref("renameBetweenReads"), {})).toEqual(["Alice Liddell", "Renamed", "Renamed"]);
  });
});
