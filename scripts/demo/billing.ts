/**
 * The demo's billing scene, on a backend of its own: the example's resync fills users,
 * organizations, memberships and Clerk Billing's plans and items from a local fake of Clerk's
 * Backend API (the plans' features come only from there). Then Acme upgrades to Pro, a renewal
 * fails (past due), Acme cancels (the features stay until the period ends), the period ends, and
 * a late copy of an old version arrives. After each step Bob, whose token's active organization is
 * Initech, asks for Acme's export: `requireBilling` reads Acme's billing from the database, which
 * his token cannot say anything about.
 */
import { isClerkUsersError } from "convex-clerk-users";
import { api, components, internal } from "../../example/convex/_generated/api";
import * as kit from "../../src/testkit/events/index";
import { clerkItem, clerkPlan } from "../../test/fixtures/billing";
import { clerkMembership, clerkOrganization, clerkUser, sign } from "../../test/fixtures/clerk";
import { SECRET_KEY, startFakeClerkApi } from "../../test/fixtures/clerkApi";
import { startBackend } from "./backend";
import { table, type Checks } from "./report";

const T = Date.UTC(2025, 0, 6, 12, 0);
const min = 60_000;
const day = 24 * 60 * min;

const users = [clerkUser("user_alice", { first_name: "Alice" }), clerkUser("user_bob", { first_name: "Bob" })];
const acme = clerkOrganization("org_acme", { name: "Acme", slug: "acme" });
const initech = clerkOrganization("org_initech", { name: "Initech", slug: "initech" });
const memberships = [
  clerkMembership("orgmem_alice", "org_acme", "user_alice", { role: "org:admin", organization: acme }),
  clerkMembership("orgmem_bob", "org_acme", "user_bob", { role: "org:member", organization: acme }),
  clerkMembership("orgmem_bob_i", "org_initech", "user_bob", { role: "org:admin", organization: initech }),
];
// Clerk's plans, as its Backend API lists them: the only place their features are.
const plans = [
  clerkPlan("free_org", { payerType: "org", isDefault: true }),
  clerkPlan("pro", { payerType: "org", fee: 4900, features: ["exports", "dashboard"] }),
];
const FREE_ITEM = "csub_item_acme_free";
const freeItems = [clerkItem(FREE_ITEM, { orgId: "org_acme" }, plans[0]!), clerkItem("csub_item_initech_free", { orgId: "org_initech" }, plans[0]!)];

/** Bob, with Initech active in his token: Acme is not the token's organization. */
const bob = { subject: "user_bob", v: 2, o: { id: "org_initech", rol: "admin", slg: "initech" } };

// ---- Clerk's deliveries, built with the test kit ----------------------------------------------

const payer = kit.organizationPayer(acme);
const proPlan = kit.clerkPlan({ slug: "pro", name: "Pro", amount: 4900 });
const free = kit.clerkSubscriptionItem({ payer, id: FREE_ITEM, plan: kit.freePlan(payer), created_at: T - day, updated_at: T - day });
const pro = kit.clerkSubscriptionItem({ payer, id: "csub_item_acme_pro", plan: proPlan, seats: { quantity: 10 }, created_at: T, period_start: T });
const upgrade = kit.subscriptionUpdated(kit.clerkSubscription({ payer, items: [free] }), {
  items: [{ ...free, status: "ended", updated_at: T }, pro],
});
const periodEnd = pro.period_end!;
const renewalFails = kit.subscriptionItemPastDue(pro, { updated_at: periodEnd + 5 * min });
const charged = kit.paymentAttemptCreated({ payer, items: [pro], charge_type: "recurring", updated_at: periodEnd });
const declined = kit.paymentAttemptUpdated(charged.data, { status: "failed", updated_at: periodEnd + 5 * min });
const renewed = kit.subscriptionItemActive(renewalFails.data, { updated_at: periodEnd + day, period_start: periodEnd, period_end: periodEnd + 30 * day });
const canceled = kit.subscriptionItemCanceled(renewed.data, { updated_at: periodEnd + 2 * day });
const freeUpcoming = kit.subscriptionItemUpcoming({ ...free, payer, subscription_id: pro.subscription_id }, { updated_at: periodEnd + 2 * day });
const ended = kit.subscriptionItemEnded(canceled.data, { updated_at: periodEnd + 31 * day });
const freeAgain = kit.subscriptionItemActive(freeUpcoming.data, { updated_at: periodEnd + 31 * day });
const lateCopy = kit.subscriptionItemActive(pro, { updated_at: T + min });

