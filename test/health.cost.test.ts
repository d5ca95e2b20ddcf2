/**
 * What health costs a delivery, counted document by document (the cost benchmark's instrumented
 * backend, bench/lib/instrument.ts): a verified delivery reads no health document and writes one,
 * a record of its own, whatever it came to. Two deliveries in flight therefore share no health
 * document, and health never makes a sync write conflict and retry.
 */
import { describe, expect, test } from "vitest";
import { componentTest, WEBHOOK_PATH } from "../bench/lib/backends";
import { components } from "../bench/component-app/convex/_generated/api";
import { measure } from "../bench/lib/instrument";
import { clerkMembership, clerkOrganization, clerkUser, deletedEvent, membershipEvent, sign, userEvent, type Delivery } from "./fixtures/clerk";

/** The tables health and its pruning keep. */
const HEALTH_TABLES = ["webhookDeliveries", "webhookHealth", "pruneState"];

describe("health's cost per delivery", () => {
  test("0 documents read and 1 written for health, for every outcome, and the status counts each once", async () => {
    const { t } = componentTest();
    const post = (delivery: Delivery) => t.fetch(WEBHOOK_PATH, { method: "POST", headers: delivery.headers, body: delivery.body });
    const created = sign(userEvent("user.created", clerkUser("user_1", { updated_at: 2_000 })));
    const org = clerkOrganization("org_1");
    const deliveries: [string, Delivery, number][] = [
      ["applied (created)", created, 200],
      ["duplicate (Svix's retry)", created, 200],
      ["applied (updated)", sign(userEvent("user.updated", clerkUser("user_1", { updated_at: 3_000 }))), 200],
      ["stale", sign(userEvent("user.updated", clerkUser("user_1", { updated_at: 1_000 }))), 200],
      [
        "applied (membership and its organization)",
        sign(membershipEvent("organizationMembership.created", clerkMembership("orgmem_1", "org_1", "user_1", { organization: org }))),
        200,
      ],
      ["applied (deleted)", sign(deletedEvent("user_1")), 200],
      ["ignored", sign({ type: "session.created", object: "event", data: { id: "sess_1" } }), 200],
      ["failed (not a Clerk event)", sign({ type: "user.created", object: "event", data: { id: "" } }), 400],
    ];
    const costs: Record<string, { read: number; written: number }> = {};
    for (const [name, delivery, status] of deliveries) {
      const { result, counts } = await measure(async () => (await post(delivery)).status);
      expect(result, name).toBe(status);
      costs[name] = {
        read: HEALTH_TABLES.reduce((n, table) => n + (counts.byTable[table]?.read ?? 0), 0),
        written: HEALTH_TABLES.reduce((n, table) => n + (counts.byTable[table]?.written ?? 0), 0),
      };
    }
    expect(costs).toEqual(Object.fromEntries(deliveries.map(([name]) => [name, { read: 0, written: 1 }])));
    const health = await t.query(components.clerkUsers.health.status, {});
    expect(health).toMatchObject({ lastHour: { applied: 4, duplicate: 1, stale: 1, ignored: 1, failed: 1 } });
  });
});
