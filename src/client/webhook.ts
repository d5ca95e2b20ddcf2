import { httpActionGeneric, type GenericActionCtx, type GenericDataModel, type HttpRouter } from "convex/server";
import { changesFromBody } from "./events.js";
import { keptSvixId, shouldWakePruning, type FailureReason, type RejectionReason } from "../shared/health.js";
import type { ComponentApi } from "../component/_generated/component.js";
import { hookHandle, type ClerkHooksMutation, type UserHooks } from "./hooks.js";
import { SECRET_ENV_VARS, SVIX_HEADERS, signedAtMs, verify, webhookSecrets } from "./signing.js";

export const DEFAULT_WEBHOOK_PATH = "/clerk-users-webhook";
/** Clerk's user payloads are a few KB; anything this big is not one of them. */
export const MAX_WEBHOOK_BODY_BYTES = 512 * 1024;

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
  /**
   * Days a deleted user, organization or membership is remembered (its tombstone), so a late
   * or replayed event cannot bring it back. Default 90, at least 3 (Svix retries for about 28
   * hours). A replay of a message older than this could bring a deleted object back.
   */
  tombstoneRetentionDays?: number;
};

const DAY_MS = 24 * 60 * 60_000;

/**
 * When this isolate last asked the component for a pruning run. Deliveries read nothing to know
 * whether one is pending, so the webhook asks now and then (`shouldWakePruning`); a fresh
 * isolate asks once more, which costs one scheduled run that finds the chain and takes its place.
 */
let prunerWokenAt: number | null = null;

/** The `wakePruning` argument for this delivery's mutation, and what to remember once it committed. */
function pruningWake() {
  const now = Date.now();
  const wake = shouldWakePruning(prunerWokenAt, now);
  return { args: wake ? { wakePruning: true } : {}, committed: () => void (wake && (prunerWokenAt = now)) };
}
const MIN_TOMBSTONE_RETENTION_DAYS = 3;

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
  const days = options.tombstoneRetentionDays;
  if (days !== undefined && !(days >= MIN_TOMBSTONE_RETENTION_DAYS)) {
    throw new Error(
      `registerRoutes: tombstoneRetentionDays must be at least ${MIN_TOMBSTONE_RETENTION_DAYS} (Svix retries a message for about 28 hours), got ${days}`,
    );
  }
  http.route({
    path: options.path ?? DEFAULT_WEBHOOK_PATH,
    method: "POST",
    handler: httpActionGeneric((ctx, request) => handleWebhook(ctx, request, component, options)),
  });
}

/**
 * Verifies one delivery and applies it in one component mutation; an event the package does not
 * sync goes to the app's `onEvent` (through the `hooks` mutation), or is recorded as ignored.
 */
export async function handleWebhook(
  ctx: GenericActionCtx<GenericDataModel>,
  request: Request,
  component: ComponentApi,
  options: RegisterRoutesOptions,
): Promise<Response> {
  const svixId = request.headers.get("svix-id");
  // Refusals before verification are anyone's to send: recorded at most once a second.
  const reject = (status: number, reason: RejectionReason, message: string) => refuse(ctx, component, { status, reason, svixId }, message);
  const secrets = webhookSecrets(options.webhookSecret);
  if (secrets.length === 0) {
    return reject(
      500,
      "noSecret",
      `No webhook signing secret: set ${SECRET_ENV_VARS[0]} (or ${SECRET_ENV_VARS[1]}) in your Convex deployment's environment variables to the endpoint's secret from Clerk's dashboard.`,
    );
  }
  const missing = SVIX_HEADERS.filter((name) => !request.headers.get(name));
  if (missing.length > 0) return reject(400, "missingHeaders", `Missing headers: ${missing.join(", ")}. Is this request from Clerk?`);
  const signedAt = signedAtMs(request.headers.get("svix-timestamp"));
  if (signedAt === null) return reject(400, "badTimestamp", "The svix-timestamp header is not a time in seconds. Is this request from Clerk?");

  const declaredLength = Number(request.headers.get("content-length") ?? 0);
  if (declaredLength > MAX_WEBHOOK_BODY_BYTES) return reject(413, "tooLarge", "Body too large for a Clerk event.");
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.length > MAX_WEBHOOK_BODY_BYTES) return reject(413, "tooLarge", "Body too large for a Clerk event.");
  // Svix signs the bytes it sends, and its verifier encodes the text it is given back to UTF-8:
  // the text must keep every byte, a leading BOM too. The JSON is then read without the BOM.
  const signed = utf8(bytes);
  if (signed === undefined) return reject(400, "notUtf8", "Body is not UTF-8 text.");
  const verified = verify(signed, request.headers, secrets);
  if (verified !== true) return reject(verified.status, verified.reason, verified.message);
  const body = signed.startsWith("\uFEFF") ? signed.slice(1) : signed;

  // Verified from here on: the svix id is Clerk's, and every outcome is recorded once.
  const messageId = keptSvixId(svixId) ?? "msg_unknown";
  const tombstoneRetentionMs = options.tombstoneRetentionDays === undefined ? undefined : options.tombstoneRetentionDays * DAY_MS;
  const parsed = changesFromBody(body, signedAt);
  const wake = pruningWake();
  if ("error" in parsed) {
    await recordFailure(ctx, component, messageId, 400, { reason: "badPayload" }, tombstoneRetentionMs, wake);
    console.warn(`convex-clerk-users webhook: 400 ${parsed.error}`);
    return Response.json({ error: parsed.error }, { status: 400 });
  }
  if (parsed.ignored && options.hooks && !takesNoEvents.has(options.hooks)) {
    // The header itself, signed with the body: an id too odd to keep in health (`messageId`) still tells deliveries apart.
    return handOver(ctx, component, options.hooks, { svixId: svixId ?? messageId, body, type: parsed.type }, tombstoneRetentionMs, wake);
  }
  if (parsed.ignored) {
    await quietly(
      ctx
        .runMutation(component.health.recordVerified, {
          svixId: messageId,
          outcome: { kind: "ignored" },
          ...(tombstoneRetentionMs ? { tombstoneRetentionMs } : {}),
          ...wake.args,
        })
        .then(wake.committed),
    );
    return Response.json({ outcome: "ignored" });
  }

  try {
    const outcome = await ctx.runMutation(component.sync.applyEvent, {
      changes: parsed.changes,
      hooks: await hookHandle(options.hooks),
      svixId: messageId,
      ...(tombstoneRetentionMs ? { tombstoneRetentionMs } : {}),
      ...wake.args,
    });
    wake.committed();
    return Response.json({ outcome });
  } catch (error) {
    // The transaction rolled back (most often an app hook threw): a 500 makes Svix retry.
    console.error("convex-clerk-users webhook: applying the event failed, Clerk will retry:", error);
    await recordFailure(ctx, component, messageId, 500, { reason: "applyFailed", eventType: parsed.type }, tombstoneRetentionMs, wake);
    return Response.json({ error: "Applying the event failed; it was rolled back and Clerk will retry it." }, { status: 500 });
  }
}

