import { currentUserState } from "convex-clerk-users/react";
import { describe, expect, test } from "vitest";

const user = { clerkId: "user_1" };

describe("useCurrentUser states", () => {
  test("loading while Convex checks the Clerk token", () => {
    expect(currentUserState({ isLoading: true, isAuthenticated: false }, undefined).status).toBe("loading");
  });
  test("signed out: no query result is trusted", () => {
    expect(currentUserState({ isLoading: false, isAuthenticated: false }, undefined)).toEqual({ status: "signedOut", user: null });
    expect(currentUserState({ isLoading: false, isAuthenticated: false }, user).status).toBe("signedOut");
  });
  test("loading while the query is in flight", () => {
    expect(currentUserState({ isLoading: false, isAuthenticated: true }, undefined).status).toBe("loading");
  });
  test("not synced yet: signed in, query answered null", () => {
    expect(currentUserState({ isLoading: false, isAuthenticated: true }, null)).toEqual({ status: "notSynced", user: null });
  });
  test("ready with the row", () => {
    expect(currentUserState({ isLoading: false, isAuthenticated: true }, user)).toEqual({ status: "ready", user });
  });
});
