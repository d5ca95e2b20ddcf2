import { ConvexError } from "convex/values";

/**
 * Codes carried in `ConvexError.data.code` by this package's helpers.
 * - `UNAUTHENTICATED`: no identity on the request.
 * - `USER_NOT_FOUND`: signed in, but Clerk's webhook has not synced the user yet.
 * - `FORBIDDEN`: signed in, but the identity lacks the role, permission, plan or feature.
 */
export type ClerkUsersErrorCode = "UNAUTHENTICATED" | "USER_NOT_FOUND" | "FORBIDDEN";

export type ClerkUsersErrorData = { code: ClerkUsersErrorCode; message: string };

/** Throws a `ConvexError` that clients can branch on by `data.code`. */
export function clerkUsersError(code: ClerkUsersErrorCode, message: string): ConvexError<ClerkUsersErrorData> {
  return new ConvexError({ code, message });
}

/**
 * Type guard for errors thrown by this package, on the server or the client.
 * ```ts
 * try { ... } catch (e) { if (isClerkUsersError(e, "USER_NOT_FOUND")) showSpinner(); }
 * ```
 */
export function isClerkUsersError(
  error: unknown,
  code?: ClerkUsersErrorCode,
): error is ConvexError<ClerkUsersErrorData> {
  if (!(error instanceof ConvexError)) return false;
  const data = error.data as Partial<ClerkUsersErrorData> | undefined;
  if (typeof data !== "object" || data === null || typeof data.code !== "string") return false;
  return code === undefined ? ["UNAUTHENTICATED", "USER_NOT_FOUND", "FORBIDDEN"].includes(data.code) : data.code === code;
}
