import { planDeliveries, type DeliveryOptions } from "./plan.js";
import { signDelivery, TEST_WEBHOOK_SECRET } from "./sign.js";

/** What `deliver` needs of a convex-test instance: its `fetch` to the app's HTTP routes. */
export type HttpTestBackend = { fetch(pathQueryFragment: string, init?: RequestInit): Promise<Response> };

export type DeliverOptions = DeliveryOptions & {
  /** The signing secret (default `TEST_WEBHOOK_SECRET`). */
  secret?: string;
  /** The webhook's path (default `/clerk-users-webhook`, as `registerRoutes` mounts it). */
  path?: string;
};

/**
 * Sets the signing secret the webhook reads (`CLERK_WEBHOOK_SECRET`) to the one `deliver` signs
 * with. One line at the top of a test file, or in a `beforeEach`.
 *
 * ```ts
 * setTestWebhookSecret();
 * ```
 */
export function setTestWebhookSecret(secret: string = TEST_WEBHOOK_SECRET): string {
  process.env.CLERK_WEBHOOK_SECRET = secret;
  return secret;
}

/**
 * Signs each event as Svix does and posts it to the app's webhook through `t.fetch`, one at a
 * time, optionally shuffled and with every message redelivered. Returns the HTTP statuses in
 * the order sent.
 *
 * ```ts
 * setTestWebhookSecret();
 * const statuses = await deliver(t, organizationWithMembers(), { shuffle: true, duplicate: true, seed: 3 });
 * expect(statuses.every((s) => s === 200)).toBe(true);
 * ```
 */
export async function deliver(t: HttpTestBackend, events: readonly unknown[], options: DeliverOptions = {}): Promise<number[]> {
  const statuses: number[] = [];
  for (const { event, svixId } of planDeliveries(events, options)) {
    const { body, headers } = signDelivery(event, { secret: options.secret ?? TEST_WEBHOOK_SECRET, id: svixId });
    const response = await t.fetch(options.path ?? "/clerk-users-webhook", { method: "POST", headers, body });
    statuses.push(response.status);
  }
  return statuses;
}
