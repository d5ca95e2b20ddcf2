import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { deliver, planDeliveries, SCENARIOS, TEST_WEBHOOK_SECRET } from "convex-clerk-users/test";
import { Webhook } from "svix";
import { afterEach, describe, expect, test, vi } from "vitest";
import { LARGE_RUN, RETRY_DELAYS_MS, simulate, type SimulateIO } from "../src/cli/simulate";
import { captureLogs } from "./fixtures/logs";
import { billingBackend, billingTables } from "./fixtures/billingTables";
import { tables } from "./fixtures/tables";

captureLogs(); // nothing in these tests may log an error

/**
 * A local endpoint in front of the package's handler: it verifies each request's signature with
 * svix itself, then hands the request to the example app's webhook in convex-test. `failOnce`
 * answers a message's first attempt with a 503, as a deployment in trouble would; `failAlways`
 * every attempt.
 */
function endpoint(options: { failOnce?: Set<string>; failAlways?: Set<string> } = {}) {
  const t = billingBackend();
  const seen: { svixId: string; verified: boolean }[] = [];
  const failed = new Set<string>();
  const server = createServer((req, res) => {
    void handle(req).then(({ status, text }) => res.writeHead(status).end(text));
  });
  async function handle(req: IncomingMessage) {
    let body = "";
    for await (const chunk of req) body += chunk;
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const svixId = headers["svix-id"] ?? "";
    let verified = true;
    try {
      new Webhook(TEST_WEBHOOK_SECRET).verify(body, headers);
    } catch {
      verified = false;
    }
    seen.push({ svixId, verified });
    if (!verified) return { status: 401, text: "bad signature" };
    if (options.failAlways?.has(svixId) || (options.failOnce?.has(svixId) && !failed.has(svixId))) {
      failed.add(svixId);
      return { status: 503, text: "try again" };
    }
    const response = await t.fetch(req.url ?? "/", { method: "POST", headers, body });
    return { status: response.status, text: await response.text() };
  }
  return { t, server, seen };
}

