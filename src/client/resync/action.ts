import { internalActionGeneric, makeFunctionReference, type GenericActionCtx, type GenericDataModel, type RegisteredAction } from "convex/server";
import { ConvexError, v, type Value } from "convex/values";
import { clerkUsersError, isClerkUsersError, type ClerkUsersErrorData } from "../../shared/errors.js";
import { CLERK_MAX_PAGE_SIZE } from "../../shared/paging.js";
import { RESYNC_ERROR_CODES, vResyncStatus, type ResyncErrorCode, type ResyncStatus, type Step } from "../../shared/resync.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../shared/retry.js";
import { resyncedKinds } from "../../shared/kinds/registry.js";
import type { ComponentApi } from "../../component/_generated/component.js";
import { hookHandle, type UserHooks } from "../hooks.js";
import { ClerkApi, ClerkApiError, isPostponed } from "./clerkApi.js";
import { apiUrlOf, missingSecretKeyMessage, secretKeyOf } from "./config.js";
import { Fetcher } from "./fetcher.js";
import { CLERK_RATE_LIMITS, assumeSentAt, type RateLimit } from "./pacer.js";

export { DEFAULT_CLERK_API_URL } from "./config.js";
/** A step stops carrying out instructions after this long and schedules the next: well inside Convex's 10-minute action limit. */
export const DEFAULT_MAX_STEP_MS = 5 * 60_000;
/**
 * A running run with no progress for this long is taken over (by a new call or the watchdog).
 * Longer than Convex's 10-minute action limit, so the step that held it is certainly gone.
 */
export const DEFAULT_STALE_AFTER_MS = 11 * 60_000;

export type ResyncOptions = UserHooks & {
  /** Clerk's secret key (`sk_...`). Default: the `CLERK_SECRET_KEY` env var, read each run. Never stored. */
  secretKey?: string;
  /**
   * Clerk's Backend API. Default: the `CLERK_API_URL` env var (read each run, the same name
   * Clerk's SDKs use), else `https://api.clerk.com`.
   */
  apiUrl?: string;
  /** Objects per request and per page mutation, from 2 to 500 (Clerk's largest page, the default). Lower it only if your hooks do so much per object that a page mutation hits Convex's limits. */
  pageSize?: number;
  /** How long one action step works before it schedules the next. Default 5 minutes. */
  maxStepMs?: number;
  /** How long a running run may go without progress before it is taken over. Default 11 minutes. */
  staleAfterMs?: number;
  /** Retries of requests to Clerk: see `RetryPolicy`. */
  retry?: Partial<RetryPolicy>;
  /**
   * The Backend API rate limit to pace requests to, so a resync draws no `429`: at most
   * `requests` in any `windowMs`. Default `CLERK_RATE_LIMITS.development` (100 per 10 s, Clerk's
   * documented limit for development instances); a production instance may pass
   * `CLERK_RATE_LIMITS.production` (1,000 per 10 s) to go up to ten times faster. Lower it when
   * other code shares the secret key's limit. `false` sends as fast as Clerk answers and waits
   * out refusals instead. `Retry-After` and rate-limit headers are honoured either way.
   * ```ts
   * makeResyncAction(components.clerkUsers, { rateLimit: CLERK_RATE_LIMITS.production });
   * ```
   */
  rateLimit?: RateLimit | false;
  /**
   * Also resync organizations and memberships, after the users: `GET /v1/organizations` and
   * `GET /v1/organization_memberships`, with the same paging, ordering rules, hooks and removal
   * of what Clerk no longer has. Default false: no organization request is made.
   */
  organizations?: boolean;
  /**
   * Also resync Clerk Billing, after the users (and organizations): its plans
   * (`GET /v1/billing/plans`, their only source, replaced whole by a complete listing:
   * `status.counts.plan`) and every subscription item
   * (`GET /v1/billing/subscription_items?include_free=true`, newest first), with the same
   * ordering rules, hooks and removal of what Clerk no longer has (asked per payer). Default
   * false: no billing request is made. For one payer at once, see `resyncPayer`.
   */
  billing?: boolean;
  /**
   * Also resync organization invitations, after the users (and the other kinds): every
   * invitation of the instance, in every status (`GET /v1/organization_invitations`, oldest
   * first), with the same paging, ordering rules, hooks and removal of what Clerk no longer has
   * (each asked about by id in its organization:
   * `GET /v1/organizations/{orgId}/invitations/{id}`). The Backend API's invitations do not say
   * who accepted them: a `userId` the webhook stored is kept. Default false: no invitation
   * request is made.
   */
  invitations?: boolean;
  /**
   * Lets reconcile remove more objects of a kind than the pass found still in Clerk. Without it,
   * such a pass stops with `TOO_MANY_REMOVALS` before removing any: that is what a secret key of
   * another Clerk instance looks like. Default false.
   */
  allowMassRemoval?: boolean;
};

/** Arguments of the resync action. Call it with none; the others are for its own scheduled steps. */
export type ResyncArgs = {
  /** With `lease`: a scheduled continuation. Alone: the watchdog, which resumes the run if it stalled. */
  runId?: string;
  lease?: string;
  /** A continuation's: when the step before it sent its requests still inside the rate-limit window. */
  sentAt?: number[];
};

