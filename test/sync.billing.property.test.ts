import fc from "fast-check";
import { createFunctionHandle } from "convex/server";
import { expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import { changesFromBody } from "../src/client/events.js";
import { withLimits } from "../src/component/limits.js";
import { currentPlans } from "../src/shared/billing.js";
import { subscriptionItemFromClerk, type SubscriptionItemFields } from "../src/shared/kinds/subscriptionItem.js";
import { clerkItem, itemEvent, subscriptionEvent, type ItemInput, type TestPayer } from "./fixtures/billingWebhooks";
import { clerkOrganization, clerkUser, deletedEvent, organizationDeletedEvent, organizationEvent, userEvent } from "./fixtures/clerk";
import { copies, history, T0, versionsOf } from "./fixtures/histories";
import { hookCalls, recordingHooksRef, setupRecording, storedBillingRef } from "./fixtures/recording";
import { propertyRuns } from "./fixtures/runs";

// Clerk Billing beside users and organizations (sync.property.test.ts covers those with
// memberships): each payer's subscription items change over time; Clerk sends every version as a
// standalone subscriptionItem.* event and, now and then, the payer's whole subscription
// (subscription.*: its items nested, each at its latest version by then). Users and organizations
// may be deleted. Whatever the order and the repeats, the items end at Clerk's latest state (a
// deleted payer's gone), and onPlansChanged fires exactly when a payer's current plans change, in
// the order applied: a delivery fires it for the payers whose plans it changed and no others.

const USERS = ["user_a", "user_b"];
const ORGS = ["org_x"];
const PAYERS: { payer: TestPayer; parent: "user" | "organization"; id: string }[] = [
  ...USERS.map((id) => ({ payer: { userId: id }, parent: "user" as const, id })),
  ...ORGS.map((id) => ({ payer: { orgId: id }, parent: "organization" as const, id })),
];
const STATUSES = ["active", "canceled", "past_due", "ended", "upcoming", "abandoned"] as const;
/** The standalone event Clerk names for a status (the type is only a hint: the payload's status is the state). */
const EVENT_OF: Record<(typeof STATUSES)[number], string> = {
  active: "active",
  canceled: "canceled",
  past_due: "pastDue",
  ended: "ended",
  upcoming: "upcoming",
  abandoned: "abandoned",
};

/** One item of a payer: its plan, and the statuses it goes through. */
const itemHistory = fc.record({
  plan: fc.constantFrom("free", "pro", "team"),
  versions: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 40 }), fields: fc.constantFrom(...STATUSES), copies }), { minLength: 1, maxLength: 4 }),
});
const payerHistory = fc.record({
  /** The payer's own object (user or organization): created, maybe deleted. */
  self: history(fc.constant({})),
  items: fc.array(itemHistory, { minLength: 0, maxLength: 3 }),
  /** When Clerk sends the whole subscription, as offsets past T0, and how often each. */
  snapshots: fc.array(fc.record({ at: fc.integer({ min: 1, max: 160 }), copies }), { maxLength: 3 }),
});
const worlds = fc.array(payerHistory, { minLength: PAYERS.length, maxLength: PAYERS.length });
type World = typeof worlds extends fc.Arbitrary<infer W> ? W : never;

/** Clerk's histories, every delivery shuffled, and the cascade's batch: a payer's deletion may remove its items over several transactions. */
const scenario = fc.record({ world: worlds, cascadeBatch: fc.constantFrom(1, 2, 500) }).chain(({ world, cascadeBatch }) => {
  const events = eventsOf(world);
  return fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }).map((arrivals) => ({ world, arrivals, cascadeBatch }));
});

const itemId = (payer: number, item: number) => `csub_item_${PAYERS[payer]!.id}_${item}`;

/** The item's versions, as Clerk's item JSON's input. */
function itemVersions(world: World, payer: number, item: number): ItemInput[] {
  const h = world[payer]!.items[item]!;
  return versionsOf(h).map(({ at, fields: status }) => ({ id: itemId(payer, item), payer: PAYERS[payer]!.payer, status, plan: h.plan, updated_at: at }));
}

function eventsOf(world: World): object[] {
  const events: object[] = [];
  const repeat = (n: number, event: object) => {
    for (let c = 0; c < n; c++) events.push(event);
  };
  world.forEach((h, p) => {
    const { parent, id, payer } = PAYERS[p]!;
    versionsOf(h.self).forEach(({ at }, v) =>
      repeat(
        h.self.versions[v]!.copies,
        parent === "user"
          ? userEvent(v === 0 ? "user.created" : "user.updated", clerkUser(id, { updated_at: at }))
          : organizationEvent(v === 0 ? "organization.created" : "organization.updated", clerkOrganization(id, { updated_at: at })),
      ),
    );
    if (h.self.deletion) repeat(h.self.deletion, parent === "user" ? deletedEvent(id) : organizationDeletedEvent(id));
    h.items.forEach((item, i) =>
      itemVersions(world, p, i).forEach((version, v) =>
        repeat(item.versions[v]!.copies, itemEvent(EVENT_OF[version.status as keyof typeof EVENT_OF], version)),
      ),
    );
    for (const snapshot of h.snapshots) {
      const at = T0 + snapshot.at;
      // Each item as Clerk had it then: its latest version by `at`, if it existed.
      const items = h.items.flatMap((_, i) =>
        itemVersions(world, p, i)
          .filter((version) => version.updated_at <= at)
          .slice(-1),
      );
      if (items.length > 0) repeat(snapshot.copies, subscriptionEvent("updated", payer, items, at));
    }
  });
  return events;
}

