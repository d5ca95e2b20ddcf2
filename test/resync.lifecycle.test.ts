import { describe, expect, test } from "vitest";
import {
  instructionFor,
  onContinue,
  onFailed,
  onListed,
  onReconciled,
  onStart,
  onTakeOver,
  type RunPatch,
  type RunView,
} from "../src/component/resync/lifecycle.js";

// The resync run's lifecycle is pure: this walks every transition of the state machine drawn in
// src/component/README.md, the invalid ones, and the instruction each state gives the action,
// without a backend.
const NOW = 1_000_000;
const STALE = 60_000;
const timing = { lease: "mine", now: NOW, staleAfterMs: STALE };

const run = (overrides: Partial<RunView> = {}): RunView => ({
  state: "running",
  phase: "listing",
  kind: "user",
  kinds: ["user"],
  lease: "owner",
  heartbeatAt: NOW - 1_000,
  steps: 3,
  cursor: { offset: 0 },
  ...overrides,
});
const alive = run();
const stale = run({ heartbeatAt: NOW - STALE });
const failed = run({ state: "failed" });
const completed = run({ state: "completed", phase: "reconciling" });
const withOrgs = (overrides: Partial<RunView>) => run({ kinds: ["user", "organization", "membership"], ...overrides });

describe("S0 a call of the action (onStart)", () => {
  test.each([
    { latestIs: "no run yet", latest: null, expected: { kind: "new" } },
    { latestIs: "a completed run", latest: completed, expected: { kind: "new" } },
    { latestIs: "a live running run", latest: alive, expected: { kind: "busy" } },
    { latestIs: "a stale running run", latest: stale, expected: { kind: "resume", patch: { state: "running", lease: "mine", heartbeatAt: NOW, steps: 4 } } },
    { latestIs: "a failed run", latest: failed, expected: { kind: "resume", patch: { state: "running", lease: "mine", heartbeatAt: NOW, steps: 4 } } },
    { latestIs: "a failed run of other kinds (an action with other options)", latest: withOrgs({ state: "failed" }), expected: { kind: "new" } },
    { latestIs: "a stale run of other kinds", latest: withOrgs({ heartbeatAt: NOW - STALE }), expected: { kind: "new" } },
    { latestIs: "a live run of other kinds", latest: withOrgs({}), expected: { kind: "busy" } },
  ])("$latestIs → $expected.kind", ({ latest, expected }) => {
    expect(onStart(latest, timing, ["user"])).toEqual(expected);
  });
});

describe("a step keeps or loses the run", () => {
  test.each([
    { what: "its own continuation of a running run", current: run({ lease: "mine" }), expected: { heartbeatAt: NOW, steps: 4 } },
    { what: "a continuation after another step took the run over", current: run({ lease: "other" }), expected: null },
    { what: "a continuation of a failed run", current: failed, expected: null },
  ])("onContinue: $what", ({ current, expected }) => {
    expect(onContinue(current, timing)).toEqual(expected);
  });

  test.each([
    { what: "a live run: left to its owner", current: alive, expected: null },
    { what: "a stale run: taken over", current: stale, expected: { lease: "mine", heartbeatAt: NOW, steps: 4 } },
    { what: "a failed run: left for a new call", current: failed, expected: null },
    { what: "a completed run", current: completed, expected: null },
  ])("onTakeOver (the watchdog): $what", ({ current, expected }) => {
    expect(onTakeOver(current, timing)).toEqual(expected);
  });
});

type Step = { from: string; current: RunView; event: string; apply: (r: RunView) => RunPatch; expected: RunPatch };
const steps: Step[] = [
  // S1 listing → S1 listing: a page that is not the last, or whose span is still being judged.
  {
    from: "listing users",
    current: alive,
    event: "a page, more to come",
    apply: (r) => onListed(r, { done: false, spanLeft: false, now: NOW }),
    expected: { heartbeatAt: NOW },
  },
  {
    from: "listing users",
    current: alive,
    event: "the last page, its span not all judged",
    apply: (r) => onListed(r, { done: true, spanLeft: true, now: NOW }),
    expected: { heartbeatAt: NOW },
  },
  // S1 listing → S2 reconciling.
  {
    from: "listing users",
    current: alive,
    event: "the last page, its span judged",
    apply: (r) => onListed(r, { done: true, spanLeft: false, now: NOW }),
    expected: { heartbeatAt: NOW, phase: "reconciling" },
  },
  // S2 reconciling → S2 / S3 completed.
  {
    from: "reconciling users",
    current: run({ phase: "reconciling" }),
    event: "a batch, more to come",
    apply: (r) => onReconciled(r, { last: false, now: NOW }),
    expected: { heartbeatAt: NOW },
  },
  {
    from: "reconciling users (users only)",
    current: run({ phase: "reconciling" }),
    event: "the last batch",
    apply: (r) => onReconciled(r, { last: true, now: NOW }),
    expected: { heartbeatAt: NOW, state: "completed", finishedAt: NOW },
  },
  // S2 reconciling one kind → S1 listing the next.
  {
    from: "reconciling users (with organizations)",
    current: withOrgs({ phase: "reconciling" }),
    event: "the last batch",
    apply: (r) => onReconciled(r, { last: true, now: NOW }),
    expected: { heartbeatAt: NOW, phase: "listing", kind: "organization", nextKind: true },
  },
  {
    from: "reconciling organizations",
    current: withOrgs({ phase: "reconciling", kind: "organization" }),
    event: "the last batch",
    apply: (r) => onReconciled(r, { last: true, now: NOW }),
    expected: { heartbeatAt: NOW, phase: "listing", kind: "membership", nextKind: true },
  },
  {
    from: "reconciling memberships",
    current: withOrgs({ phase: "reconciling", kind: "membership" }),
    event: "the last batch",
    apply: (r) => onReconciled(r, { last: true, now: NOW }),
    expected: { heartbeatAt: NOW, state: "completed", finishedAt: NOW },
  },
  // Any running state → S4 failed.
  {
    from: "listing",
    current: alive,
    event: "an error",
    apply: (r) => onFailed(r, { now: NOW }),
    expected: { state: "failed", finishedAt: NOW, heartbeatAt: NOW },
  },
  {
    from: "reconciling organizations",
    current: withOrgs({ phase: "reconciling", kind: "organization" }),
    event: "an error",
    apply: (r) => onFailed(r, { now: NOW }),
    expected: { state: "failed", finishedAt: NOW, heartbeatAt: NOW },
  },
];

