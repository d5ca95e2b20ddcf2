import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { propertyRuns } from "./fixtures/runs";
import { START_CURSOR, checkPage, checkParentAnswer, nextRequestOffset, type ListCursor } from "../src/shared/paging";

/**
 * Offset paging over a list that changes while it is read, pure: a page must continue the
 * last one without a gap, whatever Clerk deleted or inserted in between.
 */

type Listed = { id: string; created_at: number };
const u = (id: string, createdAt: number): Listed => ({ id, created_at: createdAt });
/** Clerk's order for `+created_at`: oldest first, ties in a fixed order. */
const sorted = (list: Listed[]) => [...list].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
const users = (n: number) => Array.from({ length: n }, (_, i) => u(`u${String(i).padStart(3, "0")}`, 1000 + i));

describe("checkPage", () => {
  test("the first page starts at 0 and sets the boundary to its last user", () => {
    const list = users(10);
    expect(nextRequestOffset(START_CURSOR)).toBe(0);
    expect(checkPage(START_CURSOR, 0, 4, list.slice(0, 4))).toEqual({
      ok: true,
      done: false,
      repeated: 0,
      next: { offset: 4, boundary: { createdAt: 1003, ids: ["u003"] } },
    });
  });

  test("the next page overlaps the last by one user, which proves it continues", () => {
    const list = users(10);
    const cursor: ListCursor = { offset: 4, boundary: { createdAt: 1003, ids: ["u003"] } };
    expect(nextRequestOffset(cursor)).toBe(3);
    // The overlap user was listed already: it is the page's one repeated user.
    expect(checkPage(cursor, 3, 4, list.slice(3, 7))).toEqual({
      ok: true,
      done: false,
      repeated: 1,
      next: { offset: 7, boundary: { createdAt: 1006, ids: ["u006"] } },
    });
  });

  test("users deleted before the cursor shift the list: the page is read again from one page back", () => {
    const list = users(10).filter((x) => x.id !== "u001");
    const cursor: ListCursor = { offset: 4, boundary: { createdAt: 1003, ids: ["u003"] } };
    // Position 3 now holds u004: reading on would skip nobody here, but the page cannot tell.
    expect(checkPage(cursor, 3, 4, list.slice(3, 7))).toEqual({ ok: false, retryOffset: 0 });
    // Read again from the start: the three users listed before are repeats, u004 is new.
    expect(checkPage(cursor, 0, 4, list.slice(0, 4))).toMatchObject({ ok: true, repeated: 3, next: { offset: 4 } });
  });

  test("the boundary user itself deleted: read again from further back", () => {
    const list = users(20).filter((x) => x.id !== "u009");
    const cursor: ListCursor = { offset: 10, boundary: { createdAt: 1009, ids: ["u009"] } };
    expect(checkPage(cursor, 9, 5, list.slice(9, 14))).toEqual({ ok: false, retryOffset: 5 });
    expect(checkPage(cursor, 5, 5, list.slice(5, 10))).toMatchObject({ ok: true, next: { offset: 10, boundary: { ids: ["u010"] } } });
  });

  test("users inserted before the cursor (backdated) shift it forward: the page still continues", () => {
    const list = sorted([...users(10), u("imported", 500)]);
    const cursor: ListCursor = { offset: 4, boundary: { createdAt: 1003, ids: ["u003"] } };
    expect(checkPage(cursor, 3, 4, list.slice(3, 7))).toMatchObject({ ok: true, next: { offset: 7 } });
  });

  test("users sharing the boundary's created_at are told apart by id", () => {
    const cursor: ListCursor = { offset: 2, boundary: { createdAt: 5, ids: ["a", "b"] } };
    expect(checkPage(cursor, 1, 3, [u("b", 5), u("c", 5), u("d", 6)])).toMatchObject({
      ok: true,
      repeated: 1,
      next: { boundary: { createdAt: 6, ids: ["d"] } },
    });
    expect(checkPage(cursor, 1, 3, [u("c", 5), u("d", 6)])).toMatchObject({ ok: false });
    expect(checkPage({ offset: 0 }, 0, 3, [u("a", 5), u("b", 5), u("c", 5)])).toMatchObject({ next: { boundary: { createdAt: 5, ids: ["a", "b", "c"] } } });
  });

  test("a page shorter than the limit ends the listing; so does an empty list", () => {
    expect(checkPage({ offset: 4, boundary: { createdAt: 1003, ids: ["u003"] } }, 3, 4, users(6).slice(3))).toMatchObject({
      ok: true,
      done: true,
      next: { offset: 6 },
    });
    expect(checkPage(START_CURSOR, 0, 500, [])).toEqual({ ok: true, done: true, repeated: 0, next: { offset: 0 } });
  });

  test("an empty page where the boundary was means the list shrank: read again", () => {
    expect(checkPage({ offset: 8, boundary: { createdAt: 1007, ids: ["u007"] } }, 7, 4, [])).toEqual({ ok: false, retryOffset: 4 });
  });

  test("users without an id or created_at do not break the boundary", () => {
    const page: unknown[] = [u("a", 1), { id: 42 }, null];
    expect(checkPage(START_CURSOR, 0, 3, page)).toMatchObject({ ok: true, next: { offset: 3, boundary: { createdAt: 1, ids: ["a"] } } });
  });
});

