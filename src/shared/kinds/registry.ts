import { v, type Infer, type ObjectType, type PropertyValidators, type VObject, type VUnion } from "convex/values";
import { docValidator, type KindChange, type KindDef } from "./define.js";
import { invitation } from "./invitation.js";
import { membership } from "./membership.js";
import { organization } from "./organization.js";
import { paymentAttempt } from "./paymentAttempt.js";
import { subscriptionItem } from "./subscriptionItem.js";
import { user } from "./user.js";

/**
 * Every synced kind, in the order a resync syncs them (an object's parents before it). Adding a
 * kind is its module, one entry here, and its table in the component's schema: every union,
 * list and lookup below is derived from this tuple.
 */
export const KINDS = [user, organization, membership, subscriptionItem, paymentAttempt, invitation] as const;

type Kinds = typeof KINDS;
export type AnyKind = Kinds[number];
export type KindName = AnyKind["name"];
export type KindTable = AnyKind["table"];
/** The kind named `N`. */
export type KindNamed<N extends KindName> = Extract<AnyKind, { name: N }>;

/** A kind's row fields (what the webhook and the resync write). */
export type FieldsOfKind<K extends AnyKind> = ObjectType<K["fields"]>;
/** A kind's document as the app sees it: its fields and system fields, `_id` as a string. */
export type DocOfKind<K extends AnyKind> = FieldsOfKind<K> & { _id: string; _creationTime: number };

export const KIND_NAMES: readonly KindName[] = KINDS.map((kind) => kind.name);

const BY_NAME = new Map<string, AnyKind>(KINDS.map((kind) => [kind.name, kind]));

/** The kind of this name; throws for a name no kind has (a tombstone or change from a newer version). */
export function kindNamed<N extends KindName>(name: N): KindNamed<N>;
export function kindNamed(name: string): AnyKind;
export function kindNamed(name: string): AnyKind {
  const kind = BY_NAME.get(name);
  if (!kind) throw new Error(`No synced kind is named ${JSON.stringify(name)}`);
  return kind;
}

/** A kind's Backend API listing; throws for a kind Clerk cannot list (payment attempts), which no resync run includes (`resyncedKinds`). */
export function apiOf<K extends AnyKind>(kind: K): NonNullable<K["api"]> {
  if (!kind.api) throw new Error(`Clerk's Backend API has no list of every ${kind.name}: only the webhook syncs it`);
  return kind.api as NonNullable<K["api"]>;
}

/**
 * The kinds a resync with these options syncs, in resync order: those Clerk lists whose option is
 * on (a kind without `resyncOption` always: users).
 */
export function resyncedKinds(options: Partial<Record<NonNullable<KindDef["resyncOption"]>, boolean>>): KindName[] {
  return KINDS.filter((kind) => kind.api && (!kind.resyncOption || options[kind.resyncOption] === true)).map((kind) => kind.name);
}

/** The kinds whose rows belong to objects of `name` (an organization's and a user's memberships), with the parent's field and index. */
export function childrenOf(name: KindName): { kind: AnyKind; field: string; index: string }[] {
  return KINDS.flatMap((kind) => kind.parents.filter((parent) => parent.kind === name).map(({ field, index }) => ({ kind, field, index })));
}

/** The kinds whose rows are addressed to objects of `name` by a value of their row (invitations, to a user's email address): see `Addressee`. */
export function addressedTo(name: KindName): { kind: AnyKind; field: string; index: string; valueOf(row: Record<string, unknown>): string | undefined }[] {
  return KINDS.flatMap((kind) =>
    (kind.addressedTo ?? []).filter((to) => to.kind === name).map(({ field, index, valueOf }) => ({ kind, field, index, valueOf })),
  );
}

/**
 * The kinds holding rows that are an object of `name`'s data (a user's memberships, billing rows
 * and invitations): its children, and the kinds addressed to it. In registry order, each once.
 */
export function personalKindsOf(name: KindName): AnyKind[] {
  const mine = new Set<AnyKind>([...childrenOf(name), ...addressedTo(name)].map(({ kind }) => kind));
  return KINDS.filter((kind) => mine.has(kind));
}

// ---- Validators and types of every kind at once ---------------------------------------------
// TypeScript cannot map a tuple's elements through a generic function, so each `KINDS.map` below
// states the type it builds: the correlated union of what the function makes of each kind.

export const vKind = v.union(...KINDS.map((kind) => v.literal(kind.name)));

/** A version of an object of kind `K`, and the event that announced it when it says more (`KindChange`'s `notice`). */
export type UpsertOf<K extends AnyKind> = { kind: K["name"]; op: "upsert"; row: FieldsOfKind<K>; notice?: string };
/** A deletion of an object of any kind. */
export type DeleteChange = Extract<KindChange<KindName>, { op: "delete" }>;
/** One change Clerk told us about: an object's latest state, or its deletion. */
export type Change = { [N in KindName]: UpsertOf<KindNamed<N>> }[KindName] | DeleteChange;

const vDelete = v.object({
  kind: vKind,
  op: v.literal("delete"),
  clerkId: v.string(),
  /** The Clerk ids of what the deleted object belonged to, by field (a membership's `orgId`, `userId`), when the event says. */
  belongsTo: v.optional(v.record(v.string(), v.string())),
});

export const vChange = v.union(
  ...KINDS.map((kind) => v.object({ kind: v.literal(kind.name), op: v.literal("upsert"), row: v.object(kind.fields), notice: v.optional(v.string()) })),
  vDelete,
) as unknown as VUnion<Change, VObject<Change, never>[]>;

