import { internalActionGeneric, makeFunctionReference, type GenericActionCtx, type GenericDataModel, type RegisteredAction } from "convex/server";
import { ConvexError, v, type Value } from "convex/values";
import { clerkUsersError, isClerkUsersError, type ClerkUsersErrorData } from "../shared/errors.js";
import { MAX_PAGE_SIZE, START_CURSOR, checkPage, idOf, nextRequestOffset, type ListCursor } from "../shared/paging.js";
import { DEFAULT_RETRY_POLICY, SECRET_KEY_ENV_VAR, type RetryPolicy } from "../shared/retry.js";
import { vSyncErrorCode, vSyncStatus, type SyncErrorCode, type SyncStatus } from "../shared/syncStatus.js";
import { KIND_ORDER, type Kind } from "../shared/validators.js";
import type { ComponentApi } from "../component/_generated/component.js";
import { hookHandle, type UserHooks } from "./hooks.js";
import { CLERK_RATE_LIMITS, ClerkApi, ClerkApiError, assumeSentAt, isPostponed, type Postponed, type RateLimit } from "./clerkApi.js";
import { LIST_ORDER, RESYNC_KINDS, sortOut } from "./resyncKinds.js";

export const DEFAULT_CLERK_API_URL = "https://api.clerk.com";
const API_URL_ENV_VAR = "CLERK_API_URL";
/** A step stops taking new pages after this long and schedules the next: well inside Convex's 10-minute action limit. */
export const DEFAULT_MAX_STEP_MS = 5 * 60_000;
/**
 * A running run with no progress for this long is taken over (by a new call or the watchdog).
 * Longer than Convex's 10-minute action limit, so the step that held it is certainly gone.
 */
export const DEFAULT_STALE_AFTER_MS = 11 * 60_000;

export type SyncUsersOptions = UserHooks & {
  /** Clerk's secret key (`sk_...`). Default: the `CLERK_SECRET_KEY` env var, read each run. Never stored. */
  secretKey?: string;
  /**
   * Clerk's Backend API. Default: the `CLERK_API_URL` env var (read each run, the same name
   * Clerk's SDKs use), else `https://api.clerk.com`.
   */
  apiUrl?: string;
  /** Users per request and per page mutation, from 2 to 500 (Clerk's largest page, the default). Lower it only if your hooks do so much per user that a page mutation hits Convex's limits. */
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
   * makeSyncUsersAction(components.clerkUsers, { rateLimit: CLERK_RATE_LIMITS.production });
   * ```
   */
  rateLimit?: RateLimit | false;
  /**
   * Also sync organizations and memberships, after the users: `GET /v1/organizations` and
   * `GET /v1/organization_memberships`, with the same paging, ordering rules, hooks and removal
   * of what Clerk no longer has. Default false: no organization request is made.
   */
  organizations?: boolean;
  /**
   * Lets reconcile remove more users (or organizations, or memberships) than the pass found still in Clerk. Without it, such a pass
   * stops with `TOO_MANY_REMOVALS` before removing any: that is what a secret key of another
   * Clerk instance looks like. Default false.
   */
  allowMassRemoval?: boolean;
};

/** Arguments of the resync action. Call it with none; the others are for its own scheduled steps. */
export type SyncUsersArgs = {
  /** With `lease`: a scheduled continuation. Alone: the watchdog, which resumes the run if it stalled. */
  runId?: string;
  lease?: string;
  /** A continuation's: when the step before it sent its requests still inside the rate-limit window. */
  sentAt?: number[];
};

/**
 * Makes the action that fills the component's users table from Clerk's Backend API and repairs
 * drift: it pages through every user (500 per request, paced to Clerk's rate limit), writes each page
 * in one mutation through the same ordering rules and hooks as the webhook, and, once the whole
 * list was read, removes users Clerk no longer has. Long syncs continue in scheduled steps and
 * resume from the last committed page after a failure.
 * ```ts
 * // convex/clerk.ts
 * import { makeSyncUsersAction } from "convex-clerk-users";
 * import { components } from "./_generated/api";
 * export const syncUsers = makeSyncUsersAction(components.clerkUsers);
 * // npx convex run clerk:syncUsers   (or from the dashboard, or a cron)
 * ```
 * It returns the run's status; `components.clerkUsers.backfill.status` reads it at any time.
 * Errors are `ConvexError`s with a `code` (see `SyncErrorCode`, `isSyncUsersError`).
 */
export function makeSyncUsersAction(component: ComponentApi, options: SyncUsersOptions = {}): RegisteredAction<"internal", SyncUsersArgs, Promise<SyncStatus>> {
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  // Pages overlap by one user, so a page of one would only ever read that user again.
  if (!Number.isInteger(pageSize) || pageSize < 2 || pageSize > MAX_PAGE_SIZE) {
    throw new Error(`makeSyncUsersAction: pageSize must be an integer from 2 to ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  return internalActionGeneric({
    args: { runId: v.optional(v.string()), lease: v.optional(v.string()), sentAt: v.optional(v.array(v.number())) },
    returns: vSyncStatus,
    handler: (ctx, args) => syncStep(ctx, component, { ...options, pageSize }, args),
  });
}

