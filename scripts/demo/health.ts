/**
 * The demo's health scenes: what `health.status` says after the stream (its forged delivery
 * counted as a rejection), then a deployment whose secret does not match Clerk's: `rejecting`,
 * and the advice to fix it. Each verdict is checked like the rest of the demo.
 */
import type { HealthStatus } from "convex-clerk-users";
import { components, internal } from "../../example/convex/_generated/api";
import { clerkUser, sign, userEvent, WEBHOOK_SECRET } from "../../test/fixtures/clerk";
import { startBackend, type Backend } from "./backend";
import type { Checks } from "./report";
import { table } from "./report";

/** What the status says about the stream the demo just delivered, then the wrong-secret scene. */
export async function healthScenes(t: Backend, checks: Checks, forged: number) {
  const afterStream = (await t.query(internal.clerk.webhookHealth, {})) as HealthStatus;
  checks.expect("health after the stream: verdict", afterStream.verdict, "ok");
  checks.expect("health after the stream: forged deliveries counted as rejections", afterStream.lastHour.rejected["401"] ?? 0, forged);
  show("Webhook health after the stream (npx convex run clerk:webhookHealth)", afterStream);

  // A second deployment whose CLERK_WEBHOOK_SECRET is another endpoint's (or was rotated in Clerk).
  const wrong = startBackend();
  const saved = process.env.CLERK_WEBHOOK_SECRET;
  process.env.CLERK_WEBHOOK_SECRET = "whsec_" + Buffer.from("the-staging-endpoints-key!!").toString("base64");
  const statuses: number[] = [];
  const warn = console.warn;
  console.warn = () => {};
  try {
    for (const [i, id] of ["user_dave", "user_erin"].entries()) {
      const delivery = sign(userEvent("user.created", clerkUser(id)), { id: `msg_wrong_${i + 1}`, secret: WEBHOOK_SECRET });
      statuses.push((await wrong.fetch("/clerk-users-webhook", { method: "POST", headers: delivery.headers, body: delivery.body })).status);
    }
  } finally {
    console.warn = warn;
    process.env.CLERK_WEBHOOK_SECRET = saved;
  }
  const rejecting = (await wrong.query(components.clerkUsers.health.status, {})) as HealthStatus;
  checks.expect("wrong secret: deliveries answered", statuses, [401, 401]);
  checks.expect("wrong secret: verdict", rejecting.verdict, "rejecting");
  checks.expect(
    "wrong secret: last rejection",
    { status: rejecting.lastRejection?.status, reason: rejecting.lastRejection?.reason },
    { status: 401, reason: "badSignature" },
  );
  // Both were refused; within one second only the first is written (the flood bound).
  checks.expect("wrong secret: rejections recorded", rejecting.lastHour.rejected["401"], 1);
  show(
    "Scene: CLERK_WEBHOOK_SECRET is another endpoint's secret; Clerk delivers two sign-ups within a second (rejections are written at most one a second)",
    rejecting,
  );
}

function show(title: string, health: HealthStatus) {
  const counts = (c: HealthStatus["lastHour"]) =>
    `applied ${c.applied}, duplicate ${c.duplicate}, stale ${c.stale}, ignored ${c.ignored}, failed ${c.failed}, rejected ${
      Object.entries(c.rejected)
        .map(([s, n]) => `${n}×${s}`)
        .join(" ") || "0"
    }`;
  const incident = (i: HealthStatus["lastRejection"]) => (i ? `${i.status} ${i.reason}${i.svixId ? ` (${i.svixId})` : ""}` : "—");
  table(title, [
    ["field", "value"],
    ["verdict", health.verdict],
    ["advice", health.advice],
    ["last hour", counts(health.lastHour)],
    ["lastDeliveryAt", health.lastDeliveryAt === null ? "—" : new Date(health.lastDeliveryAt).toISOString()],
    ["lastRejection", incident(health.lastRejection)],
    ["lastFailure", incident(health.lastFailure)],
    ["usersWaiting", `${health.usersWaiting}`],
  ]);
}
