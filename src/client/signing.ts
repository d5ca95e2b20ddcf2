// The verifier alone: the package root would pull svix's whole API client into the app's bundle.
import { Webhook } from "svix/dist/webhook.js";
import type { RejectionReason } from "../shared/health.js";

/**
 * Which secrets sign a delivery, and whether a delivery is signed by one of them. The rules an
 * outsider could exploit live here, apart from the handler's flow (webhook.ts).
 */

export const SECRET_ENV_VARS = ["CLERK_WEBHOOK_SECRET", "CLERK_WEBHOOK_SIGNING_SECRET"] as const;
export const SVIX_HEADERS = ["svix-id", "svix-timestamp", "svix-signature"] as const;

/**
 * The shortest signing key accepted, in bytes. Standard Webhooks asks for 24 to 64 and Clerk
 * issues 24. svix 1.x accepts any key that decodes (`whsec_dGVzdA==` is 4 bytes), and a short
 * one is guessable: a placeholder left in an env var would let anyone sign a delivery.
 */
export const MIN_SIGNING_KEY_BYTES = 24;

/** Why a delivery is refused before or at verification, as the endpoint answers it. */
export type Refusal = { status: number; reason: RejectionReason; message: string };

/**
 * The secrets a delivery may be signed with: the option's, else those of both env vars. A blank
 * value counts as unset, and with both set either verifies: a stale secret in one never shadows
 * the right one in the other.
 */
export function webhookSecrets(option: string | undefined): string[] {
  const split = (value: string | undefined) => (value ?? "").split(/\s+/).filter(Boolean);
  const fromOption = split(option);
  if (fromOption.length > 0) return fromOption;
  return [...new Set(SECRET_ENV_VARS.flatMap((name) => split(process.env[name])))];
}

/**
 * The bytes of key a `whsec_` secret holds, counted from its base64 text, or null when the text
 * is not base64 (not a secret at all). `whsec_` alone holds none.
 */
export function signingKeyBytes(secret: string): number | null {
  const base64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return null;
  return Math.floor((base64.replace(/=+$/, "").length * 3) / 4);
}

/**
 * The delivery's `svix-timestamp` in ms, or null unless it is all digits. svix reads it with
 * `parseInt`, so `"1700000000abc"` verifies as `1700000000`; this package's own checks use this
 * one strict reading, and refuse what it refuses before svix sees it.
 */
export function signedAtMs(header: string | null): number | null {
  return header !== null && /^[0-9]{1,12}$/.test(header) ? Number(header) * 1000 : null;
}

/**
 * Whether `body` is signed by one of `secrets` (svix's verifier, timestamp tolerance included).
 * A secret whose key is shorter than `MIN_SIGNING_KEY_BYTES` refuses every delivery as a
 * misconfiguration, even beside a good one: the short key would verify forgeries, and silently
 * skipping it would leave it in place.
 */
export function verify(body: string, headers: Headers, secrets: readonly string[]): true | Refusal {
  const svixHeaders = Object.fromEntries(SVIX_HEADERS.map((name) => [name, headers.get(name) ?? ""]));
  const verifiers: Webhook[] = [];
  for (const secret of secrets) {
    const keyBytes = signingKeyBytes(secret);
    if (keyBytes === null) continue; // Not a signing secret at all; reported below if none is.
    if (keyBytes < MIN_SIGNING_KEY_BYTES) {
      return {
        status: 500,
        reason: "invalidSecret",
        message: `A webhook signing secret is set to a placeholder, not a signing secret (its key is under ${MIN_SIGNING_KEY_BYTES} bytes, so anyone could sign with it): set ${SECRET_ENV_VARS[0]} to the endpoint's secret from Clerk's dashboard and remove the placeholder.`,
      };
    }
    try {
      verifiers.push(new Webhook(secret));
    } catch {
      continue; // svix could not decode it either (bad padding): as above.
    }
  }
  if (verifiers.length === 0) {
    return {
      status: 500,
      reason: "invalidSecret",
      message: `${SECRET_ENV_VARS[0]} is not a valid signing secret: copy it from the endpoint's page in Clerk's dashboard (it starts with whsec_).`,
    };
  }
  let failure = "No matching signature found";
  for (const webhook of verifiers) {
    try {
      webhook.verify(body, svixHeaders);
      return true;
    } catch (error) {
      // svix 1.x parses the body only after the signature matched: a SyntaxError means
      // an authentic body that is not JSON, which changesFromBody answers with a 400.
      if (error instanceof SyntaxError) return true;
      failure = error instanceof Error ? error.message : failure;
    }
  }
  // svix: "Message timestamp too old" / "too new", else no signature matched.
  const reason = /timestamp/i.test(failure) ? "badTimestamp" : "badSignature";
  return { status: 401, reason, message: `Signature verification failed: ${failure}. Check that ${SECRET_ENV_VARS[0]} is this endpoint's signing secret.` };
}
