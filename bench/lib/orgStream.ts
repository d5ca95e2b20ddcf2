/**
 * The stream of organization and membership deliveries both implementations receive, beside the
 * users' (stream.ts), arranged in the same orders by the same function (`arrange`). Every
 * organization is created and updated a few times, 10% are deleted at the end of their history
 * (Clerk sends no membership event for that: the receiver removes the memberships); every
 * membership is created and updated several times (role and metadata changes), 15% leave, and
 * half of those rejoin (a new membership id for the same user and organization). Each membership
 * event embeds its organization as Clerk had it when the event was emitted. 10% of deliveries are
 * Svix retries. Seeded, so every run sends the same streams.
 */
import type { OrganizationJSON, OrganizationMembershipJSON, WebhookEvent } from "@clerk/backend";
import { createdLater } from "../../src/component/ordering.js";
import { clerkMembership, clerkOrganization, membershipEvent, organizationDeletedEvent, organizationEvent } from "../../test/fixtures/clerk.js";
import { arrange, random, type FloorCost, type StreamOrder } from "./stream.js";

export type OrgEventKind =
  | "organization.created"
  | "organization.updated"
  | "organization.deleted"
  | "organizationMembership.created"
  | "organizationMembership.updated"
  | "organizationMembership.deleted";

export const ORG_EVENT_KINDS: readonly OrgEventKind[] = [
  "organizationMembership.created",
  "organizationMembership.updated",
  "organizationMembership.deleted",
  "organization.created",
  "organization.updated",
  "organization.deleted",
];

export const isMembershipEvent = (kind: string) => kind.startsWith("organizationMembership.");

/** What one delivery asks for, object by object, in the order a receiver applies it. */
export type Part =
  | { kind: "organization"; op: "upsert"; clerkId: string; updatedAt: number }
  | { kind: "organization"; op: "delete"; clerkId: string }
  | { kind: "membership"; op: "upsert" | "delete"; clerkId: string; orgId: string; userId: string; createdAt: number; updatedAt: number };

export type OrgStreamEvent = {
  kind: OrgEventKind;
  /** When Clerk emitted it (ms). */
  at: number;
  svixId: string;
  duplicate: boolean;
  event: WebhookEvent;
  /** A membership event: its embedded organization, then the membership. */
  parts: Part[];
};

export type OrgStream = {
  events: OrgStreamEvent[];
  /** Clerk's latest state per organization: its newest version, or "deleted". */
  organizations: Map<string, OrganizationJSON | "deleted">;
  /** Clerk's latest state per membership id: its newest version, or "deleted" (left, or its organization deleted). */
  memberships: Map<string, OrganizationMembershipJSON | "deleted">;
  /** The organization of each membership id. */
  membershipOrgs: Map<string, string>;
};

const FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken"];
const TEAMS = ["platform", "growth", "billing", "support"];
const PLANS = ["free", "pro", "enterprise"];
const MEMBER = { role: "org:member", permissions: ["org:sys_memberships:read"] };
const ADMIN = { role: "org:admin", permissions: ["org:sys_memberships:read", "org:sys_memberships:manage", "org:sys_profile:manage"] };
const HOUR = 3_600_000;

/**
 * `total` deliveries: 10% retries; `total / 100` organizations (at least 2), each created and
 * updated 3 times, 10% of them (at least 1) deleted; the rest membership events, about 6 per
 * membership.
 */
