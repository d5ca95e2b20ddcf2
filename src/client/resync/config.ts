import { SECRET_KEY_ENV_VAR } from "../../shared/retry.js";

/**
 * Where the app's calls to Clerk's Backend API go and with which key: the resync action and
 * `resyncPayer` read them the same way, from their options or else the deployment's environment,
 * at each call (never stored).
 */

export const DEFAULT_CLERK_API_URL = "https://api.clerk.com";
/** The same name Clerk's SDKs read. */
export const API_URL_ENV_VAR = "CLERK_API_URL";

/** The secret key: the option, else `CLERK_SECRET_KEY`; `""` when neither is set. */
export function secretKeyOf(option: string | undefined): string {
  return option ?? process.env[SECRET_KEY_ENV_VAR] ?? "";
}

/** The Backend API's URL, without a trailing slash: the option, else `CLERK_API_URL`, else Clerk's. */
export function apiUrlOf(option: string | undefined): string {
  return (option ?? process.env[API_URL_ENV_VAR] ?? DEFAULT_CLERK_API_URL).replace(/\/+$/, "");
}

/** `MISSING_SECRET_KEY`'s message, ending with what to do once the key is set. */
export function missingSecretKeyMessage(then: string): string {
  return `No Clerk secret key: set ${SECRET_KEY_ENV_VAR} in your Convex deployment's environment variables to your Clerk instance's secret key (sk_...), then ${then}.`;
}
