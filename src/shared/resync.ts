import { v, type Infer } from "convex/values";
import { vPlanFields } from "./billing.js";
import { KIND_ORDER, vChange, vKind, vKindRows, type Kind } from "./validators.js";

/**
 * What the resync's two sides say to each other, and what its status shows. The component drives
 * a run: each of its answers is a `Step`, the run's status and the next `Instruction`. The app's
 * action only carries an instruction out (it alone holds Clerk's secret key) and hands back what
 * Clerk answered, a `Handback`, which one component mutation applies before it answers again.
 */

/**
 * Why a resync stopped, in `status.lastError.code` and in the `ConvexError` the action throws:
 * - `MISSING_SECRET_KEY`: no `secretKey` option and no `CLERK_SECRET_KEY` env var.
 * - `UNAUTHORIZED`: Clerk answered 401/403: the key is wrong, revoked, or for another instance.
 * - `RATE_LIMITED`: Clerk kept answering 429 for one request, past the retry cap.
 * - `CLERK_UNAVAILABLE`: 5xx or network errors past the retry cap.
 * - `CLERK_REQUEST_REJECTED`: another 4xx (the request itself was refused).
 * - `BAD_RESPONSE`: Clerk answered 200 with something that is not a list.
 * - `TOO_MANY_REMOVALS`: reconcile would remove more objects than the pass found still in Clerk.
 * - `RESYNC_FAILED`: anything else, e.g. one of your hooks threw while a page was written.
 *
 * A stopped run keeps its place: calling the action again resumes it from the last committed page.
 */
export const vResyncErrorCode = v.union(
  v.literal("MISSING_SECRET_KEY"),
  v.literal("UNAUTHORIZED"),
  v.literal("RATE_LIMITED"),
  v.literal("CLERK_UNAVAILABLE"),
  v.literal("CLERK_REQUEST_REJECTED"),
  v.literal("BAD_RESPONSE"),
  /** Reconcile would remove more objects than the pass found still in Clerk: a wrong key, most likely. */
  v.literal("TOO_MANY_REMOVALS"),
  v.literal("RESYNC_FAILED"),
);
export type ResyncErrorCode = Infer<typeof vResyncErrorCode>;

export const RESYNC_ERROR_CODES: readonly ResyncErrorCode[] = vResyncErrorCode.members.map((member) => member.value);

/**
 * Where a run is:
 * - `listing`: reading Clerk's list of the run's `kind`, in the kind's listing order (oldest first, newest first, or per parent);
 * - `reconciling`: the listing completed; objects not seen in it are asked about by id and removed if gone.
 */
export const vResyncPhase = v.union(v.literal("listing"), v.literal("reconciling"));

/** `running` (a step is working or scheduled), `completed`, or `failed` (see `lastError`; calling again resumes). */
export const vResyncState = v.union(v.literal("running"), v.literal("completed"), v.literal("failed"));

/** What a run did to one kind, cumulative over its steps. */
export const vKindCounts = v.object({
  /** Objects listed so far, each counted once (the overlap between pages and pages read again are not). */
  seen: v.number(),
  /** Written: new to the table / newer than the stored version. Each ran your hook. */
  created: v.number(),
  updated: v.number(),
  /** Already stored at this version or a newer one (from a webhook): nothing written. */
  unchanged: v.number(),
  /** Listed by Clerk but deleted here already (a `*.deleted` event arrived first): not brought back. */
  tombstoned: v.number(),
  /** Listed objects this package cannot store; they are skipped, not fatal. */
  invalid: v.number(),
  /** Ids of the first few invalid objects, to look up in Clerk's dashboard. */
  invalidIds: v.array(v.string()),
  /** Removed by reconcile: in the table, but no longer in Clerk. */
  removed: v.number(),
});
export type KindCounts = Infer<typeof vKindCounts>;

const vOptionalCounts = v.optional(vKindCounts);
/**
 * One `KindCounts` per kind the run syncs, keyed by kind name; and `plan`, Clerk Billing's plans,
 * once a run with `billing: true` has synced them (`tombstoned` stays 0: plans have none;
 * `removed` counts plans Clerk no longer lists).
 */
export const vCountsByKind = v.object({
  ...(Object.fromEntries(KIND_ORDER.map((kind) => [kind, vOptionalCounts])) as Record<Kind, typeof vOptionalCounts>),
  plan: vOptionalCounts,
});
export type CountsByKind = Infer<typeof vCountsByKind>;