export function makeOrgStream(total: number, order: StreamOrder = "adversarial", seed = 2): OrgStream {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  const later = (at: number, span = HOUR) => at + 1 + Math.floor(rand() * span);
  const duplicates = Math.round(total * 0.1);
  const orgCount = Math.max(2, Math.round(total / 100));
  const orgDeletes = Math.max(1, Math.round(orgCount * 0.1));
  const orgUpdates = 3;
  const membershipEvents = total - duplicates - orgCount * (1 + orgUpdates) - orgDeletes;
  const seats = Math.round(membershipEvents / 6);
  const leavers = Math.round(seats * 0.15);
  const rejoiners = Math.round(leavers / 2);
  // Each seat's first membership is created; leavers' are deleted; a rejoiner's second is created and updated once.
  const updates = membershipEvents - seats - leavers - 2 * rejoiners;
  if (updates < seats) throw new Error(`makeOrgStream: ${total} events are too few for ${seats} memberships`);
  const updatesPer = new Array<number>(seats).fill(1);
  for (let i = seats; i < updates; i++) updatesPer[Math.floor(rand() * seats)]!++;

  const unique: OrgStreamEvent[] = [];
  const organizations = new Map<string, OrganizationJSON | "deleted">();
  const memberships = new Map<string, OrganizationMembershipJSON | "deleted">();
  const membershipOrgs = new Map<string, string>();
  let messages = 0;
  const add = (kind: OrgEventKind, at: number, event: WebhookEvent, parts: Part[]) =>
    unique.push({ kind, at, svixId: `msg_orgbench_${++messages}`, duplicate: false, event, parts });

  // Organizations' versions first: a membership event embeds the one current when it was emitted.
  const versions = new Map<string, OrganizationJSON[]>();
  const orgIds: string[] = [];
  for (let o = 0; o < orgCount; o++) {
    const orgId = `org_bench_${String(o).padStart(3, "0")}`;
    orgIds.push(orgId);
    const createdAt = 1_700_000_000_000 + o * 60_000;
    let updatedAt = createdAt;
    const history: OrganizationJSON[] = [];
    for (let n = 0; n <= orgUpdates; n++) {
      if (n > 0) updatedAt = later(updatedAt, 2 * HOUR);
      history.push(
        clerkOrganization(orgId, {
          name: n === 0 ? `Org ${o}` : `Org ${o} (${pick(PLANS)})`,
          slug: `org-${o}`,
          members_count: 1 + Math.floor(rand() * 50),
          public_metadata: n === 0 ? {} : { plan: pick(PLANS) },
          created_by: `user_bench_m${o}`,
          created_at: createdAt,
          updated_at: updatedAt,
        }),
      );
    }
    versions.set(orgId, history);
    for (const [n, org] of history.entries()) {
      add(
        n === 0 ? "organization.created" : "organization.updated",
        org.updated_at,
        organizationEvent(n === 0 ? "organization.created" : "organization.updated", org),
        [{ kind: "organization", op: "upsert", clerkId: orgId, updatedAt: org.updated_at }],
      );
    }
    organizations.set(orgId, history.at(-1)!);
  }
  const orgAt = (orgId: string, at: number) => {
    const history = versions.get(orgId)!;
    return history.filter((org) => org.updated_at <= at).at(-1) ?? history[0]!;
  };
  const lastAt = new Map(orgIds.map((id) => [id, versions.get(id)!.at(-1)!.updated_at]));

  const membershipHistory = (membershipId: string, orgId: string, userId: string, createdAt: number, count: number, leaves: boolean) => {
    let updatedAt = createdAt;
    let json: OrganizationMembershipJSON | undefined;
    for (let n = 0; n <= count; n++) {
      if (n > 0) updatedAt = later(updatedAt);
      json = clerkMembership(membershipId, orgId, userId, {
        ...(n === 0 || rand() < 0.6 ? MEMBER : ADMIN),
        public_metadata: n === 0 ? {} : { team: pick(TEAMS) },
        created_at: createdAt,
        updated_at: updatedAt,
        organization: orgAt(orgId, updatedAt),
        public_user_data: { identifier: `${userId}@example.com`, first_name: pick(FIRST_NAMES), last_name: n % 3 === 2 ? null : "Lovelace" },
      });
      const kind = n === 0 ? "organizationMembership.created" : "organizationMembership.updated";
      add(kind, updatedAt, membershipEvent(kind, json), parts(json));
    }
    memberships.set(membershipId, json!);
    membershipOrgs.set(membershipId, orgId);
    if (leaves) {
      updatedAt = later(updatedAt);
      const gone = { ...json!, updated_at: updatedAt, organization: orgAt(orgId, updatedAt) };
      add("organizationMembership.deleted", updatedAt, membershipEvent("organizationMembership.deleted", gone), parts(gone, "delete"));
      memberships.set(membershipId, "deleted");
    }
    lastAt.set(orgId, Math.max(lastAt.get(orgId)!, updatedAt));
    return updatedAt;
  };

  for (let s = 0; s < seats; s++) {
    const orgId = orgIds[s % orgCount]!;
    const userId = `user_bench_m${String(s).padStart(4, "0")}`;
    const createdAt = later(versions.get(orgId)![0]!.created_at);
    const left = membershipHistory(`orgmem_bench_${s}`, orgId, userId, createdAt, updatesPer[s]!, s < leavers);
    if (s < rejoiners) membershipHistory(`orgmem_bench_${s}_rejoined`, orgId, userId, later(left), 1, false);
  }
  // The last organizations are deleted once their history is over.
  for (const orgId of orgIds.slice(orgCount - orgDeletes)) {
    const at = later(lastAt.get(orgId)!);
    add("organization.deleted", at, organizationDeletedEvent(orgId), [{ kind: "organization", op: "delete", clerkId: orgId }]);
    organizations.set(orgId, "deleted");
    for (const [id, m] of memberships) if (m !== "deleted" && m.organization.id === orgId) memberships.set(id, "deleted");
  }
  return { events: arrange(unique, duplicates, order, rand), organizations, memberships, membershipOrgs };
}

