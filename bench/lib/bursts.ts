/**
 * Bursts of concurrent deliveries (issue 21: no hot document): N deliveries about N distinct
 * objects that Clerk may send at once, each run through both implementations with its
 * transactions recorded (instrument.ts), and the pairs that would conflict under Convex's rule
 * counted (conflicts.ts). The shapes:
 * - `user.created` of N new users, and `user.updated` of N existing users;
 * - `organizationMembership.created` of N users joining one organization: each event embeds the
 *   organization as Clerk has it then, its `members_count` one higher each time and its
 *   `updated_at` unchanged (Clerk counts members without a new version of the organization);
 * - `subscriptionItem.active` of N items of N distinct payers (users the stream does not sync).
 * Every delivery of the package also records its own webhook health (`webhookDeliveries`).
 * A burst is run once at its largest size; a smaller burst is its first deliveries.
 */
import * as kit from "convex-clerk-users/test";
import type { WebhookEvent } from "@clerk/backend";
import { clerkMembership, clerkOrganization, clerkUser, membershipEvent, organizationEvent, sign, userEvent } from "../../test/fixtures/clerk.js";
import type { Backend, Implementation } from "./backends.js";
import { countConflicts, indexFieldsOf, type Conflicts } from "./conflicts.js";
import { measure, type Transaction } from "./instrument.js";
import { BENCH_PLANS, itemJSON } from "./stream/billing.js";

const T = 1_710_000_000_000;
const SECOND = 1000;

export type BurstShape = {
  name: string;
  /**
   * A control: deliveries about one object, which must conflict pairwise in the model (every pair),
   * for the implementations named (the baseline ignores organizations): it fails if the
   * instrument stops recording reads or writes, so a 0 elsewhere cannot come from a blind model.
   */
  control?: { hot: readonly string[] };
  /** Deliveries sent before the burst, not counted. */
  setup(n: number): WebhookEvent[];
  /** The burst's `n` deliveries. */
  burst(n: number): WebhookEvent[];
};

const userId = (i: number) => `user_burst_${i}`;
const ORG = "org_burst_0";
const org = (membersCount: number) => clerkOrganization(ORG, { members_count: membersCount, created_at: T, updated_at: T });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export const BURSTS: readonly BurstShape[] = [
  {
    name: "control: user.updated, N versions of one user (each reads and patches its row)",
    control: { hot: ["convex-clerk-users", "baseline"] },
    setup: () => [userEvent("user.created", clerkUser(userId(0), { created_at: T, updated_at: T }))],
    burst: (n) =>
      range(n).map((i) => userEvent("user.updated", clerkUser(userId(0), { first_name: `Grace ${i}`, created_at: T, updated_at: T + (i + 1) * SECOND }))),
  },
  {
    name: "control: organizationMembership.created, N users joining, each with a newer organization version",
    control: { hot: ["convex-clerk-users"] },
    setup: () => [organizationEvent("organization.created", org(1))],
    burst: (n) =>
      range(n).map((i) =>
        membershipEvent(
          "organizationMembership.created",
          clerkMembership(`orgmem_burst_${i}`, ORG, userId(i), {
            organization: clerkOrganization(ORG, { members_count: i + 2, created_at: T, updated_at: T + (i + 1) * SECOND }),
            created_at: T + (i + 1) * SECOND,
            updated_at: T + (i + 1) * SECOND,
          }),
        ),
      ),
  },
  {
    name: "user.created, N distinct users",
    setup: () => [],
    burst: (n) => range(n).map((i) => userEvent("user.created", clerkUser(userId(i), { created_at: T, updated_at: T }))),
  },
  {
    name: "user.updated, N distinct users",
    setup: (n) => range(n).map((i) => userEvent("user.created", clerkUser(userId(i), { created_at: T, updated_at: T }))),
    burst: (n) =>
      range(n).map((i) => userEvent("user.updated", clerkUser(userId(i), { first_name: "Grace", created_at: T, updated_at: T + (i + 1) * SECOND }))),
  },
  {
    name: "organizationMembership.created, N users joining one organization",
    setup: () => [organizationEvent("organization.created", org(1))],
    burst: (n) =>
      range(n).map((i) =>
        membershipEvent(
          "organizationMembership.created",
          clerkMembership(`orgmem_burst_${i}`, ORG, userId(i), {
            organization: org(i + 2),
            created_at: T + (i + 1) * SECOND,
            updated_at: T + (i + 1) * SECOND,
          }),
        ),
      ),
  },
  {
    name: "subscriptionItem.active, N items of distinct payers",
    setup: () => [],
    burst: (n) =>
      range(n).map((i) => {
        const at = T + (i + 1) * SECOND;
        const item = {
          id: `csitem_burst_${i}`,
          plan: BENCH_PLANS[1],
          status: "active",
          createdAt: at,
          updatedAt: at,
          periodStart: at,
          periodEnd: at + 30 * 86_400_000,
        };
        const payer = { payerId: `cpayer_burst_${i}`, userId: `user_payer_${i}`, orgId: "", email: `payer${i}@example.com`, name: "" };
        return kit.clerkEvent("subscriptionItem.active", itemJSON(item, payer, `csub_burst_${i}`), at) as unknown as WebhookEvent;
      }),
  },
];

export type BurstRun = {
  impl: Implementation;
  /** Each delivery's transactions, in the burst's order. */
  transactions: Transaction[][];
  /** Documents the burst wrote, by table (the hot document would show as one table written N times). */
  written: Map<string, number>;
  non200: number;
  /** Conflicting pairs among the first `size` deliveries, by size. */
  bySize: Map<number, Conflicts>;
};

/** A shape's burst at its largest size through `impl`, counted at every size. */
export async function runBurst(shape: BurstShape, impl: Implementation, sizes: readonly number[]): Promise<BurstRun> {
  const n = Math.max(...sizes);
  const backend = impl.create();
  for (const event of shape.setup(n)) await send(backend, event);
  const transactions: Transaction[][] = [];
  const written = new Map<string, number>();
  let non200 = 0;
  for (const event of shape.burst(n)) {
    const { result: status, transactions: txs } = await measure(() => send(backend, event));
    if (status !== 200) non200++;
    transactions.push(txs);
    for (const w of txs.flatMap((tx) => tx.writes)) written.set(w.table, (written.get(w.table) ?? 0) + 1);
  }
  const fields = indexFieldsOf(impl.schemas);
  const bySize = new Map(sizes.map((size) => [size, countConflicts(transactions, size, fields)]));
  return { impl, transactions, written, non200, bySize };
}

async function send(backend: Backend, event: WebhookEvent) {
  const response = await quiet(() => backend.post(sign(event)));
  await response.arrayBuffer();
  return response.status;
}

/** The baseline logs what it ignores: keep the bench's output to its own lines. */
async function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const saved = console.log;
  console.log = () => {};
  try {
    return await fn();
  } finally {
    console.log = saved;
  }
}
