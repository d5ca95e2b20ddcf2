import { afterEach, expect, test, vi } from "vitest";
import { convexTest } from "convex-test";
import { internalMutationGeneric, makeFunctionReference } from "convex/server";
import clerkUsersTest from "convex-clerk-users/test";
import { defineClerkHooks, makeResyncAction, type ClerkHooksMutation, type ResyncArgs, type ResyncStatus } from "convex-clerk-users";
import schema from "../example/convex/schema";
import { components } from "../example/convex/_generated/api";
import { appModules } from "./setup";
import { SECRET_KEY, clerkUsers, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";

/**
 * A resync's pages commit one after another, and the action does not make a commit wait for
 * Clerk: it asks for the next page before the page before it commits. Observed through the order
 * of what happened (requests sent, pages committed), never through wall times.
 */

/** What happened, in order: `request <offset>` when the action sends a list request, `commit <user>` inside the transaction of the page that creates it. */
const happened: string[] = [];

const clerkHooks = defineClerkHooks(internalMutationGeneric, {
  onUserCreated: async (_ctx, { user }) => void happened.push(`commit ${user.clerkId}`),
});
const resync = makeResyncAction(components.clerkUsers, {
  pageSize: 10,
  hooks: makeFunctionReference<"mutation">("overlapHooks:clerkHooks") as unknown as ClerkHooksMutation,
});

let api: FakeClerkApi | undefined;
afterEach(async () => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
  happened.length = 0;
  await api?.close();
  api = undefined;
});

test("the next page is requested before the page before it commits", async () => {
  api = await startFakeClerkApi({ users: clerkUsers(25) });
  vi.stubEnv("CLERK_SECRET_KEY", SECRET_KEY);
  vi.stubEnv("CLERK_API_URL", api.url);
  const realFetch = globalThis.fetch;
  vi.stubGlobal("fetch", (...args: Parameters<typeof fetch>) => {
    happened.push(`request ${new URL(String(args[0])).searchParams.get("offset")}`);
    return realFetch(...args);
  });
  const t = convexTest({
    schema,
    modules: { ...appModules, "../example/convex/overlapHooks.ts": async () => ({ clerkHooks, resync }) },
  });
  clerkUsersTest.register(t);

  const status = await t.action(makeFunctionReference<"action", ResyncArgs, ResyncStatus>("overlapHooks:resync"), {});
  expect(status).toMatchObject({ state: "completed", counts: { user: { created: 25 } } });

  // Pages of 10 that overlap by one user: offsets 0 (users 0 to 9), 9 (10 to 18 new) and 18 (19 to 24 new, the last page).
  const at = (event: string) => happened.indexOf(event);
  expect(at("commit user_000000")).toBeGreaterThan(at("request 0"));
  expect(at("request 9")).toBeLessThan(at("commit user_000000"));
  expect(at("request 18")).toBeLessThan(at("commit user_000010"));
  // Each page is requested once: a page fetched ahead is the one committed.
  expect(happened.filter((e) => e.startsWith("request"))).toEqual(["request 0", "request 9", "request 18"]);
});
