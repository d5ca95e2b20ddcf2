/**
 * `npx convex-clerk-users simulate <scenario> --url <endpoint>`: posts a scenario's Clerk
 * webhook events, signed with the endpoint's secret, to a real deployment over HTTP, the way
 * Svix delivers them: one message at a time, paced, a 5xx retried with backoff, optionally
 * shuffled and redelivered. Then the dashboard's data view shows what the tables hold.
 */
import { parseArgs } from "node:util";
import { planDeliveries } from "../testkit/plan.js";
import type { ClerkWebhookEvent } from "../testkit/events/index.js";
import { PAYERS, SCENARIOS, isPayerType, isScenarioName } from "../testkit/scenarios.js";
import { signDelivery } from "../testkit/sign.js";

/** What the command reaches outside through; the defaults are the process's own. */
export type SimulateIO = {
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  out: { write(text: string): unknown; isTTY?: boolean };
  err: { write(text: string): unknown };
  sleep: (ms: number) => Promise<void>;
};

/** Waits after each failed attempt before the next: a few tries, backing off, as Svix does (compressed). */
export const RETRY_DELAYS_MS = [1_000, 4_000, 16_000];
/** From this many deliveries on, a progress bar replaces the line per 2xx delivery. */
export const LARGE_RUN = 100;

export const USAGE = `Usage: npx convex-clerk-users simulate <scenario> --url <endpoint> [options]
       npx convex-clerk-users simulate --list

Posts a scenario's Clerk webhook events, signed like Clerk's Svix endpoint, to <endpoint>.

  --url <endpoint>   e.g. https://<deployment>.convex.site/clerk-users-webhook
  --secret <whsec_>  the endpoint's signing secret (default: $CLERK_WEBHOOK_SECRET,
                     else $CLERK_WEBHOOK_SIGNING_SECRET)
  --shuffle          deliver in a random order (seeded)
  --duplicate        deliver every message twice (the same svix id, as a Svix retry)
  --seed <n>         the seed of ids and order (default 1): one seed, one run
  --users <n>        how many users take part (default 3, at most 10000)
  --payer <who>      who pays in the billing-* scenarios: user (each user, the
                     default) or org (an organization of them all)
  --rate <n>         deliveries per second, at most (default 10)
  --force            post to a URL that does not look like this package's webhook
  --list             name the scenarios
`;

/**
 * Why the command will not post to `raw`, or null. Not a URL, or a `.convex.cloud` address (HTTP
 * actions are served from `.convex.site`), always stops it; a path that does not look like a
 * webhook stops it unless `--force`.
 */
export function checkUrl(raw: string, force: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `--url ${raw} is not a URL.`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `--url must be http(s), not ${url.protocol}`;
  if (url.hostname.endsWith(".convex.cloud")) {
    return `--url is a .convex.cloud address; HTTP actions are served from .convex.site: https://${url.hostname.replace(/\.convex\.cloud$/, ".convex.site")}${url.pathname}`;
  }
  if (!force && !/webhook/i.test(url.pathname)) {
    return `--url ${url.origin}${url.pathname} does not look like a webhook endpoint (registerRoutes mounts /clerk-users-webhook). Pass --force to post there anyway.`;
  }
  return null;
}

/**
 * Runs the command on `argv` (the words after `simulate`) and resolves to the exit code: 0
 * when every delivery was finally answered 2xx, 1 when any was refused, 2 on a usage error.
 */
