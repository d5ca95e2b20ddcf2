import { ConvexError, type Value } from "convex/values";
import type { ResyncErrorCode } from "./resync.js";

/**
 * Every error this package throws for a caller to branch on is a `ConvexError` whose data is
 * `{ kind: "convex-clerk-users", code, message }`. The codes:
 * - `UNAUTHENTICATED`: no identity on the request.
 * - `USER_NOT_FOUND`: signed in, but Clerk's webhook has not synced the user yet.
 * - `FORBIDDEN`: signed in, but the identity or membership lacks the role, permission, plan or
 *   feature, or is not a member of the organization.
 * - `PLANS_NOT_SYNCED`: a billing feature was checked, but the payer's plans (and so their
 *   features) were never synced: run the resync with `{ billing: true }`.
 * - A resync's codes (`ResyncErrorCode`): `MISSING_SECRET_KEY`, `UNAUTHORIZED`, `RATE_LIMITED`,
 *   `CLERK_UNAVAILABLE`, `CLERK_REQUEST_REJECTED`, `BAD_RESPONSE`, `TOO_MANY_REMOVALS`, `RESYNC_FAILED`.
 */
export type ClerkUsersErrorCode = "UNAUTHENTICATED" | "USER_NOT_FOUND" | "FORBIDDEN" | "PLANS_NOT_SYNCED" | ResyncErrorCode;

/** The tag that tells this package's errors from any other library's `{ code }`. */
export const ERROR_KIND = "convex-clerk-users";

export type ClerkUsersErrorData<Code extends ClerkUsersErrorCode = ClerkUsersErrorCode> = { kind: typeof ERROR_KIND; code: Code; message: string };

/** A `ConvexError` of this package's one shape, which clients can branch on by `data.code`. */
export function clerkUsersError<Code extends ClerkUsersErrorCode>(code: Code, message: string): ConvexError<ClerkUsersErrorData<Code> & Record<string, Value>> {
  return new ConvexError({ kind: ERROR_KIND, code, message } as ClerkUsersErrorData<Code> & Record<string, Value>);
}

/**
 * Whether `error` is one of this package's errors, optionally of one code, on the server or the client.
 * ```ts
 * try { ... } catch (e) { if (isClerkUsersError(e, "USER_NOT_FOUND")) showSpinner(); }
 * ```
 */
export function isClerkUsersError<Code extends ClerkUsersErrorCode = ClerkUsersErrorCode>(
  error: unknown,
  code?: Code,
): error is ConvexError<ClerkUsersErrorData<Code> & Record<string, Value>> {
  if (!(error instanceof ConvexError)) return false;
  const data = error.data as Partial<ClerkUsersErrorData> | undefined;
  if (typeof data !== "object" || data === null || data.kind !== ERROR_KIND || typeof data.code !== "string") return false;
  return code === undefined || data.code === code;
}
