import { v, type Infer } from "convex/values";
import { paymentAttempt } from "./kinds/paymentAttempt.js";
import { SUBSCRIPTIONS, subscriptionsOf } from "./kinds/registry.js";
import { subscriptionItem } from "./kinds/subscriptionItem.js";
import { user } from "./kinds/user.js";

/**
 * The webhook's health, as pure functions: how one delivery's outcome changes an hour of
 * counts (`openHour`, `recordOutcome`), what the stored hours add up to (`summarize`), and
 * the verdict and advice that follow (`verdictOf`). The component's functions (component/health.ts)
 * only read an hour, call these, and write it back.
 *
 * Storage: a verified delivery inserts one record of its own (`DeliveryRecord`), reading
 * nothing, so two deliveries never share a document. The pruning run folds records into one
 * document per shard per hour (`foldDeliveries`, the same fold `health.status` applies to the
 * records not yet folded) and deletes them, a batch at a time. A record counts in the shard its
 * svix id hashes to (`shardOf`), so a retry of a message lands where its failure was and clears
 * it. Rejections (requests that fail before verification, anyone can send them) count in a shard
 * of their own, `REJECTIONS_SHARD`, written at most once every `REJECTION_RECORD_EVERY_MS`. A
 * shard's newest hour carries its last times and its open failures forward, so those survive the
 * pruning of old hours.
 *
 * Nothing from a body is ever stored but a verified failure's event type (`session.created`, kept
 * only if it looks like one): outcomes are the package's own names, reasons its own codes, and the
 * svix id a header (kept only if it looks like one).
 */

const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
/** Counts are kept per 15 minutes: "the last hour" is the current slot and the three before it. */
export const SLOT_MS = 15 * MINUTE_MS;
export const SLOTS_PER_HOUR = HOUR_MS / SLOT_MS;
/** Shards of verified deliveries: two concurrent deliveries share a document 1 time in 8. */
export const SHARDS = 8;
/** The shard rejections are counted in; no verified delivery writes it. */
export const REJECTIONS_SHARD = SHARDS;
/** A flood of forged requests writes at most one rejection a second. */
export const REJECTION_RECORD_EVERY_MS = 1000;
/** A user signed in this long ago whose webhook has not arrived makes the endpoint `silent`. */
export const SILENT_AFTER_MS = 10 * MINUTE_MS;
/** Provisional rows older than this are not counted as waiting (the resync repairs them). */
export const SILENT_LOOKBACK_MS = 24 * HOUR_MS;
/**
 * A current paid item whose period ended this long ago, with no billing event since, makes the
 * endpoint `silent` for billing: Clerk sends one when it renews, fails or ends the item. The
 * margin covers Clerk's own renewal runs.
 */
export const BILLING_OVERDUE_AFTER_MS = 24 * HOUR_MS;
/** Hours kept: the last 24 hours of counts, and the hour being written. */
export const HOURS_KEPT_MS = 25 * HOUR_MS;
/** Failed messages remembered per shard until they are applied. */
export const MAX_OPEN_FAILURES = 10;
/** An open failure older than this is forgotten: Svix stopped retrying it long ago (about 28 h). */
export const OPEN_FAILURE_KEPT_MS = 3 * 24 * HOUR_MS;
/** While deliveries arrive, the pruning run folds their records into hours this often. */
export const FOLD_EVERY_MS = 5 * MINUTE_MS;
/**
 * The webhook asks for a pruning run at most this often (per Convex isolate), this long after:
 * a run that finds another pending hands its work over, so the asks start one when none is left.
 */
export const WAKE_PRUNING_EVERY_MS = HOUR_MS;
/** `health.status` reads at most this many records not yet folded, the newest. */
export const DELIVERIES_READ = 1000;
/** Svix ids are `msg_` and a few dozen letters; anything else in the header is not kept. */
const SVIX_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Clerk's event types are a word, a dot and a word (`session.created`); anything else is not kept. */
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_]{0,40}\.[A-Za-z][A-Za-z0-9_]{0,40}$/;

