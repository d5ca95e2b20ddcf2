import { convexTest } from "convex-test";
import { HANDLED_EVENTS } from "convex-clerk-users";
import {
  clerkUser,
  deliver,
  membershipCreated,
  membershipDeleted,
  membershipUpdated,
  organizationCreated,
  organizationDeleted,
  organizationUpdated,
  register,
  setTestWebhookSecret,
  TEST_WEBHOOK_SECRET,
  userCreated,
  userDeleted,
  userUpdated,
} from "convex-clerk-users/test";
import { expect, test } from "vitest";
import { components } from "../example/convex/_generated/api";
import schema from "../example/convex/schema";
import { captureLogs } from "./fixtures/logs";
import { tables } from "./fixtures/tables";
import { appModules } from "./setup";

const logs = captureLogs();

function backend() {
  setTestWebhookSecret();
  const t = convexTest(schema, appModules);
  register(t);
  return t;
}

test("a builder for every handled event, each applied by the webhook (not ignored, not refused)", async () => {
  const t = backend();
  const ada = userCreated({ email: "Ada@Example.com" });
  const renamed = userUpdated(ada.data, { first_name: "Augusta" });
  const grace = userCreated();
  const acme = organizationCreated({ name: "Acme", created_by: ada.data.id });
  const acmeInc = organizationUpdated(acme.data, { name: "Acme Inc" });
  const joined = membershipCreated({ organization: acmeInc.data, user: renamed.data, role: "org:admin" });
  const demoted = membershipUpdated(joined.data, { role: "org:member" });
  const graceJoined = membershipCreated({ organization: acmeInc.data, user: grace.data });
  const events = [ada, renamed, grace, acme, acmeInc, joined, demoted, graceJoined];
  expect(await deliver(t, events)).toEqual(events.map(() => 200));

  const before = await tables(t);
  expect(before.users.find((u) => u.clerkId === ada.data.id)).toMatchObject({ firstName: "Augusta", email: "ada@example.com", emailVerified: true });
  expect(before.organizations).toMatchObject([{ clerkId: acme.data.id, name: "Acme Inc", slug: "acme" }]);
  expect(before.memberships.find((m) => m.userId === ada.data.id)).toMatchObject({ clerkId: joined.data.id, role: "org:member" });

  const deletions = [membershipDeleted(graceJoined.data), userDeleted(ada.data), organizationDeleted(acme.data)];
  expect(await deliver(t, deletions, { seed: 2 })).toEqual([200, 200, 200]);
  const after = await tables(t);
  expect(after.users.map((u) => u.clerkId)).toEqual([grace.data.id]);
  expect(after.organizations).toEqual([]);

  const all = [...events, ...deletions];
  expect(new Set(all.map((e) => e.type))).toEqual(new Set(HANDLED_EVENTS));
  const health = await t.query(components.clerkUsers.health.status, {});
  expect(health.lastHour).toMatchObject({ applied: all.length, ignored: 0, stale: 0, duplicate: 0 });
});

test("builders look like Clerk's payloads: Clerk-shaped ids, the primary address found by id, versions that move forward", () => {
  const user = clerkUser();
  expect(user.id).toMatch(/^user_2[0-9A-Za-z]{26}$/);
  expect(user.updated_at).toBe(user.created_at);
  expect(user.email_addresses[0]?.id).not.toBe(user.primary_email_address_id);
  const next = userUpdated(user, { last_name: "Byron" });
  expect(next.data.updated_at).toBeGreaterThan(user.updated_at);
  expect(next.data.created_at).toBe(user.created_at);
  expect(next.timestamp).toBe(next.data.updated_at);
  expect(userDeleted(user).data).toEqual({ object: "user", id: user.id, deleted: true });
  const acme = organizationCreated({ name: "Acme Labs" }).data;
  expect(acme).toMatchObject({ id: expect.stringMatching(/^org_2/), slug: "acme-labs" });
  const joined = membershipCreated({ organization: acme, user, role: "org:admin" }).data;
  expect(joined.id).toMatch(/^orgmem_2/);
  expect(joined.permissions).toContain("org:sys_memberships:manage");
  expect(joined.public_user_data.user_id).toBe(user.id);
});

test("a delivery signed with another secret is refused: deliver signs with the secret the webhook checks", async () => {
  const t = backend();
  expect(await deliver(t, [userCreated()], { secret: "whsec_" + btoa("some-other-endpoint") })).toEqual([401]);
  expect(logs.take(/webhook: 401 Signature verification failed/)).toHaveLength(1);
  expect(await deliver(t, [userCreated()], { secret: TEST_WEBHOOK_SECRET })).toEqual([200]);
});
