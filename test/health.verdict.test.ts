/**
 * The webhook's health as a state machine, without Convex: how each outcome changes an hour
 * (`recordOutcome`), what hours add up to (`summarize`), and which verdict follows (`verdictOf`),
 * each as a table, the way ordering.test.ts tests event decisions.
 */
import { describe, expect, test } from "vitest";
import {
  deliveryRecord,
  emptyCounts,
  foldDeliveries,
  HOUR_MS,
  keptSvixId,
  MAX_OPEN_FAILURES,
  OPEN_FAILURE_KEPT_MS,
  openHour,
  recordOutcome,
  REJECTION_RECORD_EVERY_MS,
  SHARDS,
  shardOf,
  shouldRecordRejection,
  shouldWakePruning,
  SLOT_MS,
  summarize,
  verdictOf,
  WAKE_PRUNING_EVERY_MS,
  type DeliveryOutcome,
  type HealthHour,
  type Incident,
  type Verdict,
  type VerdictInput,
} from "../src/shared/health";

const T = Date.UTC(2025, 0, 6, 9, 0);
const min = 60_000;

const fresh = (at = T, shard = 0) => openHour(shard, at, null);
const applied = (svixId: string): DeliveryOutcome => ({ kind: "applied", svixId });
const failed = (svixId: string): DeliveryOutcome => ({ kind: "failed", status: 500, reason: "applyFailed", svixId });
const forged = (svixId?: string): DeliveryOutcome => ({ kind: "rejected", status: 401, reason: "badSignature", svixId });