/** Why a request was refused before it was verified: anyone can send these. */
export const vRejectionReason = v.union(
  /** No signing secret is set in the deployment (500). */
  v.literal("noSecret"),
  /** The secret set is not a signing secret at all (500). */
  v.literal("invalidSecret"),
  /** No svix headers: not a Svix delivery (400). */
  v.literal("missingHeaders"),
  /** Body too large for a Clerk event (413). */
  v.literal("tooLarge"),
  /** Body is not UTF-8 (400). */
  v.literal("notUtf8"),
  /** No signature matches the secret (401): the secret is not this endpoint's, or it is forged. */
  v.literal("badSignature"),
  /** The signed timestamp is too old or too new (401): a replay, or a clock far off. */
  v.literal("badTimestamp"),
);
export type RejectionReason = Infer<typeof vRejectionReason>;

/** Why a verified delivery was not applied. */
export const vFailureReason = v.union(
  /** Authentic, but not an event this package can read (400). */
  v.literal("badPayload"),
  /** Applying it threw and was rolled back, most often an app hook (500). Svix retries it. */
  v.literal("applyFailed"),
  /** An event the package does not sync, handed to the app's `onEvent`, which threw: rolled back (500). Svix retries it. */
  v.literal("onEventFailed"),
);
export type FailureReason = Infer<typeof vFailureReason>;

/** One refused or failed delivery: status, the package's reason, the svix message id, when, and a verified one's event type. */
export const vIncident = v.object({
  status: v.number(),
  reason: v.union(vRejectionReason, vFailureReason),
  svixId: v.optional(v.string()),
  /** The verified event's type (`session.created`), kept only if it looks like one (`keptEventType`). */
  eventType: v.optional(v.string()),
  at: v.number(),
});
export type Incident = Infer<typeof vIncident>;

/** Deliveries by outcome. `rejected` is keyed by HTTP status ("401"). */
export const vCounts = v.object({
  /** Verified and written (created, updated or deleted), or handled by the app's `onEvent`. */
  applied: v.number(),
  /** Verified, already stored at that version, or already handled by `onEvent`: a retry or a resend. */
  duplicate: v.number(),
  /** Verified, older than what is stored, or about an object already deleted. */
  stale: v.number(),
  /** Verified, an event type this package does not sync, and the app has no `onEvent`. */
  ignored: v.number(),
  /** Verified, but not applied (see `lastFailure`). */
  failed: v.number(),
  /** Refused before verification, by status. Under a flood, at most one a second is counted. */
  rejected: v.record(v.string(), v.number()),
});
export type Counts = Infer<typeof vCounts>;

/** The fields of one stored hour (the component's `webhookHealth` table). */
export const healthHourFields = {
  shard: v.number(),
  /** When the hour starts. */
  hourStart: v.number(),
  /** Counts per 15-minute slot of the hour. */
  slots: v.array(vCounts),
  // Carried forward from the shard's previous hour, so they outlive pruning:
  lastDeliveryAt: v.optional(v.number()),
  lastAppliedAt: v.optional(v.number()),
  lastFailure: v.optional(vIncident),
  lastRejection: v.optional(vIncident),
  /** The last rejection that says the secret is wrong (`VERIFICATION_REASONS`): what `rejecting` rests on. */
  lastVerificationRejection: v.optional(vIncident),
  /** Failed messages of this shard not applied since, newest first. */
  openFailures: v.array(vIncident),
};
export const vHealthHour = v.object(healthHourFields);
export type HealthHour = Infer<typeof vHealthHour>;

/** The record one verified delivery inserts (the component's `webhookDeliveries` table). */
export const deliveryRecordFields = {
  at: v.number(),
  svixId: v.string(),
  kind: v.union(v.literal("applied"), v.literal("duplicate"), v.literal("stale"), v.literal("ignored"), v.literal("failed")),
  /** A failure's status and reason, and the event type when it is known. */
  status: v.optional(v.number()),
  reason: v.optional(vFailureReason),
  eventType: v.optional(v.string()),
};
export const vDeliveryRecord = v.object(deliveryRecordFields);
export type DeliveryRecord = Infer<typeof vDeliveryRecord>;

/** What one request came to, as the endpoint answered it. */
export type DeliveryOutcome =
  | { kind: "applied" | "duplicate" | "stale" | "ignored"; svixId: string }
  | { kind: "failed"; status: number; reason: FailureReason; svixId: string; eventType?: string }
  | { kind: "rejected"; status: number; reason: RejectionReason; svixId?: string };

export const vVerdict = v.union(
  v.literal("ok"),
  v.literal("noDeliveriesYet"),
  v.literal("misconfigured"),
  v.literal("rejecting"),
  v.literal("failing"),
  v.literal("silent"),
);
export type Verdict = Infer<typeof vVerdict>;

