import { expect, test } from "vitest";
import { decide, type Decision, type Stored } from "../src/component/ordering.js";
import type { UserChange } from "../src/shared/validators.js";

// decide() is pure: this walks every (stored × change) transition of the state machine
// without a backend. Versions one millisecond apart must already be ordered.
const STORED_AT = 1_700_000_000_500;

const upsert = (updatedAt: number): UserChange => ({ kind: "upsert", user: { clerkId: "user_1", firstName: "Ada", updatedAt } });
const older = upsert(STORED_AT - 1);
const equal = upsert(STORED_AT);
const newer = upsert(STORED_AT + 1);
const remove: UserChange = { kind: "delete", clerkId: "user_1" };

const live: Stored = { updatedAt: STORED_AT };

type Transition = { stored: Stored; storedIs: string; change: UserChange; changeIs: string; expected: Decision };

const transitions: Transition[] = [
  // Nothing stored: the first version seen is inserted, however old; a delete leaves a tombstone.
  { storedIs: "nothing", stored: null, changeIs: "an upsert", change: older, expected: { write: "insert" } },
  { storedIs: "nothing", stored: null, changeIs: "a delete", change: remove, expected: { write: "tombstone" } },

  // A live row: only a strictly newer version replaces it; a delete removes it.
  { storedIs: "a live row", stored: live, changeIs: "an older upsert", change: older, expected: { write: "none", why: "stale" } },
  { storedIs: "a live row", stored: live, changeIs: "the same version", change: equal, expected: { write: "none", why: "duplicate" } },
  { storedIs: "a live row", stored: live, changeIs: "a newer upsert", change: newer, expected: { write: "replace" } },
  { storedIs: "a live row", stored: live, changeIs: "a delete", change: remove, expected: { write: "delete" } },

  // A tombstone is final: no version, however new, brings the user back; a repeated delete writes nothing.
  { storedIs: "a tombstone", stored: "deleted", changeIs: "an older upsert", change: older, expected: { write: "none", why: "tombstoned" } },
  { storedIs: "a tombstone", stored: "deleted", changeIs: "the same version", change: equal, expected: { write: "none", why: "tombstoned" } },
  { storedIs: "a tombstone", stored: "deleted", changeIs: "a newer upsert", change: newer, expected: { write: "none", why: "tombstoned" } },
  { storedIs: "a tombstone", stored: "deleted", changeIs: "a delete", change: remove, expected: { write: "none", why: "duplicate" } },
];

test.each(transitions)("decide: $storedIs stored, $changeIs arrives → $expected", ({ stored, change, expected }) => {
  expect(decide(change, stored)).toEqual(expected);
});
