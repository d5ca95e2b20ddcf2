import { ConvexError } from "convex/values";
import { isClerkUsersError, isResyncError } from "convex-clerk-users";
import { describe, expect, test } from "vitest";
import { api, internal } from "../example/convex/_generated/api";
import { setup } from "./setup";

// One shape for every error the package throws: { kind: "convex-clerk-users", code, message }.
describe("one error shape, one guard", () => {
  test("a helper's error carries the package's tag, its code and a message", async () => {
    const t = setup();
    const error = await t.query(api.myOrgs.projects, { orgId: "org_1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvexError);
    expect((error as ConvexError<Record<string, string>>).data).toEqual({
      kind: "convex-clerk-users",
      code: "UNAUTHENTICATED",
      message: "Sign in to continue.",
    });
    expect(isClerkUsersError(error, "UNAUTHENTICATED")).toBe(true);
    expect(isClerkUsersError(error, "FORBIDDEN")).toBe(false);
  });

  test("another library's { code } error is not taken for one of ours", () => {
    const foreign = new ConvexError({ code: "FORBIDDEN", message: "from elsewhere" });
    expect(isClerkUsersError(foreign)).toBe(false);
    expect(isClerkUsersError(foreign, "FORBIDDEN")).toBe(false);
    expect(isResyncError(new ConvexError({ kind: "syncUsers", code: "UNAUTHORIZED", message: "old shape" }))).toBe(false);
    expect(isClerkUsersError(new Error("FORBIDDEN"))).toBe(false);
  });

  test("a resync's error has the same shape: both guards recognise it", async () => {
    const t = setup();
    delete process.env.CLERK_SECRET_KEY;
    const error = await t.action(internal.clerk.resync, {}).catch((e: unknown) => e);
    expect((error as ConvexError<Record<string, string>>).data).toMatchObject({ kind: "convex-clerk-users", code: "MISSING_SECRET_KEY" });
    expect(isClerkUsersError(error, "MISSING_SECRET_KEY")).toBe(true);
    expect(isResyncError(error, "MISSING_SECRET_KEY")).toBe(true);
    // A helper's code is not a resync's.
    expect(isResyncError(await t.query(api.myOrgs.projects, { orgId: "org_1" }).catch((e: unknown) => e))).toBe(false);
  });
});