/**
 * Whether `error` is a resync failure thrown by the action, optionally of one code: the same
 * check as `isClerkUsersError`, narrowed to the resync's codes.
 * ```ts
 * try { await ctx.runAction(internal.clerk.syncUsers, {}); }
 * catch (e) { if (isSyncUsersError(e, "UNAUTHORIZED")) notifyOps("fix CLERK_SECRET_KEY"); }
 * ```
 */
export function isSyncUsersError(error: unknown, code?: SyncErrorCode): error is ConvexError<SyncErrorData & Record<string, Value>> {
  return isClerkUsersError(error, code) && SYNC_ERROR_CODES.includes((error.data as SyncErrorData).code);
}

/** A resync error's data: this package's one error shape, with a resync's code. */
export type SyncErrorData = ClerkUsersErrorData<SyncErrorCode>;

/** A failure that stops the run, with the code recorded in its status. */
class SyncFailure extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type Config = Required<Pick<SyncUsersOptions, "pageSize" | "maxStepMs" | "staleAfterMs" | "allowMassRemoval">> & {
  apiUrl: string;
  secretKey: string;
  retry: RetryPolicy;
  rateLimit: RateLimit | null;
  hooks: string | undefined;
};

type ActionCtx = GenericActionCtx<GenericDataModel>;