describe("transitions of an hour", () => {
  const cases: [string, HealthHour, DeliveryOutcome, (w: HealthHour) => unknown, unknown][] = [
    [
      "applied: counted, last delivery and last applied set",
      fresh(),
      applied("msg_1"),
      (w) => [w.slots[0]!.applied, w.lastDeliveryAt, w.lastAppliedAt],
      [1, T, T],
    ],
    [
      "duplicate: counted, a delivery but nothing applied",
      fresh(),
      { kind: "duplicate", svixId: "msg_1" },
      (w) => [w.slots[0]!.duplicate, w.lastDeliveryAt, w.lastAppliedAt],
      [1, T, undefined],
    ],
    ["stale: counted", fresh(), { kind: "stale", svixId: "msg_1" }, (w) => w.slots[0]!.stale, 1],
    ["ignored: counted, a verified delivery", fresh(), { kind: "ignored", svixId: "msg_1" }, (w) => [w.slots[0]!.ignored, w.lastDeliveryAt], [1, T]],
    [
      "failed: counted, last failure, open",
      fresh(),
      failed("msg_1"),
      (w) => [w.slots[0]!.failed, w.lastFailure, w.openFailures.map((f) => f.svixId)],
      [1, { status: 500, reason: "applyFailed", svixId: "msg_1", at: T }, ["msg_1"]],
    ],
    ["failed twice (a retry failing again): one open failure", recordOutcome(fresh(), failed("msg_1"), T), failed("msg_1"), (w) => w.openFailures.length, 1],
    ["a failed message applied by its retry: no longer open", recordOutcome(fresh(), failed("msg_1"), T), applied("msg_1"), (w) => w.openFailures, []],
    [
      "another message applied: the failure stays open",
      recordOutcome(fresh(), failed("msg_1"), T),
      applied("msg_2"),
      (w) => w.openFailures.map((f) => f.svixId),
      ["msg_1"],
    ],
    [
      "rejected: by status, last rejection, no delivery",
      fresh(),
      forged("msg_x"),
      (w) => [w.slots[0]!.rejected, w.lastRejection?.reason, w.lastDeliveryAt],
      [{ "401": 1 }, "badSignature", undefined],
    ],
    ["rejected for its signature: also the last verification rejection", fresh(), forged("msg_x"), (w) => w.lastVerificationRejection?.reason, "badSignature"],
    [
      "rejected without svix headers (a scanner) after a bad signature: the last rejection, the verification rejection kept",
      recordOutcome(fresh(), forged("msg_x"), T - min),
      { kind: "rejected", status: 400, reason: "missingHeaders" },
      (w) => [w.lastRejection?.reason, w.lastVerificationRejection],
      ["missingHeaders", { status: 401, reason: "badSignature", svixId: "msg_x", at: T - min }],
    ],
    [
      "rejected with a header that is not a svix id: not kept",
      fresh(),
      forged("<script>" + "x".repeat(100)),
      (w) => w.lastRejection,
      { status: 401, reason: "badSignature", at: T },
    ],
  ];
  test.each(cases)("%s", (_name, hour, outcome, pick, expected) => {
    expect(pick(recordOutcome(hour, outcome, T))).toEqual(expected);
  });

  test("an outcome counts in its 15-minute slot of the hour", () => {
    const w = recordOutcome(fresh(), applied("msg_1"), T + 47 * min);
    expect(w.slots.map((s) => s.applied)).toEqual([0, 0, 0, 1]);
  });

  test("at most MAX_OPEN_FAILURES open failures, newest first", () => {
    let w = fresh();
    for (let i = 0; i < MAX_OPEN_FAILURES + 5; i++) w = recordOutcome(w, failed(`msg_${i}`), T + i);
    expect(w.openFailures.length).toBe(MAX_OPEN_FAILURES);
    expect(w.openFailures[0]!.svixId).toBe(`msg_${MAX_OPEN_FAILURES + 4}`);
  });

  test("a new hour opens a new hour carrying the last times and open failures; counts start at zero", () => {
    const w = recordOutcome(recordOutcome(recordOutcome(fresh(), applied("msg_1"), T), failed("msg_2"), T + 1), forged(), T + 2);
    const next = openHour(0, T + HOUR_MS, w);
    expect(next).toMatchObject({
      hourStart: T + HOUR_MS,
      lastDeliveryAt: T + 1,
      lastAppliedAt: T,
      lastRejection: { at: T + 2 },
      lastVerificationRejection: { at: T + 2 },
      lastFailure: { svixId: "msg_2" },
    });
    expect(next.openFailures.map((f) => f.svixId)).toEqual(["msg_2"]);
    expect(next.slots).toEqual([emptyCounts(), emptyCounts(), emptyCounts(), emptyCounts()]);
    expect(openHour(0, T + 30 * min, w)).toBe(w);
  });

  test("open failures older than OPEN_FAILURE_KEPT_MS are not carried into a new hour", () => {
    const w = recordOutcome(fresh(), failed("msg_1"), T);
    expect(openHour(0, T + OPEN_FAILURE_KEPT_MS, w).openFailures).toEqual([]);
  });

  test("rejections are recorded at most once a second", () => {
    expect([null, T - REJECTION_RECORD_EVERY_MS, T - REJECTION_RECORD_EVERY_MS + 1, T, T + 5_000].map((last) => shouldRecordRejection(last, T))).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
  });

  test("svix ids spread over the shards, the same id always in the same one", () => {
    const counts = new Array(SHARDS).fill(0);
    for (let i = 0; i < 8_000; i++) counts[shardOf(`msg_2${i.toString(36)}abcdefghijklmnop`)]++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
    expect(shardOf("msg_abc")).toBe(shardOf("msg_abc"));
    expect([keptSvixId("msg_2Yx"), keptSvixId(""), keptSvixId(null), keptSvixId("a b")]).toEqual(["msg_2Yx", undefined, undefined, undefined]);
  });
});