/**
 * Makes the action that fills the component's tables from Clerk's Backend API and repairs drift.
 * The component drives the run; this action is its fetcher: it asks the component what to fetch
 * (a page of a list, 500 objects paced to Clerk's rate limit, or the objects a listing missed),
 * fetches it with the secret key only the app holds, and hands it back to be applied in one
 * mutation through the webhook's ordering rules and hooks. Once a whole list was read, objects
 * Clerk no longer has are removed. Long resyncs continue in scheduled steps and resume from the
 * last committed page after a failure.
 * ```ts
 * // convex/clerk.ts
 * import { makeResyncAction } from "convex-clerk-users";
 * import { components } from "./_generated/api";
 * export const resync = makeResyncAction(components.clerkUsers, { organizations: true });
 * // npx convex run clerk:resync   (or from the dashboard, or a cron)
 * ```
 * It returns the run's status; `components.clerkUsers.resync.status` reads it at any time.
 * Errors are `ConvexError`s with a `code` (see `ResyncErrorCode`, `isResyncError`).
 */
export function makeResyncAction(component: ComponentApi, options: ResyncOptions = {}): RegisteredAction<"internal", ResyncArgs, Promise<ResyncStatus>> {
  const pageSize = options.pageSize ?? CLERK_MAX_PAGE_SIZE;
  // Pages overlap by one object, so a page of one would only ever read that object again.
  if (!Number.isInteger(pageSize) || pageSize < 2 || pageSize > CLERK_MAX_PAGE_SIZE) {
    throw new Error(`makeResyncAction: pageSize must be an integer from 2 to ${CLERK_MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  return internalActionGeneric({
    args: { runId: v.optional(v.string()), lease: v.optional(v.string()), sentAt: v.optional(v.array(v.number())) },
    returns: vResyncStatus,
    handler: (ctx, args) => resyncStep(ctx, component, { ...options, pageSize }, args),
  });
}

/**
 * Whether `error` is a resync failure thrown by the action, optionally of one code: the same
 * check as `isClerkUsersError`, narrowed to the resync's codes.
 * ```ts
 * try { await ctx.runAction(internal.clerk.resync, {}); }
 * catch (e) { if (isResyncError(e, "UNAUTHORIZED")) notifyOps("fix CLERK_SECRET_KEY"); }
 * ```
 */
export function isResyncError(error: unknown, code?: ResyncErrorCode): error is ConvexError<ResyncErrorData & Record<string, Value>> {
  return isClerkUsersError(error, code) && RESYNC_ERROR_CODES.includes((error.data as ResyncErrorData).code);
}

/** A resync error's data: this package's one error shape, with a resync's code. */
export type ResyncErrorData = ClerkUsersErrorData<ResyncErrorCode>;

type Config = Required<Pick<ResyncOptions, "pageSize" | "maxStepMs" | "staleAfterMs" | "allowMassRemoval">> & {
  apiUrl: string;
  secretKey: string;
  retry: RetryPolicy;
  rateLimit: RateLimit | null;
  hooks: string | undefined;
};

type ActionCtx = GenericActionCtx<GenericDataModel>;

/** One action execution: acquire the run, carry out the component's instructions until done or out of time, hand over. */
async function resyncStep(ctx: ActionCtx, component: ComponentApi, options: ResyncOptions & { pageSize: number }, args: ResyncArgs): Promise<ResyncStatus> {
  const startedAt = Date.now();
  // A missing key is recorded in the run (its status, and health's `lastResync`) before it is thrown.
  const secretKey = secretKeyOf(options.secretKey);
  const config: Config = {
    pageSize: options.pageSize,
    maxStepMs: options.maxStepMs ?? DEFAULT_MAX_STEP_MS,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    allowMassRemoval: options.allowMassRemoval ?? false,
    apiUrl: apiUrlOf(options.apiUrl),
    secretKey,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    rateLimit: options.rateLimit === false ? null : (options.rateLimit ?? CLERK_RATE_LIMITS.development),
    hooks: await hookHandle(options.hooks),
  };
  // The next step calls this same action, found by name: the app defines it, not the package.
  const self = makeFunctionReference<"action", ResyncArgs, ResyncStatus>((await ctx.meta.getFunctionMetadata()).name);
  const { pageSize } = config;

  const lease = args.lease ?? crypto.randomUUID();
  let sentAt = args.sentAt;
  let step: Step | null;
  if (args.runId && args.lease) {
    step = await ctx.runMutation(component.resync.resume, { runId: args.runId, lease, pageSize });
  } else if (args.runId) {
    step = await ctx.runMutation(component.resync.takeOver, { runId: args.runId, lease, staleAfterMs: config.staleAfterMs, pageSize });
  } else {
    // A run that finished moments ago may have used up this rate-limit window: a new one keeps to it too.
    const previous = await ctx.runQuery(component.resync.status, {});
    if (previous?.finishedAt !== undefined) sentAt = assumeSentAt(previous.finishedAt, previous.requests, config.rateLimit, Date.now());
    const kinds = resyncedKinds(options);
    const started = await ctx.runMutation(component.resync.start, { lease, staleAfterMs: config.staleAfterMs, kinds, pageSize });
    if (!started.acquired) return started.status; // Another step is at work on it.
    step = started.step;
  }
  if (!step) {
    const status = await currentStatus(ctx, component);
    // The watchdog found the run alive: the step it guards may still die after its last write,
    // so it looks again once that write is stale.
    if (args.runId && !args.lease && status.runId === args.runId && status.state === "running") {
      await ctx.scheduler.runAfter(Math.max(0, status.heartbeatAt + config.staleAfterMs - Date.now()), self, { runId: args.runId });
    }
    return status;
  }
  if (step.next.op === "done") return step.status;

  const runId = step.status.runId;
  if (!secretKey) {
    const message = missingSecretKeyMessage("run the resync again: it resumes this run");
    await ctx.runMutation(component.resync.fail, { runId, lease, code: "MISSING_SECRET_KEY", message, requests: 0 });
    console.error(`convex-clerk-users resync: MISSING_SECRET_KEY: ${message}`);
    throw clerkUsersError("MISSING_SECRET_KEY", message);
  }
  // Resumes the run if this step dies without handing over (cancelled below if it does).
  const watchdog = await ctx.scheduler.runAfter(config.staleAfterMs, self, { runId });
  // A wait that outlasts the step is not waited: the step hands over to one scheduled after it.
  const deadline = startedAt + config.maxStepMs;
  const api = new ClerkApi({ apiUrl: config.apiUrl, secretKey, retry: config.retry, rateLimit: config.rateLimit, deadline, sentAt });
  try {
    const result = await work(ctx, component, config, { runId, lease, deadline, api }, step);
    if (result.continueAfterMs !== undefined) {
      // The next step keeps to the same rate-limit window: it is told when this one's recent requests went out.
      const recent = api.recentSends();
      await ctx.scheduler.runAfter(result.continueAfterMs, self, { runId, lease, ...(recent.length > 0 ? { sentAt: recent } : {}) });
    }
    await ctx.scheduler.cancel(watchdog);
    return result.status ?? (await currentStatus(ctx, component));
  } catch (error) {
    await ctx.scheduler.cancel(watchdog);
    const failure = asResyncFailure(error);
    await ctx.runMutation(component.resync.fail, { runId, lease, code: failure.code, message: failure.message, requests: api.takeRequests() });
    console.error(`convex-clerk-users resync: ${failure.code}: ${failure.message}`);
    throw clerkUsersError(failure.code, failure.message);
  } finally {
    api.abort();
  }
}

type Held = { runId: string; lease: string; deadline: number; api: ClerkApi };
type StepResult = { status: ResyncStatus | null; continueAfterMs?: number };

/**
 * Carries out the component's instructions, handing back each answer, until the run is done or
 * the step is out of time. A step carries out at least one instruction; a page it fetched ahead
 * is always handed back (no request is wasted); and the instruction after the judging that
 * finished a span is carried out too, as that judging finished the page before it.
 */
async function work(ctx: ActionCtx, component: ComponentApi, config: Config, { runId, lease, deadline, api }: Held, first: Step): Promise<StepResult> {
  const fetcher = new Fetcher(api);
  let step = first;
  let mayStop = false;
  for (;;) {
    const { next } = step;
    if (next.op === "done") return { status: step.status };
    if (mayStop && Date.now() >= deadline && !fetcher.holds(next)) return handOver(0);
    const handback = await fetcher.carryOut(next, { fetchAhead: Date.now() < deadline });
    if (isPostponed(handback)) return handOver(handback.postponeMs);
    const answer = await ctx.runMutation(component.resync.advance, {
      runId,
      lease,
      handback,
      requests: api.takeRequests(),
      pageSize: config.pageSize,
      hooks: config.hooks,
      allowMassRemoval: config.allowMassRemoval,
    });
    if (!answer) return { status: null }; // Another step took the run over.
    mayStop = next.op !== "judge" || answer.next.op === "judge";
    step = answer;
  }

  /** Records the step's requests and asks for the next step in `afterMs`. */
  async function handOver(afterMs: number): Promise<StepResult> {
    const status = await ctx.runMutation(component.resync.handOver, { runId, lease, requests: api.takeRequests() });
    return status ? { status, continueAfterMs: afterMs } : { status: null };
  }
}

async function currentStatus(ctx: ActionCtx, component: ComponentApi): Promise<ResyncStatus> {
  return (await ctx.runQuery(component.resync.status, {}))!;
}

/** The failure to record: a Clerk request that cannot succeed, a component refusal carrying a resync code, or any other error. */
function asResyncFailure(error: unknown): { code: ResyncErrorCode; message: string } {
  if (error instanceof ClerkApiError) return { code: error.code, message: error.message };
  if (isResyncError(error)) return error.data;
  return { code: "RESYNC_FAILED", message: error instanceof Error ? error.message : String(error) };
}
