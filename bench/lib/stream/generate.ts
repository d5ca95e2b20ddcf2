/**
 * One generator for every stream of Clerk deliveries the bench sends, over the kinds of the
 * registry (src/shared/kinds): each object of each kind is created, updated several times, some
 * are deleted, some of a kind with a unique key come back under a new id; 10% of deliveries are
 * Svix retries of another one (same message id and body). What an object of a kind looks like
 * is its shape (shapes.ts); everything else (how many, when, in which order, its parents, what
 * Clerk holds last) is the same for every kind.
 */
import type { WebhookEvent } from "@clerk/backend";
import { childrenOf, type AnyKind, type KindName } from "../../../src/shared/kinds/registry.js";
import { sign, type Delivery } from "../../../test/fixtures/clerk.js";
import { arrange, random, type StreamOrder } from "./arrange.js";
import { shapeOf, type StreamDef } from "./shapes.js";

export type StreamEvent = {
  /** The kind the event is about (a membership event: the membership's, though it embeds its organization). */
  kind: KindName;
  /** Clerk's event type, from the kind's `webhook.events`. */
  type: string;
  /** When Clerk emitted it (ms). */
  at: number;
  /** The Svix message id: a retry shares it with the delivery it repeats. */
  svixId: string;
  duplicate: boolean;
  event: WebhookEvent;
};

/** Clerk's latest state of an object: its newest version, or deleted (by its own event, or with a parent). */
export const DELETED = "deleted";
export type Latest = Map<string, unknown>;

export type Stream = {
  kinds: readonly AnyKind[];
  events: StreamEvent[];
  /** Clerk's latest state per kind, per Clerk id: its newest version, or `DELETED`. */
  latest: Map<string, Latest>;
  /** Each object's parents in the stream, by parent kind name: the Clerk id of each. */
  parents: Map<string, Map<string, string>>;
};

const BASE = 1_700_000_000_000;
const HOUR = 3_600_000;

/**
 * `total` deliveries of the kinds of `def`: 10% retries; each kind's objects as many as its
 * population says, with at least one update each. An object with children in the stream (an
 * organization) is deleted once every history is over (the last ones of its kind; Clerk sends no
 * event for its children, which are gone with it); any other at the end of its own history (the
 * first ones of its kind). A child's parent is the next of the parents in turn.
 */