/**
 * Hooks mutations that answered they take no events (no `onEvent`): this isolate records the
 * events they would get as `ignored` without asking again. A push of the app's code starts new
 * isolates, so one that adds `onEvent` is asked afresh. Keyed by the `hooks` option's reference.
 */
const takesNoEvents = new WeakSet<object>();

/**
 * Hands an event the package does not sync to the app's hooks mutation (`onEvent`), once per svix
 * id: the component remembers the ids it handled. Whether the app takes events at all is the
 * mutation's own answer (`vHooksResult`), so `registerRoutes` needs no option for it.
 */
async function handOver(
  ctx: GenericActionCtx<GenericDataModel>,
  component: ComponentApi,
  hooks: ClerkHooksMutation,
  event: { svixId: string; body: string; type: string },
  tombstoneRetentionMs: number | undefined,
  wake: ReturnType<typeof pruningWake>,
): Promise<Response> {
  const { type, ...unsynced } = event;
  try {
    const outcome = await ctx.runMutation(component.events.handOver, {
      event: unsynced,
      hooks: await hookHandle(hooks),
      ...(tombstoneRetentionMs ? { tombstoneRetentionMs } : {}),
      ...wake.args,
    });
    wake.committed();
    if (outcome === "ignored") takesNoEvents.add(hooks);
    return Response.json({ outcome });
  } catch (error) {
    // Rolled back, the svix id with it: a 500 makes Svix retry, and the retry reaches onEvent again.
    console.error(`convex-clerk-users webhook: onEvent failed on ${type}, Clerk will retry:`, error);
    await recordFailure(ctx, component, event.svixId, 500, { reason: "onEventFailed", eventType: type }, tombstoneRetentionMs, wake);
    return Response.json({ error: "Handling the event failed; it was rolled back and Clerk will retry it." }, { status: 500 });
  }
}

/** The body as text, byte for byte (a BOM kept), or undefined when it is not UTF-8. */
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Answers a request refused before verification, and records it in the webhook's health: the
 * component writes at most one a second (`shouldRecordRejection`, the one place of that rule), so
 * a flood of forged requests costs one small mutation each, at most one write a second, and
 * touches no document a verified delivery writes.
 */
async function refuse(
  ctx: GenericActionCtx<GenericDataModel>,
  component: ComponentApi,
  rejection: { status: number; reason: RejectionReason; svixId: string | null },
  message: string,
): Promise<Response> {
  // Never echo the body or the secret: only our own message.
  console.warn(`convex-clerk-users webhook: ${rejection.status} ${message}`);
  await quietly(
    (async () => {
      const svixId = keptSvixId(rejection.svixId);
      await ctx.runMutation(component.health.recordRejection, { status: rejection.status, reason: rejection.reason, ...(svixId ? { svixId } : {}) });
    })(),
  );
  return Response.json({ error: message }, { status: rejection.status });
}

/** Records a verified delivery that failed; Svix retries it, and its success clears it. */
async function recordFailure(
  ctx: GenericActionCtx<GenericDataModel>,
  component: ComponentApi,
  svixId: string,
  status: number,
  failure: { reason: FailureReason; eventType?: string },
  tombstoneRetentionMs: number | undefined,
  wake: ReturnType<typeof pruningWake>,
) {
  await quietly(
    ctx
      .runMutation(component.health.recordVerified, {
        svixId,
        outcome: { kind: "failed", status, ...failure },
        ...(tombstoneRetentionMs ? { tombstoneRetentionMs } : {}),
        ...wake.args,
      })
      .then(wake.committed),
  );
}

/** Health is never a reason to answer differently: a recording that fails is logged and dropped. */
async function quietly(recording: Promise<unknown>) {
  try {
    await recording;
  } catch (error) {
    console.error("convex-clerk-users webhook: recording the webhook's health failed:", error);
  }
}