/** Reads the whole list as the action does, applying `between()` before each request. */
function readAll(initial: Listed[], limit: number, between: (list: Listed[], request: number) => Listed[]) {
  let list = sorted(initial);
  let cursor: ListCursor = START_CURSOR;
  const committed = new Set<string>();
  let requests = 0;
  for (;;) {
    let offset = nextRequestOffset(cursor);
    for (;;) {
      list = sorted(between(list, requests));
      requests++;
      if (requests > 10_000) throw new Error("does not terminate");
      const page = list.slice(offset, offset + limit);
      const check = checkPage(cursor, offset, limit, page);
      if (!check.ok) {
        offset = check.retryOffset;
        continue;
      }
      for (const user of page) committed.add(user.id);
      cursor = check.next;
      if (check.done) return { committed, requests, list };
      break;
    }
  }
}

describe("reading a list that changes during the pass", () => {
  test("with no changes: every user, in floor((n - limit) / (limit - 1)) + 2 requests (201 for 100,000 at 500)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 2, max: 40 }), (n, limit) => {
        const { committed, requests } = readAll(users(n), limit, (list) => list);
        expect(committed.size).toBe(n);
        expect(requests).toBe(n < limit ? 1 : Math.floor((n - limit) / (limit - 1)) + 2);
      }),
    );
    expect(Math.floor((100_000 - 500) / 499) + 2).toBe(201);
  });

  test("no user present from start to end is ever skipped, whatever is deleted or inserted between requests", () => {
    const change = fc.oneof(
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("insert" as const), createdAt: fc.integer({ min: 0, max: 60 }) }),
      fc.constant({ kind: "none" as const }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 80 }),
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.array(change, { maxLength: 4 }), { maxLength: 60 }),
        (createdAts, limit, changes) => {
          // Few distinct created_at values: many ties, as bulk imports make.
          const initial = createdAts.map((createdAt, i) => u(`u${i}`, createdAt));
          const deleted = new Set<string>();
          let inserted = 0;
          const { committed } = readAll(initial, limit, (list, request) => {
            let next = list;
            for (const c of changes[request] ?? []) {
              if (c.kind === "delete" && next.length > 0) {
                const gone = next[c.at % next.length]!;
                deleted.add(gone.id);
                next = next.filter((x) => x !== gone);
              } else if (c.kind === "insert") {
                next = [...next, u(`new${inserted++}`, c.createdAt)];
              }
            }
            return next;
          });
          for (const user of initial) if (!deleted.has(user.id)) expect(committed).toContain(user.id);
        },
      ),
      { numRuns: propertyRuns(500) },
    );
  });
});