export async function simulate(argv: string[], io: SimulateIO): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: "string" },
        secret: { type: "string" },
        shuffle: { type: "boolean", default: false },
        duplicate: { type: "boolean", default: false },
        seed: { type: "string", default: "1" },
        users: { type: "string", default: "3" },
        payer: { type: "string", default: PAYERS[0] },
        rate: { type: "string", default: "10" },
        force: { type: "boolean", default: false },
        list: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  const { values, positionals } = args;
  if (values.help) {
    io.out.write(USAGE);
    return 0;
  }
  if (values.list) {
    const width = Math.max(...Object.keys(SCENARIOS).map((n) => n.length));
    for (const [name, { description }] of Object.entries(SCENARIOS)) io.out.write(`${name.padEnd(width)}  ${description}\n`);
    return 0;
  }

  const [name, ...extra] = positionals;
  if (!name) return usage(io, "Name a scenario (simulate --list names them).");
  if (extra.length) return usage(io, `Unexpected ${extra.join(" ")}.`);
  if (!isScenarioName(name)) return usage(io, `No scenario "${name}". Scenarios: ${Object.keys(SCENARIOS).join(", ")}.`);
  if (!values.url) return usage(io, "--url is required: the webhook's address, e.g. https://<deployment>.convex.site/clerk-users-webhook");
  const urlProblem = checkUrl(values.url, values.force);
  if (urlProblem) return usage(io, urlProblem);
  // As the webhook reads it: Clerk's own name too, a blank one unset, the first of two (a rotation).
  const fromEnv = [io.env.CLERK_WEBHOOK_SECRET, io.env.CLERK_WEBHOOK_SIGNING_SECRET].find((value) => value?.trim());
  const secret = values.secret ?? fromEnv?.trim().split(/\s+/)[0];
  if (!secret) return usage(io, "No signing secret: pass --secret whsec_... or set CLERK_WEBHOOK_SECRET (the endpoint's Signing Secret in Clerk's dashboard).");
  // Checked without ever echoing it.
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) return usage(io, "The signing secret is not a Svix signing secret (whsec_ followed by base64).");
  const users = Number(values.users);
  const rate = Number(values.rate);
  if (!Number.isInteger(users) || users < 1 || users > 10_000) return usage(io, "--users must be a whole number from 1 to 10000.");
  if (!(rate > 0)) return usage(io, "--rate must be a positive number of deliveries per second.");
  const payer = values.payer;
  if (!isPayerType(payer)) return usage(io, `--payer must be ${PAYERS.join(" or ")}.`);

  const events = SCENARIOS[name].build({ users, seed: values.seed, payer });
  const plan = planDeliveries(events, { shuffle: values.shuffle, duplicate: values.duplicate, seed: values.seed });
  const large = plan.length >= LARGE_RUN;
  const bar = new Progress(io.out, plan.length, large && io.out.isTTY === true);
  io.out.write(
    `Simulating "${name}"${name.startsWith("billing-") ? ` (${payer} payer)` : ""} (${events.length} events, ${plan.length} deliveries${values.shuffle ? ", shuffled" : ""}${values.duplicate ? ", each delivered twice" : ""}, seed ${values.seed}) to ${values.url} at up to ${rate}/s\n`,
  );

  const summary = { sent: 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, network: 0, retried: 0 };
  const spacing = 1000 / rate;
  let nextAt = Date.now();
  for (const [n, delivery] of plan.entries()) {
    const { status, attempts, detail } = await post(values.url, delivery.event, delivery.svixId, secret, io, async () => {
      const wait = nextAt - Date.now();
      if (wait > 0) await io.sleep(wait);
      nextAt = Math.max(nextAt, Date.now()) + spacing;
    });
    summary.sent++;
    summary.retried += attempts - 1;
    const klass = status === 0 ? "network" : (`${Math.floor(status / 100)}xx` as "2xx" | "3xx" | "4xx" | "5xx");
    summary[klass]++;
    const line = `[${String(n + 1).padStart(String(plan.length).length)}/${plan.length}] ${status === 0 ? "ERR" : status} ${label(delivery.event)} ${delivery.svixId}${delivery.redelivery ? " (redelivery)" : ""}${attempts > 1 ? ` after ${attempts - 1} ${attempts === 2 ? "retry" : "retries"}` : ""}${detail ? `: ${detail}` : ""}`;
    if (!large || klass !== "2xx") bar.line(line);
    else if (!bar.live && (n + 1) % Math.ceil(plan.length / 10) === 0) io.out.write(`${line}\n`);
    bar.tick(n + 1);
  }
  bar.done();
  const refused = summary.sent - summary["2xx"];
  io.out.write(
    `\nsent ${summary.sent}, 2xx ${summary["2xx"]}${summary["3xx"] ? `, 3xx ${summary["3xx"]}` : ""}, 4xx ${summary["4xx"]}, 5xx ${summary["5xx"]}${summary.network ? `, network errors ${summary.network}` : ""}, retried ${summary.retried}\n`,
  );
  if (refused > 0) {
    io.err.write(`${refused} ${refused === 1 ? "delivery was" : "deliveries were"} finally refused (see the lines above).\n`);
    return 1;
  }
  io.out.write("Every delivery was accepted. Open the dashboard's Data view (the clerkUsers component's tables) to see the result.\n");
  return 0;
}

/** One message, retried on a 5xx or a network error; each attempt is signed anew, as Svix does. */
async function post(url: string, event: ClerkWebhookEvent, svixId: string, secret: string, io: SimulateIO, pace: () => Promise<void>) {
  let attempts = 0;
  for (;;) {
    await pace();
    attempts++;
    const { body, headers } = signDelivery(event, { secret, id: svixId });
    let status = 0;
    let detail = "";
    try {
      // A redirect is a failure for Svix too (and following it would turn the POST into a GET).
      const response = await io.fetch(url, { method: "POST", headers, body, redirect: "manual" });
      status = response.status;
      if (status >= 300) detail = (await response.text()).slice(0, 200).replace(/\s+/g, " ").trim();
    } catch (error) {
      detail = error instanceof Error ? error.message : String(error);
    }
    const retriable = status === 0 || status >= 500;
    if (!retriable || attempts > RETRY_DELAYS_MS.length) return { status, attempts, detail };
    await io.sleep(RETRY_DELAYS_MS[attempts - 1]!);
  }
}

const label = (event: ClerkWebhookEvent) => `${event.type} ${event.data.id ?? ""}`;

function usage(io: SimulateIO, message: string): number {
  io.err.write(`simulate: ${message}\n\n${USAGE}`);
  return 2;
}

/** A progress bar on a terminal; without one (or for a small run), nothing. */
class Progress {
  constructor(
    private readonly out: SimulateIO["out"],
    private readonly total: number,
    readonly live: boolean,
  ) {}
  line(text: string) {
    if (this.live) this.out.write("\r\x1b[2K");
    this.out.write(`${text}\n`);
  }
  tick(done: number) {
    if (!this.live) return;
    const width = 30;
    const filled = Math.round((done / this.total) * width);
    this.out.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${this.total}`);
  }
  done() {
    if (this.live) this.out.write("\n");
  }
}