describe("delivery records folded into hours", () => {
  const record = (outcome: Parameters<typeof deliveryRecord>[0], at: number) => deliveryRecord(outcome, at);
  const failedRecord = (svixId: string, at: number) => record({ kind: "failed", status: 500, reason: "applyFailed", svixId }, at);

  test("folding records gives the hour recording the same outcomes in turn would", () => {
    const outcomes: [Parameters<typeof deliveryRecord>[0], number][] = [
      [{ kind: "applied", svixId: "msg_1" }, T],
      [{ kind: "failed", status: 500, reason: "applyFailed", svixId: "msg_2" }, T + 20 * min],
      [{ kind: "stale", svixId: "msg_3" }, T + 40 * min],
    ];
    const direct = new Map<number, HealthHour>();
    for (const [outcome, at] of outcomes) {
      const shard = shardOf(outcome.svixId);
      direct.set(shard, recordOutcome(openHour(shard, at, direct.get(shard) ?? null), outcome, at));
    }
    const folded = foldDeliveries([], outcomes.map(([outcome, at]) => record(outcome, at)).reverse());
    expect(new Map(folded.map((hour) => [hour.shard, hour]))).toEqual(direct);
  });

  test("a failure's event type is kept, in its record and its incident, only if it looks like one of Clerk's", () => {
    const withType = (eventType: string) => record({ kind: "failed", status: 500, reason: "onEventFailed", svixId: "msg_t", eventType }, T);
    expect(withType("session.created")).toMatchObject({ eventType: "session.created" });
    expect([withType("<script>"), withType("a.b.c"), withType("x".repeat(100) + ".created")].map((r) => r.eventType)).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const [hour] = foldDeliveries([], [withType("session.created")]);
    expect(hour!.lastFailure).toEqual({ status: 500, reason: "onEventFailed", svixId: "msg_t", eventType: "session.created", at: T });
  });

  test("a failure folded in one run and its success in the next: cleared, counted once each", () => {
    const shard = shardOf("msg_x");
    const [afterFailure] = foldDeliveries([], [failedRecord("msg_x", T)]);
    expect(afterFailure!.openFailures.map((f) => f.svixId)).toEqual(["msg_x"]);
    const [afterSuccess] = foldDeliveries([afterFailure!], [record({ kind: "applied", svixId: "msg_x" }, T + 5 * min)]);
    expect(afterSuccess).toMatchObject({ shard, openFailures: [], lastFailure: { svixId: "msg_x" } });
    expect([afterSuccess!.slots[0]!.failed, afterSuccess!.slots[0]!.applied]).toEqual([1, 1]);
  });

  test("records across an hour's end open the next hour, carrying the open failures", () => {
    const sameShard = Array.from({ length: 64 }, (_, i) => `msg_z${i}`).find((id) => shardOf(id) === shardOf("msg_y"))!;
    const hours = foldDeliveries([], [failedRecord("msg_y", T + 59 * min), record({ kind: "duplicate", svixId: sameShard }, T + 61 * min)]);
    expect(hours.map((hour) => [hour.hourStart, hour.openFailures.map((f) => f.svixId)])).toEqual([
      [T, ["msg_y"]],
      [T + HOUR_MS, ["msg_y"]],
    ]);
  });

  test("the webhook asks for a pruning run at most once an hour, and again if the clock steps back", () => {
    expect([null, T - WAKE_PRUNING_EVERY_MS, T - WAKE_PRUNING_EVERY_MS + 1, T, T + 5_000].map((last) => shouldWakePruning(last, T))).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
  });
});

describe("what hours add up to", () => {
  test("the last hour is the current slot and the three before it; the last day, 96 slots", () => {
    const now = T + 2 * HOUR_MS + 10 * min; // in the first slot of hour T+2h
    const at = (ms: number) => ms;
    let earlier = fresh(T); // hour T
    earlier = recordOutcome(earlier, applied("a"), at(T + 5 * min)); // 2h05 ago: last day only
    earlier = recordOutcome(earlier, applied("b"), at(T + 50 * min)); // slot 3 of hour T
    let previous = openHour(0, T + HOUR_MS, earlier);
    previous = recordOutcome(previous, applied("c"), at(T + HOUR_MS + 10 * min)); // slot 0: 4 slots ago, outside the hour
    previous = recordOutcome(previous, applied("d"), at(T + HOUR_MS + 16 * min)); // slot 1: 3 slots ago, inside
    let current = openHour(0, T + 2 * HOUR_MS, previous);
    current = recordOutcome(current, applied("e"), now);
    const old = recordOutcome(fresh(T - 30 * HOUR_MS, 1), applied("f"), T - 30 * HOUR_MS);
    const summary = summarize([earlier, previous, current, old, current], now);
    expect(summary.lastHour.applied).toBe(2);
    expect(summary.last24Hours.applied).toBe(5);
    expect(summary.lastDeliveryAt).toBe(now);
    expect(SLOT_MS).toBe(15 * min);
  });

  test("open failures are read from each shard's newest hour only", () => {
    const failedThen = recordOutcome(fresh(T, 3), failed("msg_1"), T);
    const recovered = recordOutcome(openHour(3, T + HOUR_MS, failedThen), applied("msg_1"), T + HOUR_MS);
    expect(summarize([failedThen, recovered], T + HOUR_MS).openFailures).toEqual([]);
    expect(summarize([failedThen], T + HOUR_MS).openFailures.map((f) => f.svixId)).toEqual(["msg_1"]);
  });
});

