import { exportUserData, type UserExport } from "convex-clerk-users";
import { deliver, invitationCreated, membershipCreated, organizationCreated, userDeleted } from "convex-clerk-users/test";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { components } from "../example/convex/_generated/api";
import { withLimits } from "../src/component/limits";
import { KINDS } from "../src/shared/kinds/registry";
import { user } from "../src/shared/kinds/user";
import { PERSONAL_KINDS } from "../src/shared/privacy";
import { captureLogs } from "./fixtures/logs";
import { personLifecycle, privacyBackend, type PrivacyBackend } from "./fixtures/privacy";

// The privacy export: one query answering an access request with every document the component
// holds about one person, and nothing it does not store.

captureLogs();
let t: PrivacyBackend;
beforeEach(() => {
  t = privacyBackend();
});
afterEach(() => {
  vi.useRealTimers();
});

const ok = (statuses: number[]) => expect(statuses.every((status) => status === 200)).toBe(true);
const exportOf = (clerkId: string): Promise<UserExport> => t.run((ctx) => exportUserData(ctx, components.clerkUsers, clerkId));
const ids = (rows: { clerkId: string }[] | undefined) => (rows ?? []).map((row) => row.clerkId).sort();

describe("exportUserData", () => {
  test("holds her user row, her memberships, the billing rows she pays for, and invitations to her address or accepted by her; nobody else's", async () => {
    const life = personLifecycle();
    ok(await deliver(t, life.events));
    const data = await exportOf(life.zenobia.data.id);
    expect(data.clerkId).toBe(life.zenobia.data.id);
    expect(data.user).toMatchObject({ clerkId: life.zenobia.data.id, email: "zenobia.quill@example.org", firstName: "Zenobia" });
    expect(data.deleted).toBe(false);
    expect(data.truncated).toEqual([]);
    expect(Object.keys(data.rows).sort()).toEqual(["invitation", "membership", "paymentAttempt", "subscriptionItem"]);
    expect(data.rows.membership!.map((row) => row.orgId).sort()).toEqual([life.acme.data.id, life.globex.data.id].sort());
    expect(ids(data.rows.subscriptionItem)).toEqual([life.pro.data.id]);
    expect(ids(data.rows.paymentAttempt)).toEqual([life.attempt.data.id]);
    expect(ids(data.rows.invitation)).toEqual([life.toHerAddress.data.id, life.toOldAddress.data.id].sort());
  });

  test("nothing the package does not store appears: no private metadata, no invitation url", async () => {
    const life = personLifecycle();
    ok(await deliver(t, life.events));
    const text = JSON.stringify(await exportOf(life.zenobia.data.id));
    const secrets = [life.zenobia.data.private_metadata, life.toHerAddress.data.private_metadata, life.toHerAddress.data.url, life.toOldAddress.data.url];
    for (const secret of secrets) expect(text).not.toContain(typeof secret === "string" ? secret : Object.values(secret as object)[0]);
    expect(text).not.toMatch(/privateMetadata|unsafeMetadata|"url"/);
  });

  test("its kinds are the registry's: every kind with a user among its parents or addressed to a user, and no other", () => {
    const mine = KINDS.filter((kind) => kind.parents.some((p) => p.kind === user.name) || (kind.addressedTo ?? []).some((to) => to.kind === user.name));
    expect(PERSONAL_KINDS.map((kind) => kind.name)).toEqual(mine.map((kind) => kind.name));
  });

  test("a deleted user: a tombstone says so while nothing is left once the cascade finished; an unknown one has nothing", async () => {
    const life = personLifecycle();
    ok(await deliver(t, [...life.events, userDeleted(life.zenobia.data)]));
    await t.finishAllScheduledFunctions(() => {});
    const gone = await exportOf(life.zenobia.data.id);
    expect(gone).toEqual({
      clerkId: life.zenobia.data.id,
      user: null,
      deleted: true,
      rows: { membership: [], subscriptionItem: [], paymentAttempt: [], invitation: [] },
      truncated: [],
    });
    expect((await exportOf("user_nobody")).deleted).toBe(false);
  });

  test("while the deletion's cascade runs, the rows not removed yet are listed, those addressed to her by email included", () =>
    withLimits({ cascadeBatch: 1 }, async () => {
      vi.useFakeTimers({ now: Date.now() });
      const life = personLifecycle();
      ok(await deliver(t, [...life.events, userDeleted(life.zenobia.data)]));
      const during = await exportOf(life.zenobia.data.id);
      expect(during.deleted).toBe(true);
      expect(ids(during.rows.invitation)).toContain(life.toHerAddress.data.id);
    }));

  test("each kind is bounded: the rows past the bound are cut and the kind is named in truncated", async () => {
    const life = personLifecycle();
    const orgs = Array.from({ length: 3 }, (_, i) => organizationCreated({ name: `Org ${i}` }));
    ok(await deliver(t, [life.zenobia, ...orgs, ...orgs.map((org) => membershipCreated({ organization: org.data, user: life.zenobia.data }))]));
    ok(await deliver(t, [invitationCreated({ organization: orgs[0]!.data, email_address: "zenobia.quill@example.org" })]));
    await withLimits({ exportRowsPerKind: 2 }, async () => {
      const data = await exportOf(life.zenobia.data.id);
      expect(data.rows.membership).toHaveLength(2);
      expect(data.rows.invitation).toHaveLength(1);
      expect(data.truncated).toEqual(["membership"]);
    });
    await withLimits({ exportBytes: 1 }, async () => {
      const data = await exportOf(life.zenobia.data.id);
      expect(data.user).not.toBeNull();
      expect(data.truncated).toEqual(["membership", "invitation"]);
    });
  });
});