let server: Server | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listen(s: Server): Promise<string> {
  server = s;
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/clerk-users-webhook`;
}

/** The command's IO, recording what it prints and how long it waits (without waiting). */
function io(env: Record<string, string | undefined> = { CLERK_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET }) {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const value: SimulateIO = {
    env,
    fetch,
    out: { write: (text: string) => out.push(text), isTTY: false },
    err: { write: (text: string) => err.push(text) },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  return { io: value, out: () => out.join(""), err: () => err.join(""), sleeps };
}

const withoutCounts = (state: Awaited<ReturnType<typeof tables>>) => ({
  ...state,
  organizations: state.organizations.map(({ membersCount, ...o }) => o), // the last copy wins (README)
});
const everything = async (t: ReturnType<typeof billingBackend>) => ({ ...withoutCounts(await tables(t)), ...(await billingTables(t)) });

describe("simulate posts a scenario over HTTP, signed, and the tables converge", () => {
  const runs = [
    ...Object.keys(SCENARIOS).map((name) => [name, "user"]),
    ...Object.keys(SCENARIOS)
      .filter((name) => name.startsWith("billing-"))
      .map((name) => [name, "org"]),
  ];
  test.each(runs)("%s (payer: %s), shuffled and duplicated, ends as delivered in order", async (name, payer) => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() }); // the command and the reference build the same times
    const { t, server: s, seen } = endpoint();
    const url = await listen(s);
    const run = io();
    // Few enough users that every delivery gets its line (a large run shows a progress bar instead).
    const users = name.startsWith("billing-") ? 2 : 4;
    const build = () => SCENARIOS[name as keyof typeof SCENARIOS].build({ users, seed: "5", payer: payer as "user" | "org" });
    const args = [name, "--url", url, "--shuffle", "--duplicate", "--seed", "5", "--users", String(users), "--payer", payer, "--rate", "1000"];
    const code = await simulate(args, run.io);
    expect(run.err()).toBe("");
    expect(code).toBe(0);
    expect(seen.every((r) => r.verified)).toBe(true);

    const reference = billingBackend();
    await deliver(reference, build());
    const state = await everything(t);
    expect(state).toEqual(await everything(reference));
    if (name.startsWith("billing-")) expect(state.subscriptionItems.every((i) => (payer === "org" ? i.orgId : i.userId))).toBe(true);

    const events = build().length;
    expect(2 * events).toBeLessThan(LARGE_RUN);
    expect(run.out()).toContain(`sent ${2 * events}, 2xx ${2 * events}, 4xx 0, 5xx 0, retried 0`);
    expect(run.out().match(/^\[\s*\d+\/\d+\] 200 /gm)).toHaveLength(2 * events);
  });

  test("a 5xx is retried with backoff and then succeeds; the summary counts the retry", async () => {
    const firstMessage = planDeliveries(SCENARIOS["sign-up"].build({ users: 1 }), {})[0]!.svixId;
    const { server: s, seen } = endpoint({ failOnce: new Set([firstMessage]) });
    const run = io();
    const code = await simulate(["sign-up", "--url", await listen(s), "--users", "1"], run.io);
    expect(code).toBe(0);
    expect(seen.filter((r) => r.svixId === firstMessage)).toHaveLength(2);
    expect(run.sleeps).toContain(RETRY_DELAYS_MS[0]);
    expect(run.out()).toMatch(/200 user\.created \S+ msg_\S+ after 1 retry/);
    expect(run.out()).toContain("sent 3, 2xx 3, 4xx 0, 5xx 0, retried 1");
  });

  test("a 5xx that persists is retried a few times, backing off, then counted as refused: the exit code is non-zero", async () => {
    const first = planDeliveries(SCENARIOS["sign-up"].build({ users: 1 }), {})[0]!.svixId;
    const { server: s, seen } = endpoint({ failAlways: new Set([first]) });
    const run = io();
    expect(await simulate(["sign-up", "--url", await listen(s), "--users", "1"], run.io)).toBe(1);
    expect(seen.filter((r) => r.svixId === first)).toHaveLength(1 + RETRY_DELAYS_MS.length);
    expect(run.sleeps.filter((ms) => RETRY_DELAYS_MS.includes(ms))).toEqual(RETRY_DELAYS_MS);
    expect(run.out()).toMatch(new RegExp(`503 user\\.created \\S+ ${first} after ${RETRY_DELAYS_MS.length} retries: try again`));
    expect(run.out()).toContain(`sent 3, 2xx 2, 4xx 0, 5xx 1, retried ${RETRY_DELAYS_MS.length}`);
    expect(run.err()).toMatch(/1 delivery was finally refused/);
  });

  test("a delivery refused for good (wrong secret) makes the exit code non-zero, and the secret is never printed", async () => {
    const { server: s } = endpoint();
    const wrong = "whsec_" + btoa("not-this-endpoints-secret");
    const run = io({});
    const code = await simulate(["sign-up", "--url", await listen(s), "--users", "1", "--secret", wrong], run.io);
    expect(code).toBe(1);
    expect(run.out()).toContain("sent 3, 2xx 0, 4xx 3, 5xx 0, retried 0");
    expect(run.err()).toMatch(/3 deliveries were finally refused/);
    expect(run.out() + run.err()).not.toContain(wrong.slice(6));
  });

  test("reads the secret as the webhook does: Clerk's own variable name, a blank one unset, the first of two", async () => {
    const { server: s, seen } = endpoint();
    const run = io({ CLERK_WEBHOOK_SECRET: " ", CLERK_WEBHOOK_SIGNING_SECRET: `${TEST_WEBHOOK_SECRET} whsec_${btoa("the-next-secret")}` });
    expect(await simulate(["sign-up", "--url", await listen(s), "--users", "1"], run.io)).toBe(0);
    expect(seen.map((r) => r.verified)).toEqual([true, true, true]);
  });

  test("paces itself to --rate", async () => {
    const { server: s } = endpoint();
    const run = io();
    run.io.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const started = Date.now();
    expect(await simulate(["sign-up", "--url", await listen(s), "--users", "2", "--rate", "20"], run.io)).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 50); // 6 deliveries at 20/s: 5 gaps of 50 ms
  });

  test("a large run shows a progress bar on a terminal instead of a line per accepted delivery", async () => {
    const { server: s } = endpoint();
    const run = io();
    run.io.out.isTTY = true;
    const users = Math.ceil(LARGE_RUN / 3);
    expect(await simulate(["sign-up", "--url", await listen(s), "--users", String(users), "--rate", "10000"], run.io)).toBe(0);
    expect(run.out()).toContain(`\r[${"#".repeat(30)}] ${3 * users}/${3 * users}`);
    expect(run.out().match(/\] 200 /g)).toBeNull();
    expect(run.out()).toContain(`sent ${3 * users}, 2xx ${3 * users}`);
  });
});

describe("simulate refuses to start", () => {
  const refuses = async (args: string[], message: RegExp, env?: Record<string, string | undefined>) => {
    const run = io(env);
    let posted = 0;
    run.io.fetch = async () => {
      posted++;
      return new Response(null, { status: 200 });
    };
    expect(await simulate(args, run.io)).toBe(2);
    expect(run.err()).toMatch(message);
    expect(posted).toBe(0);
    return run;
  };

  test("at a URL that does not look like a webhook, unless forced", async () => {
    await refuses(["sign-up", "--url", "https://happy-otter-123.convex.site/"], /does not look like a webhook endpoint/);
    const run = io();
    run.io.fetch = async () => new Response(null, { status: 200 });
    expect(await simulate(["sign-up", "--url", "https://happy-otter-123.convex.site/", "--force"], run.io)).toBe(0);
  });

  test("at the .convex.cloud address, naming the .convex.site one", async () => {
    await refuses(
      ["sign-up", "--url", "https://happy-otter-123.convex.cloud/clerk-users-webhook", "--force"],
      /happy-otter-123\.convex\.site\/clerk-users-webhook/,
    );
  });

  test("without a secret, or with one that is not a signing secret (never echoing it)", async () => {
    await refuses(["sign-up", "--url", "http://127.0.0.1:1/clerk-users-webhook"], /No signing secret/, {});
    const run = await refuses(["sign-up", "--url", "http://127.0.0.1:1/clerk-users-webhook", "--secret", "sk_live_topsecret"], /not a Svix signing secret/, {});
    expect(run.err()).not.toContain("topsecret");
  });

  test("with a payer that is neither user nor org", async () => {
    await refuses(["billing-upgrade", "--url", "http://127.0.0.1:1/clerk-users-webhook", "--payer", "team"], /--payer must be user or org/);
  });

  test("with an unknown scenario, and --list names them all", async () => {
    await refuses(["nope", "--url", "http://127.0.0.1:1/clerk-users-webhook"], /No scenario "nope"/);
    const run = io();
    expect(await simulate(["--list"], run.io)).toBe(0);
    for (const name of Object.keys(SCENARIOS)) expect(run.out()).toMatch(new RegExp(`^${name} `, "m"));
  });
});