test.each(steps)("$from, $event → $expected", ({ current, apply, expected }) => {
  expect(apply(current)).toEqual(expected);
});

describe("invalid transitions throw, so a confused step writes nothing", () => {
  test.each([
    { what: "a page after the listing ended", apply: () => onListed(run({ phase: "reconciling" }), { done: false, spanLeft: false, now: NOW }) },
    { what: "a page of a failed run", apply: () => onListed(failed, { done: false, spanLeft: false, now: NOW }) },
    { what: "a reconcile batch while listing", apply: () => onReconciled(alive, { last: true, now: NOW }) },
    { what: "a reconcile batch of a completed run", apply: () => onReconciled(completed, { last: true, now: NOW }) },
    { what: "failing a completed run", apply: () => onFailed(completed, { now: NOW }) },
    { what: "failing a failed run", apply: () => onFailed(failed, { now: NOW }) },
  ])("$what", ({ apply }) => {
    expect(apply).toThrow();
  });
});

describe("what the step holding the run does next (instructionFor)", () => {
  const PAGE = 10;
  const boundary = { createdAt: 1_000, ids: ["user_9"] };
  const batch = { candidates: [{ clerkId: "user_4" }], refs: ["ref_1"] };
  test.each([
    { state: "listing users from the start", current: alive, input: {}, expected: { op: "list", kind: "user", offset: 0, limit: PAGE, ahead: 9 } },
    {
      state: "listing after a committed page: the next page reads its last object again",
      current: run({ cursor: { offset: 10, boundary } }),
      input: {},
      expected: { op: "list", kind: "user", offset: 9, limit: PAGE, ahead: 18 },
    },
    {
      state: "listing after a page that did not continue the last: read again from further back",
      current: run({ cursor: { offset: 10, boundary } }),
      input: { rereadFrom: 0 },
      expected: { op: "list", kind: "user", offset: 0, limit: PAGE, ahead: 9 },
    },
    { state: "listing with a span left to judge", current: run({ span: {} }), input: {}, expected: { op: "judge" } },
    {
      state: "newest first, after the list's last page: its head is read again from offset 0, nothing fetched ahead",
      current: run({ cursor: { offset: 0, head: boundary, reread: true } }),
      input: {},
      expected: { op: "list", kind: "user", offset: 0, limit: PAGE },
    },
    {
      state: "newest first, the head's re-read goes on past a full page, overlapping it by one",
      current: run({ cursor: { offset: 10, boundary, head: boundary, reread: true } }),
      input: {},
      expected: { op: "list", kind: "user", offset: 9, limit: PAGE },
    },
    {
      state: "listed per parent: the next parent's objects, one request, nothing fetched ahead",
      current: withOrgs({ kind: "membership", cursor: { offset: 0, parentAfter: "org_1" } }),
      input: { parent: "org_2" },
      expected: { op: "list", kind: "membership", offset: 0, limit: PAGE, parent: "org_2" },
    },
    {
      state: "newest first, the last page's span not yet judged: judged before the head is read again",
      current: run({ cursor: { offset: 0, head: boundary, reread: true }, span: {} }),
      input: {},
      expected: { op: "judge" },
    },
    {
      state: "listing the next kind",
      current: withOrgs({ kind: "organization" }),
      input: {},
      expected: { op: "list", kind: "organization", offset: 0, limit: PAGE, ahead: 9 },
    },
    {
      state: "reconciling, candidates left",
      current: withOrgs({ phase: "reconciling", kind: "membership" }),
      input: { batch },
      expected: { op: "recheck", kind: "membership", ...batch },
    },
    { state: "completed", current: completed, input: {}, expected: { op: "done" } },
    { state: "failed", current: failed, input: {}, expected: { op: "done" } },
  ])("$state → $expected.op", ({ current, input, expected }) => {
    expect(instructionFor(current, { pageSize: PAGE, ...input })).toEqual(expected);
  });

  test("a reconciling run with no candidate left has no instruction: onReconciled moves it on first", () => {
    expect(() => instructionFor(run({ phase: "reconciling" }), { pageSize: PAGE, batch: { candidates: [], refs: [] } })).toThrow();
  });
});