/** The last resync, as far as health goes. */
export const vResyncSummary = v.object({
  state: v.union(v.literal("running"), v.literal("completed"), v.literal("failed")),
  phase: v.union(v.literal("listing"), v.literal("reconciling")),
  startedAt: v.number(),
  finishedAt: v.optional(v.number()),
  lastError: v.optional(v.object({ code: v.string(), message: v.string(), at: v.number() })),
});

/** What `health.status` returns. */
export const vHealthStatus = v.object({
  verdict: vVerdict,
  /** One line: what to check. */
  advice: v.string(),
  /** When this was computed. */
  at: v.number(),
  /** The current 15-minute slot and the three before it. */
  lastHour: vCounts,
  /** The current slot and the 95 before it. */
  last24Hours: vCounts,
  /** Last verified delivery, whatever its outcome. */
  lastDeliveryAt: v.union(v.number(), v.null()),
  /** Last delivery that wrote something. */
  lastAppliedAt: v.union(v.number(), v.null()),
  lastRejection: v.union(vIncident, v.null()),
  /**
   * The last request refused for a bad signature or timestamp, or for want of a usable secret.
   * Requests any sender makes (no svix headers, too large) are `lastRejection`, never this.
   */
  lastVerificationRejection: v.union(vIncident, v.null()),
  lastFailure: v.union(vIncident, v.null()),
  /** Failed messages not applied since (Svix retries them; a fix lets the next retry through). */
  openFailures: v.array(vIncident),
  /** Users signed in (provisional rows) over 10 minutes ago, in the last day, whose webhook has not arrived. */
  usersWaiting: v.number(),
  /**
   * Subscription items still `active` or `canceled` over a day after their period ended: Clerk
   * renewed, failed or ended them, and no billing event said so (at most 100 counted).
   */
  billingOverdue: v.number(),
  lastResync: v.union(vResyncSummary, v.null()),
});
export type HealthStatus = Infer<typeof vHealthStatus>;

// ---- Recording ------------------------------------------------------------------------------

/** Rejections that say the secret, not the sender, is wrong when nothing verified follows them. */
const VERIFICATION_REASONS: ReadonlySet<string> = new Set<RejectionReason>(["noSecret", "invalidSecret", "badSignature", "badTimestamp"]);

export const hourOf = (at: number) => Math.floor(at / HOUR_MS) * HOUR_MS;
const slotStartOf = (at: number) => Math.floor(at / SLOT_MS) * SLOT_MS;

/** The shard a verified delivery counts in: a hash of its svix id (FNV-1a). */
export function shardOf(svixId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < svixId.length; i++) hash = Math.imul(hash ^ svixId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % SHARDS;
}

/** The svix id header as kept: only if it looks like one (a rejection's header is anyone's). */
export function keptSvixId(header: string | null | undefined): string | undefined {
  return header && SVIX_ID.test(header) ? header : undefined;
}

/** A verified event's type as kept in an incident: only if it looks like one of Clerk's. */
export function keptEventType(type: string | undefined): string | undefined {
  return type !== undefined && EVENT_TYPE.test(type) ? type : undefined;
}

export const emptyCounts = (): Counts => ({ applied: 0, duplicate: 0, stale: 0, ignored: 0, failed: 0, rejected: {} });

/**
 * A shard's hour of counts for the time `at`: `previous` (the shard's newest hour) if it is that
 * hour's, else a new one carrying forward its last times and open failures.
 */
export function openHour(shard: number, at: number, previous: HealthHour | null): HealthHour {
  const hourStart = hourOf(at);
  // A clock that stepped back counts in the newest hour rather than open an older one.
  if (previous && previous.hourStart >= hourStart) return previous;
  const { lastDeliveryAt, lastAppliedAt, lastFailure, lastRejection, lastVerificationRejection } = previous ?? {};
  return {
    shard,
    hourStart,
    slots: Array.from({ length: SLOTS_PER_HOUR }, emptyCounts),
    ...defined({ lastDeliveryAt, lastAppliedAt, lastFailure, lastRejection, lastVerificationRejection }),
    openFailures: (previous?.openFailures ?? []).filter((failure) => at - failure.at < OPEN_FAILURE_KEPT_MS),
  };
}