/** Clerk's items after every event: each at its latest version, a deleted payer's none. */
function clerkItems(world: World): SubscriptionItemFields[] {
  return world.flatMap((h, p) => (h.self.deletion ? [] : h.items.map((_, i) => subscriptionItemFromClerk(clerkItem(itemVersions(world, p, i).at(-1)!))!)));
}

/** Every item stored and every tombstone, through the recording app's test-only component query. */
const storedBilling = (t: ReturnType<typeof setupRecording>) =>
  t.query((components.clerkUsers as unknown as { testOnly: { storedBilling: typeof storedBillingRef } }).testOnly.storedBilling, {});

/** The current plans of each payer as the app sees them: none once the payer is deleted. */
async function plansByPayer(t: ReturnType<typeof setupRecording>) {
  const { items, tombstones } = await storedBilling(t);
  return PAYERS.map(({ parent, id }) => {
    if (tombstones.some((tombstone) => tombstone.kind === parent && tombstone.clerkId === id)) return [];
    return currentPlans(items.filter((item) => item.userId === id || item.orgId === id));
  });
}

const payerName = (payer: Record<string, unknown>) => String(payer.userId ?? payer.orgId);
const byId = <T extends { clerkId: string }>(rows: T[]) => [...rows].sort((a, b) => a.clerkId.localeCompare(b.clerkId));

test("any order and any repeats of billing events converge to Clerk's items, and onPlansChanged fires exactly when a payer's plans change", async () => {
  await fc.assert(
    fc.asyncProperty(scenario, ({ world, arrivals, cascadeBatch }) =>
      withLimits({ cascadeBatch }, async () => {
        const t = setupRecording();
        const hooks = await t.run(() => createFunctionHandle(recordingHooksRef));
        const deliver = async (event: object) => {
          const parsed = changesFromBody(JSON.stringify(event), Date.now());
          if (!("changes" in parsed)) throw new Error(`not applied: ${JSON.stringify(parsed)}`);
          await t.mutation(components.clerkUsers.sync.applyEvent, { changes: parsed.changes, hooks });
          // The rest of a cascade, in its own transactions, before the next delivery.
          await t.finishAllScheduledFunctions(() => {});
        };
        const plansChanged = () =>
          hookCalls
            .filter(({ hook }) => hook === "onPlansChanged")
            .map(({ args }) => args as { payer: Record<string, unknown>; before: string[]; after: string[] });

        // Delivery by delivery: it fires for exactly the payers whose current plans it changed, with what they were and are.
        let plans = await plansByPayer(t);
        for (const event of arrivals) {
          const fired = plansChanged().length;
          await deliver(event);
          const now = await plansByPayer(t);
          const expected = PAYERS.flatMap(({ id }, p) =>
            JSON.stringify(plans[p]) === JSON.stringify(now[p]) ? [] : [{ payer: id, before: plans[p], after: now[p] }],
          );
          expect(
            plansChanged()
              .slice(fired)
              .map(({ payer, before, after }) => ({ payer: payerName(payer), before, after })),
          ).toEqual(expected);
          plans = now;
        }

        // The items are Clerk's latest (a deleted payer's are gone).
        const { items } = await storedBilling(t);
        expect(byId(items.map(({ _id, _creationTime, ...row }) => row))).toStrictEqual(byId(clerkItems(world)));

        // Per payer, the changes announced chain from no plans to Clerk's final plans, with no step that changes nothing.
        PAYERS.forEach(({ id }, p) => {
          const steps = plansChanged().filter(({ payer }) => payerName(payer) === id);
          let at: string[] = [];
          for (const { before, after } of steps) {
            expect(before).toEqual(at);
            expect(after).not.toEqual(before);
            at = after;
          }
          const final = world[p]!.self.deletion ? [] : currentPlans(clerkItems(world).filter((item) => item.userId === id || item.orgId === id));
          expect(at).toEqual(final);
        });

        // Every delivery once more, as Svix retries: no hook fires.
        const fired = hookCalls.length;
        for (const event of arrivals) await deliver(event);
        expect(hookCalls.slice(fired)).toEqual([]);
      }),
    ),
    { numRuns: propertyRuns(100) },
  );
}, 600_000);