/** Progress of a resync run, as `resync.status` and the action return it. */
export const vResyncStatus = v.object({
  runId: v.string(),
  state: vResyncState,
  phase: vResyncPhase,
  /** What is being listed or reconciled, one of `kinds`. */
  kind: vKind,
  /** The kinds this run syncs, in order: an object's parents before it. */
  kinds: v.array(vKind),
  startedAt: v.number(),
  /** When the run completed or last failed. */
  finishedAt: v.optional(v.number()),
  /** Last time a step of this run made progress. */
  heartbeatAt: v.number(),
  /** Pages of Clerk's lists committed, of every kind. */
  pagesDone: v.number(),
  /** What the run did, per kind of `kinds` it has reached, and to Clerk Billing's plans (`plan`) once it synced them. */
  counts: vCountsByKind,
  /** HTTP requests made to Clerk, retries included. */
  requests: v.number(),
  /** Action executions that worked on this run (continuations and resumes). */
  steps: v.number(),
  lastError: v.optional(v.object({ code: vResyncErrorCode, message: v.string(), at: v.number() })),
});
export type ResyncStatus = Infer<typeof vResyncStatus>;

/** A listed object, as far as the listing's order and continuity go: Clerk's `id` and `created_at`. */
export const vListed = v.object({ id: v.optional(v.string()), created_at: v.optional(v.number()) });

/** A candidate for removal, and what it belonged to (a membership's `orgId` and `userId`): how Clerk is asked about it. */
export const vCandidate = v.object({ clerkId: v.string(), belongsTo: v.optional(v.record(v.string(), v.string())) });

/**
 * What the component asks the action to do next:
 * - `list`: read `limit` objects of `kind`'s list from `offset`, in the kind's order, and hand the
 *   page back; for a kind listed per parent, the objects of `parent`. `ahead` is the offset the next `list` will name if this page comes back full: the action
 *   may fetch it while this page is applied.
 * - `recheck`: ask Clerk about these candidates by id, and hand back what it still has and what
 *   it no longer has.
 * - `judge`: nothing to fetch; the last page's span still has stored rows to judge, one
 *   transaction at a time: hand back `judge` again.
 * - `plans`: read Clerk Billing's whole list of plans, `limit` a page, and hand it all back at
 *   once (resync/plans.ts on both sides).
 * - `done`: the run is completed or failed.
 */
export const vInstruction = v.union(
  v.object({
    op: v.literal("list"),
    kind: vKind,
    offset: v.number(),
    limit: v.number(),
    ahead: v.optional(v.number()),
    /** A kind listed per parent: the parent whose objects to fetch (one request, its whole answer). */
    parent: v.optional(v.string()),
  }),
  v.object({
    op: v.literal("recheck"),
    kind: vKind,
    candidates: v.array(vCandidate),
    /** The component's own references to the batch, handed back with the answer (`answered`). */
    refs: v.array(v.string()),
  }),
  v.object({ op: v.literal("judge") }),
  v.object({ op: v.literal("plans"), limit: v.number() }),
  v.object({ op: v.literal("done") }),
);
export type Instruction = Infer<typeof vInstruction>;

/** The component's answer to the step holding a run: where the run is, and what to do next. */
export const vStep = v.object({ status: vResyncStatus, next: vInstruction });
export type Step = Infer<typeof vStep>;

/** What the action hands back for an instruction. */
export const vHandback = v.union(
  v.object({
    op: v.literal("list"),
    /** The offset and limit the page was read with. */
    offset: v.number(),
    limit: v.number(),
    /** The instruction's `parent`, for a kind listed per parent. */
    parent: v.optional(v.string()),
    /** Every object on the page, in its order, storable or not. */
    listed: v.array(vListed),
    /** Storable rows of the page, mapped from Clerk's JSON. */
    rows: vKindRows,
    /** Ids of the objects on the page that could not be stored. */
    invalid: v.array(v.string()),
    /** Objects of other kinds the page's objects carry whole (a membership's organization), applied first. */
    embedded: v.optional(v.array(vChange)),
  }),
  v.object({
    op: v.literal("recheck"),
    /** The instruction's `refs`: its candidates, all answered. */
    answered: v.array(v.string()),
    /** Storable rows Clerk returned for the candidates. */
    found: vKindRows,
    /** Ids of every candidate Clerk returned, storable or not. */
    foundIds: v.array(v.string()),
    /** Candidates Clerk no longer has. */
    missing: v.array(v.string()),
  }),
  v.object({ op: v.literal("judge") }),
  v.object({
    op: v.literal("plans"),
    /** Every plan Clerk listed, storable or not, by id: a stored plan not among them is gone. */
    listed: v.array(v.string()),
    /** The storable ones, mapped from Clerk's JSON (`planFromClerk`). */
    plans: v.array(vPlanFields),
    /** Ids of the listed plans that could not be stored. */
    invalid: v.array(v.string()),
  }),
);
export type Handback = Infer<typeof vHandback>;

/**
 * What `resyncPayer` did with one payer's subscription: whether Clerk had one (`found`; a 404 is a
 * payer with nothing, and nothing is changed), and what applying its items did, counted as a
 * resync counts a kind (`seen` items, of which `created`, `updated`, `unchanged`, `tombstoned`
 * when the payer was deleted here already, `invalid` not storable).
 */
export const vPayerResyncResult = v.object({
  found: v.boolean(),
  ...vKindCounts.omit("removed").fields,
});
export type PayerResyncResult = Infer<typeof vPayerResyncResult>;