describe("checkPage, newest first", () => {
  /** Clerk's order for `-created_at`: newest first, ties in a fixed order. */
  const newest = (list: Listed[]) => [...list].sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1));
  const list = newest(users(10)); // u009 (1009) … u000 (1000)
  const check = (cursor: ListCursor, offset: number, limit: number, page: unknown[]) => checkPage(cursor, offset, limit, page, "newestFirst");

  test("the first page sets the boundary to its last object and the pass's head to its first", () => {
    expect(check(START_CURSOR, 0, 4, list.slice(0, 4))).toEqual({
      ok: true,
      done: false,
      repeated: 0,
      next: { offset: 4, boundary: { createdAt: 1006, ids: ["u006"] }, head: { createdAt: 1009, ids: ["u009"] } },
    });
  });

  const second: ListCursor = { offset: 4, boundary: { createdAt: 1006, ids: ["u006"] }, head: { createdAt: 1009, ids: ["u009"] } };

  test("the next page overlaps the last by one object, which proves it continues", () => {
    expect(nextRequestOffset(second)).toBe(3);
    expect(check(second, 3, 4, list.slice(3, 7))).toEqual({
      ok: true,
      done: false,
      repeated: 1,
      next: { offset: 7, boundary: { createdAt: 1003, ids: ["u003"] }, head: { createdAt: 1009, ids: ["u009"] } },
    });
  });

  test("objects created during the pass push the rest up: the page repeats more, and still continues", () => {
    const grown = newest([...users(10), u("new1", 2000), u("new2", 2001)]);
    expect(check(second, 3, 4, grown.slice(3, 7))).toMatchObject({ ok: true, repeated: 3, next: { offset: 7, boundary: { createdAt: 1005 } } });
  });

  test("a deletion before the cursor is a gap: the page is refused and read again from one page back", () => {
    const shrunk = list.filter((x) => x.id !== "u008");
    // Position 3 now holds u005, older than the boundary: u005 would be… read, but a second deletion would skip one.
    expect(check(second, 3, 4, shrunk.slice(3, 7))).toEqual({ ok: false, retryOffset: 0 });
    expect(check(second, 0, 4, shrunk.slice(0, 4))).toMatchObject({ ok: true, repeated: 3, next: { offset: 4, boundary: { createdAt: 1005 } } });
  });

  test("an empty page where the boundary was means the list shrank: read again", () => {
    expect(check(second, 3, 4, [])).toEqual({ ok: false, retryOffset: 0 });
  });

  test("the list's end is not the listing's end: the head is read again from offset 0", () => {
    const cursor: ListCursor = { offset: 8, boundary: { createdAt: 1002, ids: ["u002"] }, head: { createdAt: 1009, ids: ["u009"] } };
    expect(check(cursor, 7, 4, list.slice(7))).toEqual({
      ok: true,
      done: false,
      repeated: 1,
      next: { offset: 0, head: { createdAt: 1009, ids: ["u009"] }, reread: true },
    });
  });

  const rereading: ListCursor = { offset: 0, head: { createdAt: 1009, ids: ["u009"] }, reread: true };

  test("re-reading the head ends at the first object created before the head; the pass listed those already", () => {
    expect(check(rereading, 0, 4, list.slice(0, 4))).toEqual({
      ok: true,
      done: true,
      repeated: 0,
      relisted: ["u009", "u008", "u007", "u006"],
      next: { offset: 4, boundary: { createdAt: 1006, ids: ["u006"] }, head: { createdAt: 1009, ids: ["u009"] }, reread: true },
    });
    const grown = newest([...users(10), u("new1", 2000), u("new2", 2001)]);
    expect(check(rereading, 0, 4, grown.slice(0, 4))).toMatchObject({ ok: true, done: true, repeated: 0, relisted: ["u009", "u008"] });
    // The head alone, tied with nothing older: not the end, an object tied with it may follow.
    expect(check(rereading, 0, 2, grown.slice(1, 3))).toMatchObject({ ok: true, done: false, relisted: ["u009"] });
  });

  test("more objects created during the pass than a page: the re-read goes on, under the same continuity check", () => {
    const grown = newest([...users(10), ...Array.from({ length: 6 }, (_, i) => u(`new${i}`, 2000 + i))]);
    const first = check(rereading, 0, 4, grown.slice(0, 4));
    expect(first).toMatchObject({ ok: true, done: false, repeated: 0, next: { offset: 4, boundary: { createdAt: 2002 }, reread: true } });
    const next = (first as { next: ListCursor }).next;
    // It reaches the head, but only an object older than the head ends it: one more page.
    const third = check(next, 3, 4, grown.slice(3, 7));
    expect(third).toMatchObject({ ok: true, done: false, repeated: 1, relisted: ["u009"], next: { offset: 7 } });
    expect(check((third as { next: ListCursor }).next, 6, 4, grown.slice(6, 10))).toMatchObject({
      ok: true,
      done: true,
      repeated: 1,
      relisted: ["u008", "u007", "u006"],
    });
    // One of them deleted meanwhile: the gap is seen, not skipped.
    expect(check(next, 3, 4, grown.filter((x) => x.id !== "new4").slice(3, 7))).toEqual({ ok: false, retryOffset: 0 });
  });

  test("objects tied with the head are read on, in whatever order Clerk gives ties: one may be new", () => {
    expect(check(rereading, 0, 3, [u("u009", 1009), u("twin", 1009), u("x", 1009)])).toEqual({
      ok: true,
      done: false,
      repeated: 0,
      relisted: ["u009"],
      next: { offset: 3, boundary: { createdAt: 1009, ids: ["u009", "twin", "x"] }, head: { createdAt: 1009, ids: ["u009"] }, reread: true },
    });
  });

  test("a list empty when the pass started: the re-read reads whatever appeared, to its end", () => {
    expect(check(START_CURSOR, 0, 4, [])).toEqual({ ok: true, done: false, repeated: 0, next: { offset: 0, reread: true } });
    expect(check({ offset: 0, reread: true }, 0, 4, [u("a", 5), u("b", 4), u("c", 3), u("d", 2)])).toMatchObject({ ok: true, done: false });
    expect(check({ offset: 0, reread: true }, 0, 4, [u("a", 5)])).toMatchObject({ ok: true, done: true, repeated: 0 });
  });

  /** Reads the whole list newest first as the action does, applying `between()` before each request. */
  function readAllNewest(initial: Listed[], limit: number, between: (list: Listed[], request: number, rereading: boolean) => Listed[]) {
    let list = newest(initial);
    let cursor: ListCursor = START_CURSOR;
    const committed = new Set<string>();
    let requests = 0;
    let rereadFrom: number | undefined;
    for (;;) {
      let offset = nextRequestOffset(cursor);
      for (;;) {
        if (cursor.reread && rereadFrom === undefined) rereadFrom = requests;
        list = newest(between(list, requests, cursor.reread === true));
        requests++;
        if (requests > 10_000) throw new Error("does not terminate");
        const page = list.slice(offset, offset + limit);
        const result = check(cursor, offset, limit, page);
        if (!result.ok) {
          offset = result.retryOffset;
          continue;
        }
        for (const item of page) committed.add(item.id);
        cursor = result.next;
        if (result.done) return { committed, requests };
        break;
      }
    }
  }

  test("with no changes: every object, and one request more than oldest first (the head's re-read)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 2, max: 40 }), (n, limit) => {
        const { committed, requests } = readAllNewest(users(n), limit, (l) => l);
        expect(committed.size).toBe(n);
        expect(requests).toBe((n < limit ? 1 : Math.floor((n - limit) / (limit - 1)) + 2) + 1);
      }),
    );
  });

  test("no object present from start to end is skipped, nor one created before the head's re-read, whatever is deleted or created between requests", () => {
    const change = fc.oneof(
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("create" as const), tie: fc.boolean() }),
      fc.constant({ kind: "none" as const }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 80 }),
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.array(change, { maxLength: 4 }), { maxLength: 60 }),
        (createdAts, limit, changes) => {
          const initial = createdAts.map((createdAt, i) => u(`u${i}`, createdAt));
          const deleted = new Set<string>();
          const createdBeforeReread: string[] = [];
          let created = 0;
          let clock = 60;
          const { committed } = readAllNewest(initial, limit, (l, request, rereading) => {
            let next = l;
            for (const c of changes[request] ?? []) {
              if (c.kind === "delete" && next.length > 0) {
                const gone = next[c.at % next.length]!;
                deleted.add(gone.id);
                next = next.filter((x) => x !== gone);
              } else if (c.kind === "create") {
                // Created now: Clerk's clock only moves on, past every object it ever created, deleted
                // ones too (a tie with the last one created is possible).
                clock += c.tie ? 0 : 1;
                const now = clock;
                const id = `new${created++}`;
                if (!rereading) createdBeforeReread.push(id);
                next = [...next, u(id, now)];
              }
            }
            return next;
          });
          for (const item of initial) if (!deleted.has(item.id)) expect(committed).toContain(item.id);
          for (const id of createdBeforeReread) if (!deleted.has(id)) expect(committed).toContain(id);
        },
      ),
      { numRuns: propertyRuns(500) },
    );
  });
});

describe("checkParentAnswer", () => {
  test("an answer whose objects all belong to the parent asked about is its truth", () => {
    expect(checkParentAnswer("user_1", "payerId", [{ payerId: "user_1" }, { payerId: "user_1" }])).toEqual({ ok: true });
    expect(checkParentAnswer("user_1", "payerId", [])).toEqual({ ok: true });
  });
  test("an object of another parent (or of none) refuses the whole answer", () => {
    expect(checkParentAnswer("user_1", "payerId", [{ payerId: "user_1" }, { payerId: "user_2" }, {}])).toEqual({ ok: false, strangers: 2 });
  });
});
