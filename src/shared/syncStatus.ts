import { v, type Infer } from "convex/values";
import { vKind } from "./validators.js";

/**
 * Why a resync stopped, in `status.lastError.code` and in the `ConvexError` the action throws:
 * - `MISSING_SECRET_KEY`: no `secretKey` option and no `CLERK_SECRET_KEY` env var.
 * - `UNAUTHORIZED`: Clerk answered 401/403: the key is wrong, revoked, or for another instance.
 * - `RATE_LIMITED`: Clerk kept answering 429 for one request, past the retry cap.
 * - `CLERK_UNAVAILABLE`: 5xx or network errors past the retry cap.
 * - `CLERK_REQUEST_REJECTED`: another 4xx (the request itself was refused).
 * - `BAD_RESPONSE`: Clerk answered 200 with something that is not a list of users.
 * - `SYNC_FAILED`: anything else, e.g. one of your hooks threw while a page was written.
 *
 * A stopped run keeps its place: calling the action again resumes it from the last committed page.
 */
export const vSyncErrorCode = v.union(
  v.literal("MISSING_SECRET_KEY"),
  v.literal("UNAUTHORIZED"),
  v.literal("RATE_LIMITED"),
  v.literal("CLERK_UNAVAILABLE"),
  v.literal("CLERK_REQUEST_REJECTED"),
  v.literal("BAD_RESPONSE"),
  /** Reconcile would remove more users than the pass found still in Clerk: a wrong key, most likely. */
  v.literal("TOO_MANY_REMOVALS"),
  v.literal("SYNC_FAILED"),
);
export type SyncErrorCode = Infer<typeof vSyncErrorCode>;

export const vSyncError = v.object({ code: vSyncErrorCode, message: v.string(), at: v.number() });
export type SyncError = Infer<typeof vSyncError>;

/**
 * Where a run is:
 * - `listing`: paging through Clerk's list of the run's `kind` (`GET /v1/users`, `/v1/organizations`, `/v1/organization_memberships`);
 * - `reconciling`: the listing completed; users not seen in it are re-checked by id and removed if gone.
 */
export const vSyncPhase = v.union(v.literal("listing"), v.literal("reconciling"));

/** `running` (a step is working or scheduled), `completed`, or `failed` (see `lastError`; calling again resumes). */
export const vSyncState = v.union(v.literal("running"), v.literal("completed"), v.literal("failed"));

/** A kind's counts in a run, as the users' are at the status's top level. */
export const vKindCounts = v.object({
  seen: v.number(),
  created: v.number(),
  updated: v.number(),
  unchanged: v.number(),
  tombstoned: v.number(),
  invalid: v.number(),
  invalidIds: v.array(v.string()),
  removed: v.number(),
});
export type KindCounts = Infer<typeof vKindCounts>;

/**
 * Progress of a resync run, as the status query and the action return it.
 * Counts are of users in Clerk's list, cumulative over the run's steps; a run that also syncs
 * organizations has their counts, and their memberships', in `organizations` and `memberships`.
 */
export const vSyncStatus = v.object({
  runId: v.string(),
  state: vSyncState,
  phase: vSyncPhase,
  /** What is being listed or reconciled: `user`, then `organization`, then `membership`. */
  kind: vKind,
  /** The kinds this run syncs, in that order. */
  kinds: v.array(vKind),
  startedAt: v.number(),
  /** When the run completed or last failed. */
  finishedAt: v.optional(v.number()),
  /** Last time a step of this run made progress. */
  heartbeatAt: v.number(),
  /** Pages of Clerk's lists committed, of every kind. */
  pagesDone: v.number(),
  /** Users listed so far, each counted once (the overlap between pages and pages read again are not). */
  usersSeen: v.number(),
  /** Users written: new to the table / newer than the stored version. Each ran your hook. */
  created: v.number(),
  updated: v.number(),
  /** Users already stored at this version or a newer one (from a webhook): nothing written. */
  unchanged: v.number(),
  /** Users listed by Clerk but deleted here already (a `user.deleted` arrived first): not brought back. */
  tombstoned: v.number(),
  /** Users in Clerk's list that are not a user this package can store; they are skipped, not fatal. */
  invalidUsers: v.number(),
  /** Ids of the first few invalid users, to look up in Clerk's dashboard. */
  invalidUserIds: v.array(v.string()),
  /** Users removed by reconcile: in the table, but no longer in Clerk. */
  removed: v.number(),
  /** The same counts for organizations and for memberships, in a run made with `{ organizations: true }`. */
  organizations: v.optional(vKindCounts),
  memberships: v.optional(vKindCounts),
  /** HTTP requests made to Clerk, retries included. */
  requests: v.number(),
  /** Action executions that worked on this run (continuations and resumes). */
  steps: v.number(),
  lastError: v.optional(vSyncError),
});
export type SyncStatus = Infer<typeof vSyncStatus>;