type Step = { what: string; events: object[]; expected: { plans: string[]; pastDue: boolean; cancelsAtPeriodEnd: boolean; bobExports: string } };
const steps: Step[] = [
  { what: "Acme upgrades: the free item ends, Pro is active", events: [upgrade], expected: expected(["pro"], false, false, "allowed") },
  {
    what: "the renewal's payment fails: past due, still Pro",
    events: [charged, declined, renewalFails],
    expected: expected(["pro"], true, false, "allowed"),
  },
  { what: "Clerk retries and the renewal is paid", events: [renewed], expected: expected(["pro"], false, false, "allowed") },
  {
    what: "Acme cancels: Pro stays until the period ends, free is upcoming",
    events: [canceled, freeUpcoming],
    expected: expected(["pro"], false, true, "allowed"),
  },
  { what: "the period ends: back on the free plan", events: [ended, freeAgain], expected: expected(["free_org"], false, false, "FORBIDDEN") },
  {
    what: "a late copy of Pro's first version arrives: stale",
    events: [lateCopy],
    expected: expected(["free_org"], false, false, "FORBIDDEN"),
  },
];

function expected(plans: string[], pastDue: boolean, cancelsAtPeriodEnd: boolean, bobExports: string) {
  return { plans, pastDue, cancelsAtPeriodEnd, bobExports };
}

export async function billingScene(checks: Checks, secret: string) {
  const t = startBackend();
  const clerk = await startFakeClerkApi({ users, organizations: [acme, initech], memberships, plans, subscriptionItems: freeItems });
  process.env.CLERK_SECRET_KEY = SECRET_KEY;
  process.env.CLERK_API_URL = clerk.url;
  try {
    // Bob asks for Acme's export: he is a member of Acme, and Acme's plan must have `exports`.
    const exportsFor = async () => {
      try {
        await t.withIdentity(bob).query(api.billing.exportProjects, { orgId: "org_acme" });
        return "allowed";
      } catch (error) {
        return isClerkUsersError(error) ? error.data.code : `crashed: ${String(error)}`;
      }
    };

    const run = await t.action(internal.clerk.resync, {});
    checks.expect(
      "billing resync",
      { state: run.state, plans: run.counts.plan?.created, items: run.counts.subscriptionItem?.created },
      { state: "completed", plans: 2, items: 2 },
    );
    const synced = await t.query(components.clerkUsers.billing.plans, {});
    checks.expect(
      "synced plans and their features",
      synced.map(({ slug, features }) => [slug, features]),
      [
        ["free_org", []],
        ["pro", ["exports", "dashboard"]],
      ],
    );
    checks.expect("Bob's export of Acme on the free plan", await exportsFor(), "FORBIDDEN");

    const rows = [["step", "outcomes", "Acme's plans", "past due", "cancels at period end", "Bob exports Acme"]];
    for (const [i, step] of steps.entries()) {
      const outcomes: string[] = [];
      for (const [j, event] of step.events.entries()) {
        const signed = sign(event, { id: `msg_billing_${i}_${j}`, secret });
        const res = await t.fetch("/clerk-users-webhook", { method: "POST", headers: signed.headers, body: signed.body });
        outcomes.push(`${res.status} ${((await res.json()) as { outcome?: string }).outcome ?? ""}`.trim());
      }
      const billing = await t.query(internal.billing.of, { orgId: "org_acme" });
      const actual = {
        plans: billing?.plans ?? [],
        pastDue: billing?.pastDue ?? false,
        cancelsAtPeriodEnd: billing?.cancelsAtPeriodEnd ?? false,
        bobExports: await exportsFor(),
      };
      checks.expect(`billing step ${i + 1}: ${step.what}`, actual, step.expected);
      rows.push([
        `${i + 1}. ${step.what}`,
        outcomes.join(", "),
        actual.plans.join(", "),
        `${actual.pastDue}`,
        `${actual.cancelsAtPeriodEnd}`,
        actual.bobExports,
      ]);
    }
    table("Clerk Billing: Acme's plan, read from the database (Bob's token has Initech active)", rows);

    const payments = await t.query(components.clerkUsers.billing.payments, { orgId: "org_acme", paginationOpts: { numItems: 5, cursor: null } });
    checks.expect(
      "Acme's payment attempts",
      payments.page.map(({ status, failedReason }) => [status, failedReason]),
      [["failed", "card_declined"]],
    );
    const mine = await t.withIdentity(bob).query(api.billing.mine, {});
    checks.expect("Bob's own billing context (his active organization, Initech)", mine?.plans, ["free_org"]);
  } finally {
    delete process.env.CLERK_SECRET_KEY;
    delete process.env.CLERK_API_URL;
    await clerk.close();
  }
}
