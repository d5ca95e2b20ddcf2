import { expect, test } from "vitest";
import { createdLater, decide, fingerprint, type Decision, type Incoming, type Stored } from "../src/component/ordering.js";
import type { ChangeSource } from "../src/shared/validators.js";

// decide() is pure: this walks every (stored × change × source) transition of the state machine
// without a backend. Versions one millisecond apart must already be ordered.
const AT = 1_700_000_000_500;
const ALPHA = fingerprint({ clerkId: "user_1", firstName: "Alpha", updatedAt: AT });
const BETA = fingerprint({ clerkId: "user_1", firstName: "Beta", updatedAt: AT });

const upsert = (updatedAt: number, print = ALPHA): Incoming => ({ op: "upsert", updatedAt, fingerprint: print });
const remove: Incoming = { op: "delete" };
const live = (print = ALPHA): Stored => ({ updatedAt: AT, fingerprint: print });
const provisional: Stored = { updatedAt: 0, fingerprint: "provisional", provisional: true };

type Transition = { storedIs: string; stored: Stored; changeIs: string; change: Incoming; source?: ChangeSource; expected: Decision };

const transitions: Transition[] = [
  // Nothing stored: the first version seen is inserted, however old; a delete leaves a tombstone.
  { storedIs: "nothing", stored: null, changeIs: "an upsert", change: upsert(AT - 1), expected: { write: "insert" } },
  { storedIs: "nothing", stored: null, changeIs: "a delete", change: remove, expected: { write: "tombstone" } },

  // A live row: a newer version replaces it, an older one is stale, the same one a duplicate.
  { storedIs: "a live row", stored: live(), changeIs: "an older upsert", change: upsert(AT - 1), expected: { write: "none", why: "stale" } },
  { storedIs: "a live row", stored: live(), changeIs: "the same version", change: upsert(AT), expected: { write: "none", why: "duplicate" } },
  { storedIs: "a live row", stored: live(), changeIs: "the same version", change: upsert(AT), source: "resync", expected: { write: "none", why: "duplicate" } },
  { storedIs: "a live row", stored: live(), changeIs: "a newer upsert", change: upsert(AT + 1), expected: { write: "replace" } },
  { storedIs: "a live row", stored: live(), changeIs: "a delete", change: remove, expected: { write: "delete" } },

  // Same updated_at, different content: the greater fingerprint wins whichever came first...
  {
    storedIs: "Alpha",
    stored: live(ALPHA),
    changeIs: "Beta at the same time",
    change: upsert(AT, BETA),
    expected: { write: ALPHA < BETA ? "replace" : "none", ...(ALPHA < BETA ? {} : { why: "stale" }) } as Decision,
  },
  {
    storedIs: "Beta",
    stored: live(BETA),
    changeIs: "Alpha at the same time",
    change: upsert(AT, ALPHA),
    expected: { write: BETA < ALPHA ? "replace" : "none", ...(BETA < ALPHA ? {} : { why: "stale" }) } as Decision,
  },
  // ...but a resync's listing is Clerk's truth now: it repairs a differing row of the same time.
  { storedIs: "Alpha", stored: live(ALPHA), changeIs: "Beta at the same time", change: upsert(AT, BETA), source: "resync", expected: { write: "replace" } },
  { storedIs: "Beta", stored: live(BETA), changeIs: "Alpha at the same time", change: upsert(AT, ALPHA), source: "resync", expected: { write: "replace" } },
  {
    storedIs: "a live row",
    stored: live(),
    changeIs: "an older upsert",
    change: upsert(AT - 1, BETA),
    source: "resync",
    expected: { write: "none", why: "stale" },
  },

  // A provisional row yields to any real version, even one Clerk stamped updated_at 0.
  { storedIs: "a provisional row", stored: provisional, changeIs: "a version at 0", change: upsert(0), expected: { write: "replace" } },
  { storedIs: "a provisional row", stored: provisional, changeIs: "a delete", change: remove, expected: { write: "delete" } },

  // A tombstone is final: no version, however new, brings the object back; a repeated delete writes nothing.
  { storedIs: "a tombstone", stored: "deleted", changeIs: "an older upsert", change: upsert(AT - 1), expected: { write: "none", why: "tombstoned" } },
  { storedIs: "a tombstone", stored: "deleted", changeIs: "a newer upsert", change: upsert(AT + 1), expected: { write: "none", why: "tombstoned" } },
  {
    storedIs: "a tombstone",
    stored: "deleted",
    changeIs: "a newer upsert",
    change: upsert(AT + 1),
    source: "resync",
    expected: { write: "none", why: "tombstoned" },
  },
  { storedIs: "a tombstone", stored: "deleted", changeIs: "a delete", change: remove, expected: { write: "none", why: "duplicate" } },
];

test.each(transitions)("decide: $storedIs stored, $changeIs arrives ($source) → $expected.write", ({ stored, change, source, expected }) => {
  expect(decide(change, stored, source)).toEqual(expected);
});

test("two different versions of one time end the same in either order", () => {
  const aThenB = decide(upsert(AT, BETA), live(ALPHA)).write === "replace" ? BETA : ALPHA;
  const bThenA = decide(upsert(AT, ALPHA), live(BETA)).write === "replace" ? ALPHA : BETA;
  expect(aThenB).toBe(bThenA);
});

test("a fingerprint is the content: key order and system fields do not change it", () => {
  const a = fingerprint({ clerkId: "u", publicMetadata: { b: 1, a: [2, { d: 3, c: 4 }] }, updatedAt: 1 });
  const b = fingerprint({ _id: "x", _creationTime: 5, updatedAt: 1, publicMetadata: { a: [2, { c: 4, d: 3 }], b: 1 }, clerkId: "u" });
  expect(a).toBe(b);
  expect(fingerprint({ clerkId: "u", publicMetadata: { a: 1 } })).not.toBe(fingerprint({ clerkId: "u", publicMetadata: { a: "1" } }));
  // A `__proto__` key parsed from JSON is content, not a prototype.
  expect(fingerprint(JSON.parse('{"m": {"__proto__": {"x": 1}}}'))).not.toBe(fingerprint({ m: {} }));
});

test("of two memberships of one pair, the one Clerk created later is current", () => {
  expect(createdLater({ createdAt: 2, clerkId: "a" }, { createdAt: 1, clerkId: "b" })).toBe(true);
  expect(createdLater({ createdAt: 1, clerkId: "b" }, { createdAt: 1, clerkId: "a" })).toBe(true);
  expect(createdLater({ createdAt: 1, clerkId: "a" }, { createdAt: 1, clerkId: "b" })).toBe(false);
});
