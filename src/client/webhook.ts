import type { WebhookEvent } from "@clerk/backend";
import { httpActionGeneric, type GenericActionCtx, type GenericDataModel, type HttpRouter } from "convex/server";
// The verifier alone: the package root would pull svix's whole API client into the app's bundle.
import { Webhook } from "svix/dist/webhook.js";
import { changesFromBody } from "./events.js";
import type { ComponentApi } from "../component/_generated/component.js";
import { hookHandle, type UserHooks } from "./hooks.js";

export const DEFAULT_WEBHOOK_PATH = "/clerk-users-webhook";
/** Clerk's user payloads are a few KB; anything this big is not one of them. */
export const MAX_WEBHOOK_BODY_BYTES = 512 * 1024;
const SECRET_ENV_VARS = ["CLERK_WEBHOOK_SECRET", "CLERK_WEBHOOK_SIGNING_SECRET"] as const;
const SVIX_HEADERS = ["svix-id", "svix-timestamp", "svix-signature"] as const;

export type RegisterRoutesOptions = UserHooks & {
  /** Where Clerk posts events. Default `/clerk-users-webhook`. */
  path?: string;
  /**
   * The endpoint's signing secret (`whsec_...`) from Clerk's dashboard. Several, separated by
   * spaces, are all accepted (to rotate). Default: read per request from `CLERK_WEBHOOK_SECRET`
   * and `CLERK_WEBHOOK_SIGNING_SECRET`; a blank one counts as unset, and a delivery signed with a
   * secret from either is accepted.
   */
  webhookSecret?: string;
};

/**
 * Mounts Clerk's webhook endpoint on the app's router.
 * ```ts
 * // convex/http.ts
 * const http = httpRouter();
 * registerRoutes(http, components.clerkUsers); // POST /clerk-users-webhook
 * export default http;
 * ```
 */
export function registerRoutes(http: HttpRouter, component: ComponentApi, options: RegisterRoutesOptions = {}) {
  http.route({
    path: options.path ?? DEFAULT_WEBHOOK_PATH,
    method: "POST",
    handler: httpActionGeneric((ctx, request) => handleWebhook(ctx, request, component, options)),
  });
}

/** Verifies one delivery and applies it in one component mutation. */
export async function handleWebhook(
  ctx: GenericActionCtx<GenericDataModel>,
  request: Request,
  component: ComponentApi,
  options: RegisterRoutesOptions,
): Promise<Response> {
  const secrets = webhookSecrets(options.webhookSecret);
  if (secrets.length === 0) {
    return reject(500, `No webhook signing secret: set ${SECRET_ENV_VARS[0]} (or ${SECRET_ENV_VARS[1]}) in your Convex deployment's environment variables to the endpoint's secret from Clerk's dashboard.`);
  }
  const missing = SVIX_HEADERS.filter((name) => !request.headers.get(name));
  if (missing.length > 0) return reject(400, `Missing headers: ${missing.join(", ")}. Is this request from Clerk?`);

  const declaredLength = Number(request.headers.get("content-length") ?? 0);
  if (declaredLength > MAX_WEBHOOK_BODY_BYTES) return reject(413, "Body too large for a Clerk event.");
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.length > MAX_WEBHOOK_BODY_BYTES) return reject(413, "Body too large for a Clerk event.");
  // Svix signs the bytes it sends, and its verifier encodes the text it is given back to UTF-8:
  // the text must keep every byte, a leading BOM too. The JSON is then read without the BOM.
  const signed = utf8(bytes);
  if (signed === undefined) return reject(400, "Body is not UTF-8 text.");
  const verified = verify(signed, request.headers, secrets);
  if (verified !== true) return verified;
  const body = signed.startsWith("\uFEFF") ? signed.slice(1) : signed;

  const parsed = changesFromBody(body, Number(request.headers.get("svix-timestamp")) * 1000);
  if ("error" in parsed) return reject(400, parsed.error);
  if (parsed.ignored) return Response.json({ outcome: "ignored" });

  try {
    const outcome = await ctx.runMutation(component.sync.applyEvent, {
      changes: parsed.changes,
      hooks: await hookHandle(options.hooks),
    });
    return Response.json({ outcome });
  } catch (error) {
    // The transaction rolled back (most often an app hook threw): a 500 makes Svix retry.
    console.error("convex-clerk-users webhook: applying the event failed, Clerk will retry:", error);
    return Response.json({ error: "Applying the event failed; it was rolled back and Clerk will retry it." }, { status: 500 });
  }
}

/**
 * The secrets a delivery may be signed with: the option's, else those of both env vars. A blank
 * value counts as unset, and with both set either verifies: a stale secret in one never shadows
 * the right one in the other.
 */
function webhookSecrets(option: string | undefined): string[] {
  const split = (value: string | undefined) => (value ?? "").split(/\s+/).filter(Boolean);
  const fromOption = split(option);
  if (fromOption.length > 0) return fromOption;
  return [...new Set(SECRET_ENV_VARS.flatMap((name) => split(process.env[name])))];
}

/** The body as text, byte for byte (a BOM kept), or undefined when it is not UTF-8. */
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function verify(body: string, headers: Headers, secrets: string[]): true | Response {
  const svixHeaders = Object.fromEntries(SVIX_HEADERS.map((name) => [name, headers.get(name)!]));
  let usableSecrets = 0;
  let failure = "No matching signature found";
  for (const secret of secrets) {
    let webhook: Webhook;
    try {
      webhook = new Webhook(secret);
    } catch {
      continue; // Not a signing secret at all; reported below if none is.
    }
    usableSecrets++;
    try {
      webhook.verify(body, svixHeaders);
      return true;
    } catch (error) {
      // svix 1.x parses the body only after the signature matched: a SyntaxError means
      // an authentic body that is not JSON, which changeFromBody answers with a 400.
      if (error instanceof SyntaxError) return true;
      failure = error instanceof Error ? error.message : failure;
    }
  }
  if (usableSecrets === 0) {
    return reject(500, `${SECRET_ENV_VARS[0]} is not a valid signing secret: copy it from the endpoint's page in Clerk's dashboard (it starts with whsec_).`);
  }
  return reject(401, `Signature verification failed: ${failure}. Check that ${SECRET_ENV_VARS[0]} is this endpoint's signing secret.`);
}

function reject(status: number, message: string): Response {
  // Never echo the body or the secret: only our own message.
  console.warn(`convex-clerk-users webhook: ${status} ${message}`);
  return Response.json({ error: message }, { status });
}