/** The hour's counts after one delivery's outcome at `at` (within that hour). */
export function recordOutcome(hour: HealthHour, outcome: DeliveryOutcome, at: number): HealthHour {
  const slot = Math.min(SLOTS_PER_HOUR - 1, Math.max(0, Math.floor((at - hour.hourStart) / SLOT_MS)));
  const counts = { ...hour.slots[slot]!, rejected: { ...hour.slots[slot]!.rejected } };
  const slots = hour.slots.map((c, i) => (i === slot ? counts : c));
  switch (outcome.kind) {
    case "rejected": {
      counts.rejected[String(outcome.status)] = (counts.rejected[String(outcome.status)] ?? 0) + 1;
      const rejection = incident(outcome, at);
      // A scanner's request says nothing about the secret: it must not hide the last one that did.
      return { ...hour, slots, lastRejection: rejection, ...(VERIFICATION_REASONS.has(outcome.reason) ? { lastVerificationRejection: rejection } : {}) };
    }
    case "failed": {
      counts.failed++;
      const failure = incident(outcome, at);
      const others = hour.openFailures.filter((open) => open.svixId !== outcome.svixId);
      return { ...hour, slots, lastDeliveryAt: at, lastFailure: failure, openFailures: [failure, ...others].slice(0, MAX_OPEN_FAILURES) };
    }
    default: {
      counts[outcome.kind]++;
      // Any verified answer to a failed message means it went through (or no longer needs to).
      const openFailures = hour.openFailures.filter((open) => open.svixId !== outcome.svixId);
      return { ...hour, slots, lastDeliveryAt: at, ...(outcome.kind === "applied" ? { lastAppliedAt: at } : {}), openFailures };
    }
  }
}

/** Whether a rejection at `at` is recorded, given when the last one was: at most one a second. */
export function shouldRecordRejection(lastRecordedAt: number | null, at: number): boolean {
  return lastRecordedAt === null || at - lastRecordedAt >= REJECTION_RECORD_EVERY_MS || at < lastRecordedAt;
}

/** Whether the webhook asks for a pruning run, given when it last did (`WAKE_PRUNING_EVERY_MS`). */
export function shouldWakePruning(lastWokenAt: number | null, at: number): boolean {
  return lastWokenAt === null || at - lastWokenAt >= WAKE_PRUNING_EVERY_MS || at < lastWokenAt;
}

/** A verified delivery's outcome as its record keeps it. */
export function deliveryRecord(outcome: Exclude<DeliveryOutcome, { kind: "rejected" }>, at: number): DeliveryRecord {
  const svixId = keptSvixId(outcome.svixId) ?? "msg_unknown";
  if (outcome.kind !== "failed") return { at, svixId, kind: outcome.kind };
  return { at, svixId, kind: "failed", status: outcome.status, reason: outcome.reason, ...defined({ eventType: keptEventType(outcome.eventType) }) };
}

function outcomeOf(record: DeliveryRecord): DeliveryOutcome {
  const { kind, svixId, status, reason, eventType } = record;
  return kind === "failed" ? { kind, svixId, status: status ?? 500, reason: reason ?? "applyFailed", ...defined({ eventType }) } : { kind, svixId };
}

/**
 * Delivery records folded, oldest first, into their shards' hours: each record into its shard's
 * newest hour (`openHour`, `recordOutcome`), as if it had been recorded there. `newest` holds each
 * shard's newest stored hour; returns every hour a record changed or opened. Folding a failure
 * and then its message's success leaves the failure cleared, whichever side of a fold they fall.
 */
export function foldDeliveries(newest: HealthHour[], records: DeliveryRecord[]): HealthHour[] {
  const latest = new Map(newest.map((hour) => [hour.shard, hour]));
  const touched = new Map<string, HealthHour>();
  for (const record of [...records].sort((a, b) => a.at - b.at)) {
    const shard = shardOf(record.svixId);
    const hour = recordOutcome(openHour(shard, record.at, latest.get(shard) ?? null), outcomeOf(record), record.at);
    latest.set(shard, hour);
    touched.set(`${shard}:${hour.hourStart}`, hour);
  }
  return [...touched.values()];
}

function incident(outcome: Extract<DeliveryOutcome, { reason: unknown }>, at: number): Incident {
  const eventType = "eventType" in outcome ? keptEventType(outcome.eventType) : undefined;
  return { status: outcome.status, reason: outcome.reason, ...defined({ svixId: keptSvixId(outcome.svixId), eventType }), at };
}

