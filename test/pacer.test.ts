import { describe, expect, test } from "vitest";
import {
  CLERK_RATE_LIMITS,
  PACING_MARGIN_MS,
  assumeSentAt,
  blockUntil,
  delayBefore,
  pacingMarginMs,
  recentSends,
  recordSend,
  settleSend,
  startPacing,
} from "../src/client/resync/pacer";

// The pacer is pure: times go in as numbers, a delay or the next pacing comes out. No clock, no
// Convex, no HTTP (test/clerkApi.test.ts runs it inside the client against the fake API).
describe("pacing", () => {
  test.each([
    { case: "under the limit: no wait", sent: [0, 1, 2], now: 3, delay: 0 },
    { case: "at the limit: until the oldest of the last N leaves the window, plus the margin", sent: [0, 1, 2, 3], now: 4, delay: 100 + 10 - 4 },
    { case: "the window has passed", sent: [0, 1, 2, 3], now: 1_000, delay: 0 },
    { case: "only the last N count", sent: [0, 50, 60, 70, 80], now: 81, delay: 50 + 100 + 10 - 81 },
  ])("$case", ({ sent, now, delay }) => {
    const pacing = sent.reduce(recordSend, startPacing({ requests: 4, windowMs: 100 }));
    expect(delayBefore(pacing, now)).toBe(delay);
  });

  test("a request counts from its answer: a slow answer moves the window on", () => {
    const sent = recordSend(startPacing({ requests: 1, windowMs: 100 }), 0);
    const settled = settleSend(sent, 0, 40); // Clerk may have counted it as late as 40.
    expect(delayBefore(settled, 50)).toBe(40 + 100 + 10 - 50);
    expect(delayBefore(sent, 50)).toBe(100 + 10 - 50); // The pacing it came from is unchanged.
  });

  test("a block (Retry-After, headers) holds whatever the count; a shorter one does not shorten it", () => {
    const blocked = blockUntil(startPacing(null), 500);
    expect(delayBefore(blocked, 200)).toBe(300);
    expect(delayBefore(blockUntil(blocked, 300), 200)).toBe(300);
    expect(delayBefore(blocked, 600)).toBe(0);
  });

  test("without a limit nothing is counted, only blocks hold", () => {
    const pacing = [0, 0, 0].reduce(recordSend, startPacing(null));
    expect(delayBefore(pacing, 0)).toBe(0);
    expect(recentSends(pacing, 0)).toEqual([]);
  });

  test("seeded sends count; recentSends gives those still in the window", () => {
    const pacing = startPacing({ requests: 2, windowMs: 100 }, [10, 0]);
    expect(delayBefore(pacing, 20)).toBe(100 + 10 - 20);
    expect(recentSends(pacing, 115)).toEqual([10]);
  });

  test("assumeSentAt: an earlier run's last window's worth of requests, taken as sent when it stopped", () => {
    const limit = { requests: 3, windowMs: 100 };
    expect(assumeSentAt(1_000, 201, limit, 1_050)).toEqual([1_000, 1_000, 1_000]);
    expect(assumeSentAt(1_000, 2, limit, 1_050)).toEqual([1_000, 1_000]);
    expect(assumeSentAt(1_000, 201, limit, 1_000 + 100 + pacingMarginMs(limit))).toEqual([]);
    expect(assumeSentAt(1_000, 201, null, 1_050)).toEqual([]);
  });

  test("the margin is PACING_MARGIN_MS, at most a tenth of the window", () => {
    expect(pacingMarginMs(CLERK_RATE_LIMITS.development)).toBe(PACING_MARGIN_MS);
    expect(pacingMarginMs({ requests: 3, windowMs: 150 })).toBe(15);
  });

  test("a limit of no requests is refused", () => {
    expect(() => startPacing({ requests: 0, windowMs: 10_000 })).toThrow(RangeError);
  });
});