/** One action execution: acquire the run, work until done or out of time, hand over. */
async function syncStep(ctx: ActionCtx, component: ComponentApi, options: SyncUsersOptions & { pageSize: number }, args: SyncUsersArgs): Promise<SyncStatus> {
  const startedAt = Date.now();
  const secretKey = options.secretKey ?? process.env[SECRET_KEY_ENV_VAR];
  if (!secretKey) {
    throw syncError(
      "MISSING_SECRET_KEY",
      `No Clerk secret key: set ${SECRET_KEY_ENV_VAR} in your Convex deployment's environment variables to your Clerk instance's secret key (sk_...).`,
    );
  }
  const config: Config = {
    pageSize: options.pageSize,
    maxStepMs: options.maxStepMs ?? DEFAULT_MAX_STEP_MS,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    allowMassRemoval: options.allowMassRemoval ?? false,
    apiUrl: (options.apiUrl ?? process.env[API_URL_ENV_VAR] ?? DEFAULT_CLERK_API_URL).replace(/\/+$/, ""),
    secretKey,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    rateLimit: options.rateLimit === false ? null : (options.rateLimit ?? CLERK_RATE_LIMITS.development),
    hooks: await hookHandle(options.hooks),
  };
  // The next step calls this same action, found by name: the app defines it, not the package.
  const self = makeFunctionReference<"action", SyncUsersArgs, SyncStatus>((await ctx.meta.getFunctionMetadata()).name);

  const lease = args.lease ?? crypto.randomUUID();
  let sentAt = args.sentAt;
  let step: { status: SyncStatus; cursor: ListCursor; windowLeft: boolean } | null;
  if (args.runId && args.lease) {
    step = await ctx.runMutation(component.backfill.continueRun, { runId: args.runId, lease });
  } else if (args.runId) {
    step = await ctx.runMutation(component.backfill.takeOver, { runId: args.runId, lease, staleAfterMs: config.staleAfterMs });
  } else {
    // A run that finished moments ago may have used up this window: a new one keeps to it too.
    const previous = await ctx.runQuery(component.backfill.status, {});
    if (previous?.finishedAt !== undefined) sentAt = assumeSentAt(previous.finishedAt, previous.requests, config.rateLimit, Date.now());
    const kinds: Kind[] = options.organizations ? [...KIND_ORDER] : KIND_ORDER.slice(0, 1);
    const started = await ctx.runMutation(component.backfill.start, { lease, staleAfterMs: config.staleAfterMs, kinds });
    if (!started.acquired) return started.status; // Another step is at work on it.
    step = started;
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

  const runId = step.status.runId;
  // Resumes the run if this step dies without handing over (cancelled below if it does).
  const watchdog = await ctx.scheduler.runAfter(config.staleAfterMs, self, { runId });
  const worker = new StepWorker(ctx, component, config, runId, lease, startedAt + config.maxStepMs, sentAt);
  try {
    const result = await worker.work(step);
    if (result.continueAfterMs !== undefined) {
      // The next step keeps to the same window: it is told when this one's recent requests went out.
      const sentAt = worker.recentSends();
      await ctx.scheduler.runAfter(result.continueAfterMs, self, { runId, lease, ...(sentAt.length > 0 ? { sentAt } : {}) });
    }
    await ctx.scheduler.cancel(watchdog);
    return result.status ?? (await currentStatus(ctx, component));
  } catch (error) {
    await ctx.scheduler.cancel(watchdog);
    const failure = asSyncFailure(error);
    await ctx.runMutation(component.backfill.fail, { runId, lease, code: failure.code, message: failure.message, requests: worker.takeRequests() });
    console.error(`convex-clerk-users sync: ${failure.code}: ${failure.message}`);
    throw syncError(failure.code, failure.message);
  } finally {
    worker.stop();
  }
}

async function currentStatus(ctx: ActionCtx, component: ComponentApi): Promise<SyncStatus> {
  return (await ctx.runQuery(component.backfill.status, {}))!;
}

const SYNC_ERROR_CODES: readonly string[] = vSyncErrorCode.members.map((member) => member.value);

/** The failure to record: the action's own, a component refusal carrying a sync error code, or any other error. */
function asSyncFailure(error: unknown): SyncFailure {
  if (error instanceof SyncFailure) return error;
  if (error instanceof ClerkApiError) return new SyncFailure(error.code, error.message);
  if (isSyncUsersError(error)) return new SyncFailure(error.data.code, error.data.message);
  return new SyncFailure("SYNC_FAILED", error instanceof Error ? error.message : String(error));
}

const syncError = (code: SyncErrorCode, message: string) => clerkUsersError(code, message);

type StepResult = { status: SyncStatus | null; continueAfterMs?: number };
type ListedPage = { kind: Kind; from: number; items: unknown[]; next: ListCursor; done: boolean; repeated: number };
type Progress = { status: SyncStatus; windowLeft: boolean } | null;

class StepWorker {
  private readonly api: ClerkApi;

  constructor(
    private readonly ctx: ActionCtx,
    private readonly component: ComponentApi,
    private readonly config: Config,
    private readonly runId: string,
    private readonly lease: string,
    private readonly deadline: number,
    sentAt: readonly number[] | undefined,
  ) {
    // A wait that outlasts the step is not waited: the step hands over to one scheduled after it.
    this.api = new ClerkApi({ apiUrl: config.apiUrl, secretKey: config.secretKey, retry: config.retry, rateLimit: config.rateLimit, deadline, sentAt });
  }

  /** Requests made since the last write, to record with the next one. */
  takeRequests() {
    return this.api.takeRequests();
  }

  recentSends() {
    return this.api.recentSends();
  }

  stop() {
    this.api.abort();
  }

  async work(step: { status: SyncStatus; cursor: ListCursor; windowLeft: boolean }): Promise<StepResult> {
    let { status } = step;
    if (step.windowLeft) {
      // The step before this one committed a page and stopped before its window was judged.
      const judged = await this.judgeWindow(await this.judgeChunk());
      if (!judged) return { status: null };
      if (judged.windowLeft) return this.handOver(0);
      status = judged.status;
    }
    let { cursor } = step;
    // Each kind of the run in turn: its listing, then its reconcile; the component says which is next.
    for (;;) {
      if (status.phase === "listing") {
        const listed = await this.list(status.kind, cursor);
        // Handed over, or lost the run: otherwise the listing is complete and reconcile follows.
        if (listed.continueAfterMs !== undefined || !listed.status) return listed;
      }
      const reconciled = await this.reconcile();
      if (reconciled.continueAfterMs !== undefined || !reconciled.status || reconciled.status.state !== "running") return reconciled;
      // The next kind's listing, from its first page.
      status = reconciled.status;
      cursor = START_CURSOR;
      if (Date.now() >= this.deadline) return this.handOver(0);
    }
  }

  /**
   * Pages through the list, committing each page in order while the next one is fetched:
   * the step runs at the pace of the slower of Clerk's rate limit and the page mutations.
   */
  private async list(kind: Kind, cursor: ListCursor): Promise<StepResult> {
    let fetching: Promise<ListedPage | Postponed> | undefined = this.fetchPage(kind, cursor);
    while (fetching) {
      const page: ListedPage | Postponed = await fetching;
      if ("postponeMs" in page) return this.handOver(page.postponeMs);
      fetching = !page.done && Date.now() < this.deadline ? this.fetchPage(kind, page.next) : undefined;
      // If the commit throws, the prefetch is abandoned (stop() aborts it): keep it from surfacing unhandled.
      fetching?.catch(() => {});
      const progress = await this.commit(page);
      if (!progress) return { status: null };
      // Out of time with the page's window still being judged: the next step goes on with it.
      if (progress.windowLeft) return this.handOver(0);
      if (page.done) return { status: progress.status };
    }
    // Out of time: at least one page was committed; the next step takes it from there.
    return this.handOver(0);
  }

  /** Reads the page that continues `cursor`, reading again from further back if the list shifted under it. */
  private async fetchPage(kind: Kind, cursor: ListCursor): Promise<ListedPage | Postponed> {
    const limit = this.config.pageSize;
    let offset = nextRequestOffset(cursor);
    for (;;) {
      const items = await this.api.listPage(RESYNC_KINDS[kind].listPath, { ...RESYNC_KINDS[kind].listParams, limit, offset, order_by: LIST_ORDER });
      if (isPostponed(items)) return items;
      const check = checkPage(cursor, offset, limit, items);
      if (check.ok) return { kind, from: cursor.offset, items, next: check.next, done: check.done, repeated: check.repeated };
      offset = check.retryOffset;
    }
  }

  private async commit(page: ListedPage): Promise<Progress> {
    const { page: rows, seen, invalid } = sortOut(page.kind, page.items);
    const progress = await this.ctx.runMutation(this.component.backfill.commitPage, {
      runId: this.runId,
      lease: this.lease,
      from: page.from,
      next: page.next,
      done: page.done,
      page: rows,
      seen,
      repeated: page.repeated,
      invalid,
      requests: this.takeRequests(),
      hooks: this.config.hooks,
    });
    return this.judgeWindow(progress);
  }

  /**
   * Judges the rest of the last page's window, a chunk per mutation (most windows need none),
   * until it is done or the step is out of time.
   */
  private async judgeWindow(progress: Progress): Promise<Progress> {
    while (progress?.windowLeft && Date.now() < this.deadline) progress = await this.judgeChunk();
    return progress;
  }

  private judgeChunk(): Promise<Progress> {
    return this.ctx.runMutation(this.component.backfill.judgeWindow, { runId: this.runId, lease: this.lease });
  }

  /**
   * After a complete listing of a kind: asks Clerk about each object the pass did not see, and
   * removes only those Clerk says are gone.
   */
  private async reconcile(): Promise<StepResult> {
    for (;;) {
      const batch = await this.ctx.runMutation(this.component.backfill.nextCandidates, { runId: this.runId, lease: this.lease });
      if (!batch) return { status: null };
      const answers = await RESYNC_KINDS[batch.kind].recheck(this.api, batch.candidates, batch.belongsTo);
      if (isPostponed(answers)) return this.handOver(answers.postponeMs);
      const byId = new Map(answers.map((json) => [idOf(json), json]));
      const stillThere = batch.candidates.filter((id) => byId.has(id));
      const missing = batch.candidates.filter((id) => !byId.has(id));
      const { page: found, seen: foundIds } = sortOut(
        batch.kind,
        stillThere.map((id) => byId.get(id)),
      );
      const status = await this.ctx.runMutation(this.component.backfill.applyRecheck, {
        runId: this.runId,
        lease: this.lease,
        found,
        foundIds,
        missing,
        last: batch.last,
        allowMassRemoval: this.config.allowMassRemoval,
        requests: this.takeRequests(),
        hooks: this.config.hooks,
      });
      if (!status || batch.last) return { status };
      // Checked after a batch, not before: every step makes progress, however short its budget.
      if (Date.now() >= this.deadline) return this.handOver(0);
    }
  }

  /** Records the step's requests and asks for the next step in `afterMs`. */
  private async handOver(afterMs: number): Promise<StepResult> {
    const status = await this.ctx.runMutation(this.component.backfill.checkpoint, { runId: this.runId, lease: this.lease, requests: this.takeRequests() });
    return status ? { status, continueAfterMs: afterMs } : { status: null };
  }
}
