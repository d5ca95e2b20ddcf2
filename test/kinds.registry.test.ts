import { describe, expect, test } from "vitest";
import schema from "../src/component/schema";
import { HANDLED_EVENTS, KINDS, changesOfEvent, childrenOf, derivedHooksOf, handlerNameOf, kindNamed, vChange, vHookEvent } from "../src/shared/kinds/registry";

// Every list, union and lookup is derived from the kinds' modules: these pin that what a kind
// declares holds in the schema, and that nothing is left out or counted twice.

type Index = { indexDescriptor: string; fields: string[] };
const tables = new Map<string, Index[]>(
  (JSON.parse((schema as unknown as { export(): string }).export()) as { tables: { tableName: string; indexes: Index[] }[] }).tables.map((table) => [
    table.tableName,
    table.indexes,
  ]),
);
const indexOf = (table: string, name: string) => tables.get(table)?.find((index) => index.indexDescriptor === name);

describe.each(KINDS.map((kind) => [kind.name, kind] as const))("kind %s", (_name, kind) => {
  test("its table has the indexes the engine reads of every kind", () => {
    expect(indexOf(kind.table, "by_clerk_id")?.fields).toEqual(["clerkId"]);
    expect(indexOf(kind.table, "by_created_at")?.fields).toEqual(["createdAt"]);
  });

  test("each parent is a kind, and its index starts with the parent's field (its cascade reads it)", () => {
    for (const parent of kind.parents) {
      expect(kindNamed(parent.kind).name).toBe(parent.kind);
      expect(indexOf(kind.table, parent.index)?.fields[0]).toBe(parent.field);
      expect(Object.keys(kind.fields)).toContain(parent.field);
    }
  });

  test("a unique key's index starts with its fields, in order", () => {
    if (!("unique" in kind) || !kind.unique) return;
    const { index, fields } = kind.unique;
    expect(indexOf(kind.table, index)?.fields.slice(0, fields.length)).toEqual([...fields]);
  });

  test("its volatile fields are fields of its rows; omittable and rising ones are volatile", () => {
    for (const field of kind.volatile ?? []) expect(Object.keys(kind.fields)).toContain(field);
    const { omittable = [], rising = [] } = kind as { omittable?: readonly string[]; rising?: readonly string[] };
    for (const field of [...omittable, ...rising]) expect(kind.volatile).toContain(field);
  });

  test("each of its events dispatches to it; a kind Clerk never deletes by event goes with its parents", () => {
    for (const type of kind.webhook.events) expect(HANDLED_EVENTS.filter((handled) => handled === type)).toHaveLength(1);
    const deleted = kind.webhook.events.find((type) => type.endsWith(".deleted"));
    if (deleted === undefined) expect(kind.parents.length).toBeGreaterThan(0);
  });

  test("its rows' hook events are created, updated and deleted, each with a handler of its own name", () => {
    const types = vHookEvent.members
      .map((member) => (member.fields as { type: { value: string } }).type.value)
      .filter((type) => type.startsWith(`${kind.name}.`));
    expect(types).toEqual([`${kind.name}.created`, `${kind.name}.updated`, `${kind.name}.deleted`]);
    const capital = kind.name[0]!.toUpperCase() + kind.name.slice(1);
    expect(types.map((type) => handlerNameOf(type as never))).toEqual([`on${capital}Created`, `on${capital}Updated`, `on${capital}Deleted`]);
  });

  test("its derived hooks are hook events of their own type (no dot), each with the handler on<Type>", () => {
    const declared = Object.keys(derivedHooksOf(kind));
    for (const type of declared) {
      expect(type).not.toContain(".");
      expect(hookTypes).toContain(type);
      expect(handlerNameOf(type as never)).toBe(`on${type[0]!.toUpperCase()}${type.slice(1)}`);
    }
  });
});

const hookTypes = vHookEvent.members.map((member) => (member.fields as { type: { value: string } }).type.value);

test("the hook events are every kind's rows' three and its derived hooks, and no two share a handler", () => {
  const expected = KINDS.flatMap((kind) => [`${kind.name}.created`, `${kind.name}.updated`, `${kind.name}.deleted`, ...Object.keys(derivedHooksOf(kind))]);
  expect(hookTypes).toEqual(expected);
  const handlers = hookTypes.map((type) => handlerNameOf(type as never));
  expect(new Set(handlers).size).toBe(handlers.length);
});

test("the billing kinds declare onPlansChanged, onTrialEnding and onPaymentAttempt; invitations onInvitationAccepted and onInvitationRevoked", () => {
  expect(hookTypes.filter((type) => !type.includes(".")).map((type) => handlerNameOf(type as never))).toEqual([
    "onPlansChanged",
    "onTrialEnding",
    "onPaymentAttempt",
    "onInvitationAccepted",
    "onInvitationRevoked",
  ]);
});

test("a kind's children are the kinds that name it as a parent", () => {
  for (const kind of KINDS) {
    const children = childrenOf(kind.name).map((child) => `${child.kind.name}.${child.field}`);
    const expected = KINDS.flatMap((other) => other.parents.filter((parent) => parent.kind === kind.name).map((parent) => `${other.name}.${parent.field}`));
    expect(children).toEqual(expected);
  }
});

test("parents come before their children in the registry's order (a resync lists them first)", () => {
  const position = new Map<string, number>(KINDS.map((kind, i) => [kind.name, i]));
  for (const kind of KINDS) for (const parent of kind.parents) expect(position.get(parent.kind)!).toBeLessThan(position.get(kind.name)!);
});

test("vChange has one upsert per kind and one deletion", () => {
  expect(vChange.members).toHaveLength(KINDS.length + 1);
});

test("an event no kind handles is ignored, not an error", () => {
  expect(changesOfEvent("session.created", { id: "sess_1" })).toEqual({ ignored: true });
});