/** A page of rows of one kind, as a resync hands them to the component. */
export type KindRows = { [N in KindName]: { kind: N; rows: FieldsOfKind<KindNamed<N>>[] } }[KindName];
export const vKindRows = v.union(...KINDS.map((kind) => v.object({ kind: v.literal(kind.name), rows: v.array(v.object(kind.fields)) }))) as unknown as VUnion<
  KindRows,
  VObject<KindRows, never>[]
>;

/**
 * One real change, as the app's hooks receive it (`defineClerkHooks`): never a duplicate or a
 * stale version. The type names Clerk's event (`organization.updated`); the object is under its
 * kind's name; a deleted object is null if it was never synced.
 */
export type HookEventOf<K extends AnyKind> =
  | ({ type: `${K["name"]}.created` } & Record<K["name"], DocOfKind<K>>)
  | ({ type: `${K["name"]}.updated`; previous: DocOfKind<K> } & Record<K["name"], DocOfKind<K>>)
  | ({ type: `${K["name"]}.deleted`; clerkId: string } & Record<K["name"], DocOfKind<K> | null>);
/** The hook events `K` declares besides its rows' (`derivedHooks`): `{ type: "plansChanged", payer, before, after }`. */
export type DerivedHookEventOf<K extends AnyKind> = DerivedEventsOf<NonNullable<K["derivedHooks"]>>;
type DerivedEventsOf<D extends Record<string, PropertyValidators>> = { [T in keyof D & string]: { type: T } & ObjectType<D[T]> }[keyof D & string];
type EventsOf<K> = K extends AnyKind ? HookEventOf<K> | DerivedHookEventOf<K> : never;
export type HookEvent = EventsOf<AnyKind>;
/** The type of a derived hook event (`plansChanged`), of any kind. */
export type DerivedHookType = { [N in KindName]: DerivedHookEventOf<KindNamed<N>>["type"] }[KindName];

export const vHookEvent = v.union(
  ...KINDS.flatMap((kind) => {
    const doc = docValidator(kind.fields);
    return [
      v.object({ type: v.literal(`${kind.name}.created`), [kind.name]: doc }),
      v.object({ type: v.literal(`${kind.name}.updated`), [kind.name]: doc, previous: doc }),
      v.object({ type: v.literal(`${kind.name}.deleted`), clerkId: v.string(), [kind.name]: v.union(doc, v.null()) }),
      ...Object.entries(derivedHooksOf(kind)).map(([type, fields]) => v.object({ type: v.literal(type), ...fields })),
    ];
  }),
) as unknown as VUnion<HookEvent, VObject<HookEvent, never>[]>;

/** A kind's derived hooks, by type (none for most kinds). */
export function derivedHooksOf(kind: AnyKind): Record<string, PropertyValidators> {
  return kind.derivedHooks ?? {};
}

/** What a hook event says happened. */
export type HookAction = "created" | "updated" | "deleted";

/** The hook event of `kind`: `{ type: "<kind>.<what>", <kind>: row, ... }`. */
export function hookEvent(kind: AnyKind, what: HookAction, row: unknown, extra: { clerkId?: string; previous?: unknown } = {}): HookEvent {
  return { type: `${kind.name}.${what}`, ...extra, [kind.name]: row } as HookEvent;
}

/**
 * The name of the app's handler for an event type: `membership.created` → `onMembershipCreated`,
 * and a derived hook's `plansChanged` → `onPlansChanged`.
 */
export type HandlerNameOf<T extends string> = T extends `${infer N}.${infer W}` ? `on${Capitalize<N>}${Capitalize<W>}` : `on${Capitalize<T>}`;
export function handlerNameOf<T extends HookEvent["type"]>(type: T): HandlerNameOf<T> {
  const [name = "", what = ""] = type.split(".");
  const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
  return `on${capital(name)}${capital(what)}` as HandlerNameOf<T>;
}

// ---- The webhook ----------------------------------------------------------------------------

/** The Clerk events this package applies; subscribe the endpoint to these. */
export const HANDLED_EVENTS: readonly string[] = KINDS.flatMap((kind) => kind.webhook.events);

/** A kind's events as Clerk's dashboard groups them for a subscription: `organizationMembership.*`. */
export function subscriptionsOf(kind: AnyKind): string {
  return [...new Set(kind.webhook.events.map((type) => `${type.split(".")[0]}.*`))].join(", ");
}

/** Every kind's subscriptions, as a sentence: `user.*, organization.* and organizationMembership.*`. */
export const SUBSCRIPTIONS = ((groups: string[]) => `${groups.slice(0, -1).join(", ")} and ${groups[groups.length - 1]}`)(KINDS.map(subscriptionsOf));

const BY_EVENT = new Map<string, AnyKind>(KINDS.flatMap((kind) => kind.webhook.events.map((type) => [type, kind] as const)));

/**
 * The changes a verified event asks for, in order, `ignored` for a type no kind handles, or why
 * it is malformed. Each kind's mapping makes changes of registered kinds only (a membership's
 * embedded organization included), which the component's `vChange` checks again at its boundary.
 */
export function changesOfEvent(type: string, data: unknown): { changes: Change[] } | { ignored: true } | { error: string } {
  const kind = BY_EVENT.get(type);
  if (!kind) return { ignored: true };
  const changes = kind.webhook.changes(type, data);
  return "error" in changes ? changes : { changes: changes as Change[] };
}

export type { Infer };
