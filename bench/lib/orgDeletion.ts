/**
 * The deletion of a large organization, through the package's webhook: what each transaction
 * of the cascade costs (src/component/cascades.ts removes `LIMITS.cascadeBatch` memberships per
 * transaction and schedules the rest), and when the helpers stop returning its memberships.
 *
 * The scheduler is driven by hand: while the figure runs, timers are held (a minimal fake
 * clock: convex-test's scheduler sets its timers through `globalThis.setTimeout`), and each
 * scheduled batch is released alone and awaited with `t.finishInProgressScheduledFunctions()`,
 * so every transaction is counted apart. Seeding the memberships is not measured: they are
 * written straight into the component's table, as the webhook would have stored them.
 */
import { LIMITS } from "../../src/component/limits.js";
import { membershipFromClerk } from "../../src/shared/kinds/membership.js";
import { organizationFromClerk } from "../../src/shared/kinds/organization.js";
import { clerkMembership, clerkOrganization, organizationDeletedEvent, sign } from "../../test/fixtures/clerk.js";
import { api as appApi } from "../component-app/convex/_generated/api.js";
import { componentTest, WEBHOOK_PATH } from "./backends.js";
import { measure, totalCalls, type Counts } from "./instrument.js";

/** Removals per transaction, as the component has them. */
export const CASCADE_BATCH = LIMITS.cascadeBatch;

/** What every membership read returns for one member (`whatHelpersSee` in bench/component-app/convex/memberships.ts). */
export type HelpersSee = {
  getMembership: boolean;
  requireMembership: boolean;
  listMyOrganizations: number;
  get: boolean;
  listByOrganization: number;
  listByUser: number;
};

export type OrgDeletion = {
  members: number;
  /** One entry per step: the delete's delivery (the webhook's mutation), then each scheduled batch, released alone. */
  transactions: { counts: Counts; ms: number; rowsLeft: number }[];
  status: number;
  /** The delivery of `organization.deleted`, sent to answered. */
  deliveryMs: number;
  /** Sent to the moment a query of every helper, run right after the answer, returned nothing. */
  helpersEmptyMs: number;
  /** Rows of the organization still in the table when the helpers first returned nothing. */
  rowsWhenHelpersEmpty: number;
  /** Before the delete, for the first and the last member (the last is removed by the last batch). */
  before: HelpersSee[];
  after: HelpersSee[];
  /** Sent to the last batch's end (convex-test runs a scheduled batch as soon as it is released). */
  allRemovedMs: number;
  rowsLeft: number;
};

export async function measureOrgDeletion(members: number): Promise<OrgDeletion> {
  const { t, inComponent } = componentTest();
  const orgId = "org_cascade";
  const userIds = Array.from({ length: members }, (_, i) => `user_cascade_${String(i).padStart(5, "0")}`);
  const organization = clerkOrganization(orgId, { members_count: members, max_allowed_memberships: members });
  await inComponent(async (ctx) => {
    await ctx.db.insert("organizations", organizationFromClerk(organization));
  });
  for (let i = 0; i < members; i += 2000) {
    await inComponent(async (ctx) => {
      for (const [n, userId] of userIds.slice(i, i + 2000).entries()) {
        await ctx.db.insert("memberships", membershipFromClerk(clerkMembership(`orgmem_cascade_${i + n}`, orgId, userId, { organization })));
      }
    });
  }
  const rowsOf = () => inComponent(async (ctx) => (await ctx.db.query("memberships").collect()).filter((m) => m.orgId === orgId).length);
  const see = (userId: string) => t.withIdentity({ subject: userId }).query(appApi.memberships.whatHelpersSee, { orgId }) as Promise<HelpersSee>;
  const probed = [userIds[0]!, userIds.at(-1)!];
  const before = await Promise.all(probed.map(see));

  const clock = holdTimers();
  try {
    const delivery = sign(organizationDeletedEvent(orgId), { id: "msg_cascade_delete" });
    const sent = performance.now();
    const { result: status, counts } = await measure(async () => {
      const response = await t.fetch(WEBHOOK_PATH, { method: "POST", headers: delivery.headers, body: delivery.body });
      await response.arrayBuffer();
      return response.status;
    });
    const answered = performance.now();
    const after = [];
    for (const userId of probed) after.push(await see(userId));
    const helpersEmpty = performance.now();
    const rowsWhenHelpersEmpty = await rowsOf();
    const transactions = [{ counts, ms: answered - sent, rowsLeft: rowsWhenHelpersEmpty }];
    // Each scheduled batch alone: release it, wait for it, count it.
    let busy = 0;
    for (let release = clock.next(); release; release = clock.next()) {
      const start = performance.now();
      const batch = await measure(async () => {
        release!();
        await t.finishInProgressScheduledFunctions();
      });
      const end = performance.now();
      busy += end - start;
      transactions.push({ counts: batch.counts, ms: end - start, rowsLeft: await rowsOf() });
      if (transactions.length > members / CASCADE_BATCH + 10) throw new Error("orgDeletion: the cascade does not end");
    }
    return {
      members,
      transactions,
      status,
      deliveryMs: answered - sent,
      helpersEmptyMs: helpersEmpty - sent,
      rowsWhenHelpersEmpty,
      before,
      after,
      allRemovedMs: answered - sent + busy,
      rowsLeft: await rowsOf(),
    };
  } finally {
    clock.restore();
  }
}

/** Mutations a step ran: its transactions (an action around a batch is not one). */
export const mutationsIn = (counts: Counts) => Object.entries(counts.calls).reduce((n, [kind, calls]) => n + (kind.startsWith("mutation") ? calls : 0), 0);

/** Transactions used: the webhook's, and each scheduled batch's. */
export const transactionsUsed = (d: OrgDeletion) => d.transactions.reduce((n, tx) => n + mutationsIn(tx.counts), 0);

/** Function calls of every kind the deletion ran: the HTTP action, mutations, and any action scheduled around a batch. */
export const callsUsed = (d: OrgDeletion) => d.transactions.reduce((n, tx) => n + totalCalls(tx.counts), 0);

/**
 * Holds every timer set until `restore`: `next()` returns the oldest one due now (set with a
 * delay under a second, as `runAfter(0)` is) to run, or null. Timers set for later (the
 * component's pruning, days ahead) never run.
 */
function holdTimers() {
  const real = globalThis.setTimeout;
  const held: { run: () => void; delay: number }[] = [];
  const fake = (callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
    held.push({ run: () => callback(...args), delay: delay ?? 0 });
    const handle = { ref: () => handle, unref: () => handle, hasRef: () => false, refresh: () => handle, [Symbol.toPrimitive]: () => 0 };
    return handle;
  };
  globalThis.setTimeout = fake as unknown as typeof setTimeout;
  return {
    next(): (() => void) | null {
      const i = held.findIndex((timer) => timer.delay < 1000);
      return i < 0 ? null : held.splice(i, 1)[0]!.run;
    },
    restore() {
      globalThis.setTimeout = real;
    },
  };
}