function parts(json: OrganizationMembershipJSON, op: "upsert" | "delete" = "upsert"): Part[] {
  return [
    { kind: "organization", op: "upsert", clerkId: json.organization.id, updatedAt: json.organization.updated_at },
    {
      kind: "membership",
      op,
      clerkId: json.id,
      orgId: json.organization.id,
      userId: json.public_user_data.user_id,
      createdAt: json.created_at,
      updatedAt: json.updated_at,
    },
  ];
}

/**
 * The floor for this stream, under the users' accounting (`floorCosts` in stream.ts): an oracle
 * that knows every version's order and keeps what the package promises, one live membership per
 * user and organization (of two, the one Clerk created later). Per part of a delivery:
 * - an organization or membership version that is news: 2 reads and 1 write if the row exists,
 *   1 write if not; one that is not news costs nothing (the oracle knows);
 * - a membership whose pair holds one created earlier also removes that one (2 reads, 1 write);
 *   one whose pair holds one created later, or whose organization is deleted, is not news;
 * - an organization's deletion: 2 reads and 1 write for its row, and as much for each stored
 *   membership of it; a membership's deletion: 2 reads and 1 write if stored, nothing if not.
 * A delivery none of whose parts is news costs the 1 read that tells it so.
 */
export function floorOrgCosts(stream: OrgStream): FloorCost[] {
  type OrgState = { stored: boolean; deleted: boolean; version: number };
  type MemberState = { stored: boolean; gone: boolean; version: number; orgId: string; pair: string; createdAt: number; clerkId: string };
  const orgs = new Map<string, OrgState>();
  const members = new Map<string, MemberState>();
  /** The stored membership of each `orgId|userId`. */
  const pairs = new Map<string, MemberState>();
  const org = (id: string) => orgs.get(id) ?? orgs.set(id, { stored: false, deleted: false, version: -Infinity }).get(id)!;
  const change = (cost: FloorCost, stored: boolean) => {
    cost.reads += stored ? 2 : 0;
    cost.writes += 1;
  };
  const unstore = (m: MemberState) => {
    m.stored = false;
    m.gone = true;
    if (pairs.get(m.pair) === m) pairs.delete(m.pair);
  };
  return stream.events.map((event) => {
    const cost: FloorCost = { reads: 0, writes: 0 };
    let news = false;
    for (const part of event.parts) {
      if (part.kind === "organization") {
        const o = org(part.clerkId);
        if (o.deleted) continue;
        if (part.op === "delete") {
          news = true;
          if (o.stored) change(cost, true);
          for (const m of members.values()) {
            if (m.orgId !== part.clerkId || m.gone) continue;
            if (m.stored) change(cost, true);
            unstore(m);
          }
          Object.assign(o, { stored: false, deleted: true });
        } else if (part.updatedAt > o.version) {
          news = true;
          change(cost, o.stored);
          Object.assign(o, { stored: true, version: part.updatedAt });
        }
        continue;
      }
      const pair = `${part.orgId}|${part.userId}`;
      const m =
        members.get(part.clerkId) ??
        members
          .set(part.clerkId, { stored: false, gone: false, version: -Infinity, orgId: part.orgId, pair, createdAt: part.createdAt, clerkId: part.clerkId })
          .get(part.clerkId)!;
      if (m.gone) continue;
      if (part.op === "delete") {
        news = true;
        if (m.stored) change(cost, true);
        unstore(m);
        continue;
      }
      if (org(part.orgId).deleted || part.updatedAt <= m.version) continue;
      const rival = pairs.get(pair);
      if (rival && rival !== m) {
        if (createdLater(rival, m)) {
          // Superseded: gone in Clerk, nothing to store.
          m.gone = true;
          continue;
        }
        change(cost, true);
        unstore(rival);
      }
      news = true;
      change(cost, m.stored);
      Object.assign(m, { stored: true, version: part.updatedAt });
      pairs.set(pair, m);
    }
    return news ? cost : { reads: 1, writes: 0 };
  });
}