// ---- Reading --------------------------------------------------------------------------------

/** What the stored hours add up to at `now`, before the verdict. */
export type HealthSummary = Omit<HealthStatus, "verdict" | "advice" | "usersWaiting" | "billingOverdue" | "lastResync" | "at">;

/**
 * Adds up the hours of the last 24 hours and reads the last times and open failures from each
 * shard's newest hour. `hours` must hold every hour of the last `HOURS_KEPT_MS` and each
 * shard's newest (duplicates are fine).
 */
export function summarize(hours: HealthHour[], now: number): HealthSummary {
  const current = slotStartOf(now);
  const lastHour = emptyCounts();
  const last24Hours = emptyCounts();
  const newest = new Map<number, HealthHour>();
  const seen = new Set<string>();
  for (const hour of hours) {
    const held = newest.get(hour.shard);
    if (!held || hour.hourStart > held.hourStart) newest.set(hour.shard, hour);
    const key = `${hour.shard}:${hour.hourStart}`;
    if (seen.has(key)) continue;
    seen.add(key);
    hour.slots.forEach((counts, i) => {
      const slotsAgo = (current - (hour.hourStart + i * SLOT_MS)) / SLOT_MS;
      if (slotsAgo < 0) return;
      if (slotsAgo < SLOTS_PER_HOUR) add(lastHour, counts);
      if (slotsAgo < 24 * SLOTS_PER_HOUR) add(last24Hours, counts);
    });
  }
  const latest = [...newest.values()];
  const max = (pick: (w: HealthHour) => number | undefined) =>
    latest.reduce<number | null>((m, w) => (pick(w) !== undefined && (m === null || pick(w)! > m) ? pick(w)! : m), null);
  const newestIncident = (pick: (w: HealthHour) => Incident | undefined) =>
    latest.reduce<Incident | null>((m, w) => (pick(w) !== undefined && (m === null || pick(w)!.at > m.at) ? pick(w)! : m), null);
  return {
    lastHour,
    last24Hours,
    lastDeliveryAt: max((w) => w.lastDeliveryAt),
    lastAppliedAt: max((w) => w.lastAppliedAt),
    lastRejection: newestIncident((w) => w.lastRejection),
    lastVerificationRejection: newestIncident((w) => w.lastVerificationRejection),
    lastFailure: newestIncident((w) => w.lastFailure),
    openFailures: latest
      .flatMap((w) => w.openFailures)
      .filter((failure) => now - failure.at < OPEN_FAILURE_KEPT_MS)
      .sort((a, b) => b.at - a.at),
  };
}

function add(into: Counts, counts: Counts) {
  into.applied += counts.applied;
  into.duplicate += counts.duplicate;
  into.stale += counts.stale;
  into.ignored += counts.ignored;
  into.failed += counts.failed;
  for (const [status, n] of Object.entries(counts.rejected)) into.rejected[status] = (into.rejected[status] ?? 0) + n;
}

// ---- The verdict ----------------------------------------------------------------------------

export type VerdictInput = Pick<HealthSummary, "lastDeliveryAt" | "lastVerificationRejection" | "openFailures"> & {
  usersWaiting: number;
  billingOverdue: number;
  /** When the last completed resync started: failures before it are repaired by it. */
  resyncRepairedUpTo: number | null;
};

/**
 * The verdict and its one-line advice, first match wins:
 * 1. `misconfigured`: in the last hour, the endpoint had no usable signing secret (none set, one
 *    that is not a secret, or a placeholder whose short key anyone could sign with), and no
 *    verified delivery arrived after: every delivery is refused with a 500 until it is fixed.
 *    `rejecting`: the same, but requests failed verification: the secret does not match. Only a
 *    verified delivery clears either: a request without svix headers or too large (a scanner, a
 *    probe) is anyone's to send and says nothing about the secret.
 * 2. `failing`: verified deliveries failed to apply (or the app's `onEvent` threw on them) and have
 *    not gone through since. A completed resync repairs the synced ones that failed before it started.
 * 3. `silent`: users signed in over 10 minutes ago (provisional rows) and their webhook has not
 *    arrived; or, for billing, subscription items are still current over a day after their period
 *    ended (the endpoint is not subscribed to the billing events).
 * 4. `noDeliveriesYet`: no verified delivery has ever arrived.
 * 5. `ok`.
 */
