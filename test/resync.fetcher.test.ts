import { afterEach, describe, expect, test, vi } from "vitest";
import { ClerkApi } from "../src/client/resync/clerkApi";
import { Fetcher } from "../src/client/resync/fetcher";
import { SECRET_KEY, clerkUsers, startFakeClerkApi, type FakeClerkApi } from "./fixtures/clerkApi";

/**
 * The fetcher on its own, against the fake Clerk API: it carries out the component's instructions
 * and decides nothing, but it fetches a `list` instruction's `ahead` page while the page it
 * returned is applied, so a resync runs at the pace of the slower of Clerk and the commits.
 */

let api: FakeClerkApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function setup() {
  api = await startFakeClerkApi({ users: clerkUsers(25) });
  const clerk = new ClerkApi({ apiUrl: api.url, secretKey: SECRET_KEY, rateLimit: null });
  return { api, fetcher: new Fetcher(clerk) };
}

const list = (offset: number) => ({ op: "list" as const, kind: "user" as const, offset, limit: 10, ahead: offset + 9 });
const offsets = (api: FakeClerkApi) => api.log.map((r) => r.offset);

describe("list", () => {
  test("hands back the page (every object's id and created_at, the storable rows) and fetches the next one meanwhile", async () => {
    const { api, fetcher } = await setup();
    const page = await fetcher.carryOut(list(0), { fetchAhead: true });
    expect(page).toMatchObject({ op: "list", offset: 0, limit: 10, invalid: [], rows: { kind: "user" } });
    expect(page).toMatchObject({ listed: clerkUsers(10).map((u) => ({ id: u.id, created_at: u.created_at })) });
    // The page after it is requested before anyone asks for it...
    await vi.waitFor(() => expect(offsets(api)).toEqual([0, 9]));
    expect(fetcher.holds(list(9))).toBe(true);
    // ...and handed back when the component names it, with no request of its own.
    expect(await fetcher.carryOut(list(9), { fetchAhead: false })).toMatchObject({
      offset: 9,
      listed: expect.arrayContaining([{ id: "user_000018", created_at: expect.any(Number) }]),
    });
    expect(offsets(api)).toEqual([0, 9]);
  });

  test("a page fetched ahead is sorted out when Clerk answers, before the component names it (while the page before it commits)", async () => {
    // Clerk's answers, each object telling when it is read.
    const read = new Set<number>();
    const fetch = async (url: string | URL | Request): Promise<Response> => {
      const offset = Number(new URL(String(url)).searchParams.get("offset"));
      const page = clerkUsers(25)
        .slice(offset, offset + 10)
        .map((user) => Object.defineProperty({ ...user }, "id", { get: () => (read.add(offset), user.id), enumerable: true }));
      return { ok: true, status: 200, headers: new Headers(), json: async () => page } as unknown as Response;
    };
    const fetcher = new Fetcher(new ClerkApi({ apiUrl: "https://clerk.test", secretKey: SECRET_KEY, rateLimit: null, fetch }));
    await fetcher.carryOut(list(0), { fetchAhead: true });
    expect(read).toEqual(new Set([0]));
    // Nothing is asked of the fetcher now, as while the page's commit runs: the next page is read all the same.
    await vi.waitFor(() => expect(read).toEqual(new Set([0, 9])));
  });

  test("a page fetched ahead that the component does not name (the list shifted) is dropped, and the named one fetched", async () => {
    const { api, fetcher } = await setup();
    await fetcher.carryOut(list(0), { fetchAhead: true });
    await vi.waitFor(() => expect(offsets(api)).toEqual([0, 9]));
    expect(fetcher.holds(list(0))).toBe(false);
    expect(await fetcher.carryOut(list(0), { fetchAhead: false })).toMatchObject({ offset: 0 });
    expect(offsets(api)).toEqual([0, 9, 0]);
    expect(fetcher.holds(list(9))).toBe(false);
  });

  test("no page ahead when the step has no time for it, nor after a page shorter than the limit (the last)", async () => {
    const { api, fetcher } = await setup();
    await fetcher.carryOut(list(0), { fetchAhead: false });
    await fetcher.carryOut(list(18), { fetchAhead: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(offsets(api)).toEqual([0, 18]);
  });
});

describe("recheck and judge", () => {
  test("recheck asks Clerk by id and hands back what it still has, what it no longer has, and the batch's refs", async () => {
    const { api, fetcher } = await setup();
    const answer = await fetcher.carryOut(
      { op: "recheck", kind: "user", candidates: [{ clerkId: "user_000003" }, { clerkId: "user_gone" }], refs: ["ref_a", "ref_b"] },
      { fetchAhead: true },
    );
    expect(answer).toMatchObject({ op: "recheck", answered: ["ref_a", "ref_b"], foundIds: ["user_000003"], missing: ["user_gone"] });
    expect(api.log.map((r) => r.userIds)).toEqual([["user_000003", "user_gone"]]);
  });

  test("judge needs nothing from Clerk", async () => {
    const { api, fetcher } = await setup();
    expect(await fetcher.carryOut({ op: "judge" }, { fetchAhead: true })).toEqual({ op: "judge" });
    expect(api.log).toEqual([]);
  });
});
