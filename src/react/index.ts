import { useConvexAuth, useQuery } from "convex/react";
import type { FunctionReference } from "convex/server";
import type { User } from "../shared/validators.js";

/** Where the signed-in user is in its journey; each state wants a different screen. */
export type CurrentUserState<U = User> =
  | { status: "loading"; user: undefined }
  | { status: "signedOut"; user: null }
  /** Signed in, but Clerk's webhook has not synced the user yet (usually a second or two after sign-up). */
  | { status: "notSynced"; user: null }
  | { status: "ready"; user: U };

/**
 * Maps Convex's auth state and the current-user query's result to one state.
 * Kept apart from the hook so its rules are testable without React.
 */
export function currentUserState<U>(auth: { isLoading: boolean; isAuthenticated: boolean }, result: U | null | undefined): CurrentUserState<U> {
  if (auth.isLoading) return { status: "loading", user: undefined };
  if (!auth.isAuthenticated) return { status: "signedOut", user: null };
  if (result === undefined) return { status: "loading", user: undefined };
  if (result === null) return { status: "notSynced", user: null };
  return { status: "ready", user: result };
}

/**
 * The signed-in user's synced row, from an app query that returns `getCurrentUser(...)`.
 * Use inside `ConvexProviderWithClerk`.
 * ```tsx
 * const { status, user } = useCurrentUser(api.users.me);
 * if (status === "notSynced") return <p>Setting up your account…</p>;
 * ```
 * The query re-runs by itself when the webhook lands, so `notSynced` turns into `ready`.
 */
export function useCurrentUser<U>(query: FunctionReference<"query", "public", Record<string, never>, U | null>): CurrentUserState<U> {
  const auth = useConvexAuth();
  const result = useQuery(query, auth.isAuthenticated ? {} : "skip");
  return currentUserState(auth, result);
}