describe("the verdict", () => {
  const rejection = (at: number, reason: Incident["reason"] = "badSignature", status = 401): Incident => ({ status, reason, at, svixId: "msg_r" });
  const failure = (at: number, svixId = "msg_f"): Incident => ({ status: 500, reason: "applyFailed", at, svixId });
  const now = T;
  const base: VerdictInput = {
    lastDeliveryAt: now - 5 * min,
    lastVerificationRejection: null,
    openFailures: [],
    usersWaiting: 0,
    billingOverdue: 0,
    resyncRepairedUpTo: null,
  };
  const cases: [string, Partial<VerdictInput>, Verdict, RegExp?][] = [
    ["verified deliveries, nothing else: ok", {}, "ok"],
    ["nothing ever: noDeliveriesYet", { lastDeliveryAt: null }, "noDeliveriesYet", /add an endpoint/],
    [
      "only rejections, the signature: rejecting",
      { lastDeliveryAt: null, lastVerificationRejection: rejection(now - min) },
      "rejecting",
      /CLERK_WEBHOOK_SECRET is not this endpoint's signing secret/,
    ],
    ["a rejection after the last verified delivery: rejecting", { lastVerificationRejection: rejection(now - min) }, "rejecting"],
    ["a verified delivery after the rejection (a forgery among real ones): ok", { lastVerificationRejection: rejection(now - 10 * min) }, "ok"],
    [
      "the rejection over an hour ago: no longer rejecting",
      { lastDeliveryAt: null, lastVerificationRejection: rejection(now - HOUR_MS - 1) },
      "noDeliveriesYet",
    ],
    [
      "no secret set: misconfigured, set it",
      { lastDeliveryAt: null, lastVerificationRejection: rejection(now - min, "noSecret", 500) },
      "misconfigured",
      /set CLERK_WEBHOOK_SECRET/,
    ],
    [
      "not a signing secret, or a placeholder: misconfigured, copy it again",
      { lastVerificationRejection: rejection(now - min, "invalidSecret", 500) },
      "misconfigured",
      /whsec_/,
    ],
    ["timestamps refused: rejecting, replays or clock", { lastVerificationRejection: rejection(now - min, "badTimestamp") }, "rejecting", /clock/],
    ["an open failure: failing, check the logs", { openFailures: [failure(now - 2 * HOUR_MS)] }, "failing", /hook that throws/],
    [
      "an unreadable verified body: failing, subscriptions",
      { openFailures: [{ ...failure(now - min), status: 400, reason: "badPayload" }] },
      "failing",
      /subscribes only/,
    ],
    [
      "onEvent threw: failing, check the logs, with the message and its type",
      { openFailures: [{ ...failure(now - min, "msg_e"), reason: "onEventFailed", eventType: "email.created" }] },
      "failing",
      /last: msg_e, email\.created: your onEvent hook threw\): check your deployment's logs/,
    ],
    [
      "onEvent threw before a completed resync started: still failing (a resync replays no event)",
      { openFailures: [{ ...failure(now - 2 * HOUR_MS), reason: "onEventFailed" }], resyncRepairedUpTo: now - HOUR_MS },
      "failing",
      /onEvent/,
    ],
    ["a failure before a completed resync started: repaired, ok", { openFailures: [failure(now - 2 * HOUR_MS)], resyncRepairedUpTo: now - HOUR_MS }, "ok"],
    ["a failure after the resync started: failing", { openFailures: [failure(now - 10 * min)], resyncRepairedUpTo: now - HOUR_MS }, "failing"],
    ["users signed in, no webhook for them: silent", { usersWaiting: 2 }, "silent", /2 users signed in over 10 minutes ago/],
    ["users waiting and no delivery ever: silent (the endpoint is missing)", { usersWaiting: 1, lastDeliveryAt: null }, "silent"],
    [
      "billing items still current a day past their period: silent, subscribe to the billing events",
      { billingOverdue: 3 },
      "silent",
      /3 subscription items.*subscription\.\*, subscriptionItem\.\* and paymentAttempt\.\*/,
    ],
    ["users waiting outrank overdue billing in the advice", { usersWaiting: 1, billingOverdue: 3 }, "silent", /1 users signed in/],
    [
      "rejecting outranks failing and silent",
      { lastVerificationRejection: rejection(now - min), openFailures: [failure(now - 2 * min)], usersWaiting: 3 },
      "rejecting",
    ],
    ["failing outranks silent", { openFailures: [failure(now - 2 * min)], usersWaiting: 3 }, "failing"],
  ];
  test.each(cases)("%s", (_name, input, verdict, advice) => {
    const result = verdictOf({ ...base, ...input }, now);
    expect(result.verdict).toBe(verdict);
    if (advice) expect(result.advice).toMatch(advice);
  });
});