export function verdictOf(input: VerdictInput, now: number): { verdict: Verdict; advice: string } {
  const { lastVerificationRejection: rejection, lastDeliveryAt } = input;
  if (rejection && VERIFICATION_REASONS.has(rejection.reason) && now - rejection.at < HOUR_MS && (lastDeliveryAt === null || lastDeliveryAt < rejection.at)) {
    const misconfigured = rejection.reason === "noSecret" || rejection.reason === "invalidSecret";
    return { verdict: misconfigured ? "misconfigured" : "rejecting", advice: REJECTING_ADVICE[rejection.reason as keyof typeof REJECTING_ADVICE] };
  }
  // A resync repairs what a failed delivery would have synced, never what it would have handed to `onEvent`.
  const failures = input.openFailures.filter(
    (failure) => failure.reason === "onEventFailed" || input.resyncRepairedUpTo === null || failure.at > input.resyncRepairedUpTo,
  );
  if (failures.length > 0) {
    const newest = failures[0]!;
    const last = `last: ${newest.svixId ?? "?"}${newest.eventType ? `, ${newest.eventType}` : ""}`;
    return {
      verdict: "failing",
      advice:
        newest.reason === "badPayload"
          ? `${failures.length} verified deliveries could not be read as Clerk events (${last}); check the endpoint subscribes only to ${SUBSCRIPTIONS}, then run the resync.`
          : newest.reason === "onEventFailed"
            ? `${failures.length} verified deliveries failed and were rolled back (${last}: your onEvent hook threw): check your deployment's logs for the error, fix it, and Svix's next retry hands them to onEvent again; if Svix gave up, replay them from Clerk's dashboard.`
            : `${failures.length} verified deliveries failed to apply and were rolled back (${last}): check your deployment's logs for the error (most often a hook that throws), fix it, and Svix's next retry applies them; if Svix gave up, replay them from Clerk's dashboard or run the resync.`,
    };
  }
  if (input.usersWaiting > 0) {
    return {
      verdict: "silent",
      advice: `${input.usersWaiting} users signed in over 10 minutes ago and Clerk's webhook has not delivered them: check the endpoint's URL (https://<deployment>.convex.site/clerk-users-webhook) and its ${subscriptionsOf(user)} subscriptions in Clerk's dashboard, then run the resync.`,
    };
  }
  if (input.billingOverdue > 0) {
    return {
      verdict: "silent",
      advice: `${input.billingOverdue} subscription items are still current over a day after their period ended, and no billing event updated them: subscribe the endpoint to ${subscriptionsOf(subscriptionItem)} and ${subscriptionsOf(paymentAttempt)} in Clerk's dashboard, then run the resync with { billing: true }.`,
    };
  }
  if (lastDeliveryAt === null) {
    return {
      verdict: "noDeliveriesYet",
      advice: `No verified delivery has arrived: add an endpoint in Clerk's dashboard (Webhooks) at https://<deployment>.convex.site/clerk-users-webhook, subscribe it to ${SUBSCRIPTIONS}, and send a test event.`,
    };
  }
  return { verdict: "ok", advice: "Deliveries are verified and applied." };
}

const REJECTING_ADVICE: Record<"noSecret" | "invalidSecret" | "badSignature" | "badTimestamp", string> = {
  noSecret:
    "No signing secret is set: set CLERK_WEBHOOK_SECRET in the Convex deployment's environment variables to the endpoint's signing secret from Clerk's dashboard.",
  invalidSecret:
    "A webhook secret (CLERK_WEBHOOK_SECRET, CLERK_WEBHOOK_SIGNING_SECRET or the webhookSecret option) is not a signing secret, or is a placeholder anyone could sign with: copy the endpoint's secret from Clerk's dashboard (whsec_ and 32 more characters) and remove any placeholder.",
  badSignature:
    "Deliveries fail signature verification: CLERK_WEBHOOK_SECRET is not this endpoint's signing secret (rotated, or another endpoint's). Copy it from the endpoint's page in Clerk's dashboard, then replay the failed messages or run the resync.",
  badTimestamp: "Deliveries are refused as signed too long ago or in the future: check for replays of old messages, or a clock far off.",
};

/** `{ a: undefined }` is not a Convex value: drop undefined fields. */
function defined<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as never;
}
