import type { Auth, UserIdentity } from "convex/server";
import { clerkUsersError } from "../shared/errors.js";
import { isPendingSession, readClaims } from "./claims.js";

/**
 * Who is signed in, by the rule every helper shares. A session with unfinished tasks (Clerk's
 * `sts: "pending"`, such as an organization still to choose) is signed out by default, as in
 * Clerk's own `auth()`: helpers answer it as they answer no identity at all.
 */

export type SessionOptions = {
  /**
   * Whether a pending session counts as signed out. Default `true`, as Clerk's
   * `treatPendingAsSignedOut`. Pass `false` where a pending user must be served, for example
   * the page where they choose an organization.
   */
  treatPendingAsSignedOut?: boolean;
};

/** The signed-in identity, or null when signed out or (by default) pending. */
export async function signedInIdentity(ctx: { auth: Auth }, options: SessionOptions = {}): Promise<UserIdentity | null> {
  const identity = await ctx.auth.getUserIdentity();
  if (!identity) return null;
  return (options.treatPendingAsSignedOut ?? true) && isPendingSession(identity) ? null : identity;
}

/** The signed-in identity, or an `UNAUTHENTICATED` error that says why (signed out, or tasks left). */
export async function requireIdentity(ctx: { auth: Auth }, options: SessionOptions = {}): Promise<UserIdentity> {
  const identity = await ctx.auth.getUserIdentity();
  if (!identity) throw clerkUsersError("UNAUTHENTICATED", "Sign in to continue.");
  if ((options.treatPendingAsSignedOut ?? true) && isPendingSession(identity)) {
    throw clerkUsersError("UNAUTHENTICATED", "Your session has unfinished tasks (such as choosing an organization): finish them to continue.");
  }
  return identity;
}

/**
 * The active organization of an identity the session rule admitted (`signedInIdentity`,
 * `requireIdentity`): a pending session let in keeps its active organization.
 */
export function activeOrgId(identity: UserIdentity): string | undefined {
  return readClaims(identity, { treatPendingAsSignedOut: false })?.orgId ?? undefined;
}
