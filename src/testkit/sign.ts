import { Webhook } from "svix";

/**
 * A signing secret in Clerk's format (`whsec_` and base64), for tests only. `deliver` signs with
 * it unless told otherwise, and `useTestWebhookSecret()` sets it where the webhook looks.
 */
export const TEST_WEBHOOK_SECRET = "whsec_" + btoa("convex-clerk-users-test-kit");

/** An HTTP request as Svix sends it: the JSON body and the three `svix-*` headers. */
export type SignedDelivery = { body: string; headers: Record<string, string> };

/**
 * Signs a body the way Clerk's Svix endpoint does (svix's own `Webhook.sign`). The same `id`
 * is a redelivery of the same message.
 *
 * ```ts
 * const { body, headers } = signDelivery(userCreated(), { secret: TEST_WEBHOOK_SECRET, id: "msg_1" });
 * await fetch(url, { method: "POST", body, headers });
 * ```
 */
export function signDelivery(event: unknown, options: { secret: string; id: string; at?: Date }): SignedDelivery {
  const body = typeof event === "string" ? event : JSON.stringify(event);
  const at = options.at ?? new Date();
  return {
    body,
    headers: {
      "content-type": "application/json",
      "svix-id": options.id,
      "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
      "svix-signature": new Webhook(options.secret).sign(options.id, at, body),
    },
  };
}
