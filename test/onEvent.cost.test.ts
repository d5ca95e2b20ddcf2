/**
 * What an `onEvent` delivery costs, counted document by document (the cost benchmark's
 * instrumented syscalls, bench/lib/instrument.ts): the remembered id and the health record, and
 * nothing of the remembered ids on a synced delivery's path or an app's without `onEvent`.
 */
import type { WebhookEvent } from "@clerk/backend";
import * as kit from "convex-clerk-users/test";
import { expect, test } from "vitest";
import { instrumentSyscalls, measure } from "../bench/lib/instrument";
import { clerkUser, sign, userEvent, type Delivery } from "./fixtures/clerk";
import { refs, setupOnEvent } from "./fixtures/onEvent";
import { post, type TestBackend } from "./setup";

const session = () => kit.clerkEvent("session.created", { object: "session", id: "sess_1", user_id: "user_1" }, 1_700_000_000_000) as unknown as WebhookEvent;

/** Documents read and written by table, for one delivery. */
async function cost(t: TestBackend, delivery: Delivery) {
  const { result, counts } = await measure(async () => (await post(t, delivery)).status);
  expect(result).toBe(200);
  return counts.byTable;
}

test("an onEvent delivery: 0 read, 2 written (its id, its health record) besides onEvent's own; a redelivery: 1 read, 1 written, no call", async () => {
  const t = setupOnEvent(refs.withOnEvent());
  instrumentSyscalls();
  const delivery = sign(session(), { id: "msg_cost" });
  // The fixture's onEvent writes a profile: the app's own cost.
  expect(await cost(t, delivery)).toEqual({
    handledDeliveries: { read: 0, written: 1 },
    webhookDeliveries: { read: 0, written: 1 },
    profiles: { read: 0, written: 1 },
  });
  expect(await cost(t, delivery)).toEqual({ handledDeliveries: { read: 1, written: 0 }, webhookDeliveries: { read: 0, written: 1 } });
});

test("a synced delivery and an app without onEvent read no remembered id and write none", async () => {
  const t = setupOnEvent(refs.withoutOnEvent());
  instrumentSyscalls();
  const synced = await cost(t, sign(userEvent("user.created", clerkUser("user_1"))));
  expect(synced.handledDeliveries).toBeUndefined();
  for (let i = 0; i < 2; i++) expect(await cost(t, sign(session()))).toEqual({ webhookDeliveries: { read: 0, written: 1 } });
});
