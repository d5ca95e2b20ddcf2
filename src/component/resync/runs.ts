import { CLERK_MAX_PAGE_SIZE, START_CURSOR } from "../../shared/paging.js";
import type { ResyncStatus } from "../../shared/resync.js";
import { kindNamed } from "../../shared/kinds/registry.js";
import { KIND_ORDER, type Kind } from "../../shared/validators.js";
import type { Doc } from "../_generated/dataModel.js";
import type { MutationCtx, QueryCtx } from "../_generated/server.js";
import { KINDS } from "../kinds.js";
import { kindReader } from "../rows.js";
import { pruneRuns } from "../prune.js";
import { startCounts } from "./counts.js";
import type { RunPatch } from "./lifecycle.js";

/** A stored run: its status, and what only its steps read (lease, cursor, span, `existingUpTo`). */
export type RunDoc = Doc<"resyncRuns">;

/**
 * Objects one resync transaction handles: a page (Clerk's largest), a chunk of a span judged, a
 * batch of candidates re-checked. Keeps each inside Convex's per-transaction limits (16,000
 * writes, 4,096 index ranges): per object at most 1 write (its row, or a candidate) and a few
 * index ranges (`lookUpMany`'s spans, ids past them, a membership's parents), plus the app's hooks.
 */
export const BATCH_SIZE = CLERK_MAX_PAGE_SIZE;

export function assertBatchSize(...lengths: number[]) {
  if (lengths.some((n) => n > BATCH_SIZE)) {
    throw new Error(`A resync batch holds at most ${BATCH_SIZE} objects (Clerk's largest page), got ${Math.max(...lengths)}`);
  }
}

export async function latestRun(ctx: QueryCtx): Promise<RunDoc | null> {
  return ctx.db.query("resyncRuns").order("desc").first();
}

/** The kinds a run of `kinds` syncs, in order: the first kind always. */
export function runKinds(kinds: readonly Kind[]): Kind[] {
  return KIND_ORDER.filter((kind) => (kind === KIND_ORDER[0] || kinds.includes(kind)) && kindNamed(kind).api !== undefined);
}

/** Starts a new run of `kinds` for the step holding `lease`, from the first page of its first kind. */
export async function insertRun(ctx: MutationCtx, kinds: Kind[], lease: string, now: number): Promise<RunDoc> {
  const kind = kinds[0]!;
  const id = await ctx.db.insert("resyncRuns", {
    state: "running",
    phase: "listing",
    kind,
    kinds,
    lease,
    startedAt: now,
    heartbeatAt: now,
    pagesDone: 0,
    requests: 0,
    steps: 1,
    ...(await listingStart(ctx, kind, {})),
  });
  await pruneRuns(ctx);
  return (await ctx.db.get("resyncRuns", id))!;
}

/**
 * Where the listing of `kind` starts: its first page, its counts at zero, and the rows it judges,
 * those that existed when it started (`existingUpTo`): later rows were written by a webhook
 * during the run, so Clerk had them after the listing started.
 */
export async function listingStart(ctx: QueryCtx, kind: Kind, counts: RunDoc["counts"]) {
  const newest = await kindReader(ctx).query(KINDS[kind].table).order("desc").first();
  return { cursor: START_CURSOR, span: undefined, existingUpTo: newest?._creationTime ?? 0, counts: startCounts(counts, kind) };
}

/** Writes a lifecycle transition and the step's own fields, and returns the run as written. */
export async function write(ctx: MutationCtx, run: RunDoc, transition: RunPatch, fields: Partial<RunDoc> = {}): Promise<RunDoc> {
  const { nextKind, ...lifecycle } = transition;
  const next = nextKind && lifecycle.kind ? await listingStart(ctx, lifecycle.kind, { ...run.counts, ...fields.counts }) : {};
  await ctx.db.patch("resyncRuns", run._id, { ...lifecycle, ...fields, ...next });
  return (await ctx.db.get("resyncRuns", run._id))!;
}

export function toStatus(run: RunDoc): ResyncStatus {
  const { _id, _creationTime, lease, existingUpTo, cursor, span, ...status } = run;
  return { runId: _id, ...status };
}