export function makeStream(def: StreamDef, total: number, order: StreamOrder = "adversarial"): Stream {
  const rand = random(def.seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  const later = (at: number, span = HOUR) => at + 1 + Math.floor(rand() * span);
  const duplicates = Math.round(total * 0.1);
  const inStream = new Set<string>(def.kinds.map((kind) => kind.name));
  const hasChildren = (kind: AnyKind) => childrenOf(kind.name).some((child) => inStream.has(child.kind.name));
  // Kinds a script writes (billing: one change moves several objects at once) have no shape.
  const scripted = new Set<string>(def.script?.kinds.map((kind) => kind.name) ?? []);

  // How many objects of each kind, deletions, returns and updates, before any history.
  let left = total - duplicates;
  const plans = def.kinds
    .filter((kind) => !scripted.has(kind.name))
    .map((kind) => {
      const population = shapeOf(kind).population;
      const objects = population.objects(total, left);
      const deleted = population.deleted(objects);
      const rejoined = Math.round(deleted * (population.rejoined ?? 0));
      const fixed = population.updates === "rest" ? 0 : population.updates;
      left -= objects * (1 + fixed) + deleted + 2 * rejoined;
      return { kind, objects, deleted, rejoined, updatesPer: new Array<number>(objects).fill(fixed) };
    });
  for (const plan of plans) {
    if (shapeOf(plan.kind).population.updates !== "rest") continue;
    // Every object gets at least one update; the rest are spread at random.
    if (left < plan.objects) throw new Error(`makeStream: ${total} events are too few for ${plan.objects} ${plan.kind.table}`);
    plan.updatesPer.fill(1);
    for (let i = plan.objects; i < left; i++) plan.updatesPer[Math.floor(rand() * plan.objects)]!++;
  }

  const unique: StreamEvent[] = [];
  const latest = new Map<string, Latest>(def.kinds.map((kind) => [kind.name, new Map()]));
  const parents: Stream["parents"] = new Map();
  /** Every version of every object, oldest first: what a child embeds of its parent at a time. */
  const versions = new Map<string, { at: number; json: unknown }[]>();
  /** The last time anything happened to an object or its children. */
  const lastAt = new Map<string, number>();
  /** The ids of each kind's objects so far (not their returns under a new id): the parents a child is given in turn. */
  const ids = new Map<string, string[]>();
  let messages = 0;
  const add = (kind: AnyKind, action: "created" | "updated" | "deleted", at: number, data: unknown) => {
    const type = eventType(kind, action);
    unique.push({ kind: kind.name, type, at, svixId: `msg_${def.name}_${++messages}`, duplicate: false, event: clerkEvent(type, data) });
  };
  const versionAt = (id: string, at: number) => {
    const history = versions.get(id)!;
    return (history.filter((version) => version.at <= at).at(-1) ?? history[0]!).json;
  };

  for (const { kind, objects, deleted, rejoined, updatesPer } of plans) {
    const shape = shapeOf(kind);
    const ofKind: string[] = [];
    ids.set(kind.name, ofKind);
    const deletedAtEnd = hasChildren(kind);
    const history = (index: number, id: string, mine: Map<string, string>, createdAt: number, updates: number, leaves: boolean) => {
      parents.set(id, mine);
      const parent = (name: string, at: number) => versionAt(mine.get(name)!, at);
      let updatedAt = createdAt;
      let json: unknown;
      versions.set(id, []);
      for (let n = 0; n <= updates; n++) {
        if (n > 0) updatedAt = later(updatedAt, shape.updateSpan);
        json = shape.version({ index, id, n, createdAt, updatedAt, rand, pick, parent: (name) => parent(name, updatedAt) });
        versions.get(id)!.push({ at: updatedAt, json });
        add(kind, n === 0 ? "created" : "updated", updatedAt, json);
      }
      latest.get(kind.name)!.set(id, json);
      if (leaves) {
        updatedAt = later(updatedAt);
        add(kind, "deleted", updatedAt, shape.deleted({ id, last: json, at: updatedAt, parent: (name) => parent(name, updatedAt) }));
        latest.get(kind.name)!.set(id, DELETED);
      }
      lastAt.set(id, updatedAt);
      for (const parentId of mine.values()) lastAt.set(parentId, Math.max(lastAt.get(parentId)!, updatedAt));
      return updatedAt;
    };
    for (let i = 0; i < objects; i++) {
      const mine = new Map<string, string>();
      for (const parent of kind.parents) {
        const candidates = ids.get(parent.kind);
        if (candidates) mine.set(parent.kind, candidates[i % candidates.length]!);
      }
      const first = [...mine.values()][0];
      const createdAt = first === undefined ? BASE + i * 60_000 : later(versions.get(first)![0]!.at);
      const id = shape.id(i, false);
      ofKind.push(id);
      const leftAt = history(i, id, mine, createdAt, updatesPer[i]!, !deletedAtEnd && i < deleted);
      if (i < rejoined) history(i, shape.id(i, true), mine, later(leftAt), 1, false);
    }
  }

  // The scripted kinds' events, with what is left of the stream, after their parents' histories.
  def.script?.run({
    budget: left,
    rand,
    pick,
    idsOf: (name) => (ids.get(name) ?? []).map((id) => ({ id, createdAt: versions.get(id)![0]!.at })),
    emit: (kind, type, at, data) =>
      unique.push({ kind: kind.name, type, at, svixId: `msg_${def.name}_${++messages}`, duplicate: false, event: clerkEvent(type, data) }),
    latest(kind, id, json, at, mine) {
      latest.get(kind.name)!.set(id, json);
      parents.set(id, mine);
      for (const parentId of mine.values()) lastAt.set(parentId, Math.max(lastAt.get(parentId)!, at));
    },
  });

  // Objects with children in the stream: the last ones are deleted once every history is over.
  for (const { kind, objects, deleted } of plans) {
    if (!hasChildren(kind)) continue;
    const shape = shapeOf(kind);
    for (const id of ids.get(kind.name)!.slice(objects - deleted)) {
      const at = later(lastAt.get(id)!);
      const parent = (name: string) => versionAt(parents.get(id)!.get(name)!, at);
      add(kind, "deleted", at, shape.deleted({ id, last: latest.get(kind.name)!.get(id), at, parent }));
      latest.get(kind.name)!.set(id, DELETED);
      for (const child of childrenOf(kind.name)) {
        for (const [childId, state] of latest.get(child.kind.name) ?? []) {
          if (state !== DELETED && parents.get(childId)?.get(kind.name) === id) latest.get(child.kind.name)!.set(childId, DELETED);
        }
      }
    }
  }
  return { kinds: def.kinds, events: arrange(unique, duplicates, order, rand), latest, parents };
}

/** `created`, `updated` or `deleted` of a kind: its webhook event of that name. */
export function eventType(kind: AnyKind, action: "created" | "updated" | "deleted"): string {
  const type = kind.webhook.events.find((event) => event.endsWith(`.${action}`));
  if (!type) throw new Error(`makeStream: ${kind.name} has no ${action} event`);
  return type;
}

/**
 * Clerk's envelope of an event, as test/fixtures/clerk.ts builds it: a version is stamped with
 * its `updated_at`, a deletion (`{ id, deleted: true }`, no version) when it is sent.
 */
function clerkEvent(type: string, data: unknown): WebhookEvent {
  const updatedAt = (data as { updated_at?: number }).updated_at;
  return {
    type,
    object: "event",
    data,
    timestamp: updatedAt ?? Date.now(),
    event_attributes: { http_request: { client_ip: "", user_agent: "" } },
  } as WebhookEvent;
}

/** The stream's objects, as a phrase: `200 users`, `20 organizations and 308 memberships`. */
export function objectsOf(stream: Stream): string {
  return stream.kinds.map((kind) => `${stream.latest.get(kind.name)!.size} ${kind.table}`).join(" and ");
}

/** Signs every delivery now (Svix rejects timestamps over 5 minutes old, so per round). */
export function signAll(events: readonly { event: WebhookEvent; svixId: string }[]): Delivery[] {
  return events.map((e) => sign(e.event, { id: e.svixId }));
}
