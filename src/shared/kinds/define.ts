import { v, type GenericValidator, type ObjectType, type PropertyValidators, type VFloat64, type VString } from "convex/values";

/**
 * What a synced kind is, as data: everything the engine, the webhook, the resync, the hooks and
 * the status need to know about it. One module per kind fills this in (user.ts, organization.ts,
 * membership.ts); registry.ts derives every list, union and lookup from those modules.
 */

/** The fields every kind's rows have: Clerk's id, and Clerk's `updated_at` and `created_at` (ms). */
export type CommonFields = { clerkId: VString; updatedAt: VFloat64; createdAt: ReturnType<typeof v.optional<VFloat64>> };

/** An object this kind belongs to: once it is deleted, this kind's rows of it go and stay gone. */
export type Parent = {
  /** The parent's kind name. */
  kind: string;
  /** The row's field holding the parent's Clerk id. A row without it does not belong to such a parent. */
  field: string;
  /** An index of this kind's table whose first field is `field`: the parent's rows, for its cascade. */
  index: string;
};

/**
 * An object this kind's rows are addressed to by a value of its stored row, not by its id (an
 * invitation, to a user's email address). The object's deletion removes them as it removes its
 * children, hooks included, and the privacy export counts them as its person's rows. Only a stored
 * row says its value: the deletion of an object never synced removes none of them.
 */
export type Addressee = {
  /** The object's kind name. */
  kind: string;
  /** The row's field holding the value. */
  field: string;
  /** An index of this kind's table whose first field is `field`. */
  index: string;
  /** The value the object's rows are addressed to, from its stored row, spelled as `field` stores it; undefined when it has none. */
  valueOf(row: Record<string, unknown>): string | undefined;
};

/** One change to what is stored, from a webhook event or a resync row: a version, or a deletion. */
export type KindChange<Name extends string = string, Row = Record<string, unknown>> =
  | {
      kind: Name;
      op: "upsert";
      row: Row;
      /**
       * The Clerk event, when it announces something besides the version it carries
       * (`subscriptionItem.freeTrialEnding`): a derived hook reads it (`derivedHooks`).
       */
      notice?: string;
    }
  | {
      kind: Name;
      op: "delete";
      clerkId: string;
      /** The Clerk ids of what the deleted object belonged to, by field (a membership's `orgId`, `userId`), when the event says. */
      belongsTo?: Record<string, string>;
    };

/**
 * How a kind's rows are asked about again by id, when a resync's listing did not see them:
 * - `ids`: a list filtered by many ids at once (`GET /v1/users?user_id=...`);
 * - `query`: a list searched by one id at a time (`GET /v1/organizations?query=org_...`);
 * - `byParent`: per parent, a list filtered by the ids of another field
 *   (`GET /v1/organizations/{orgId}/memberships?user_id=...`).
 */
export type Recheck =
  | { by: "ids"; path: string; param: string }
  | { by: "query"; path: string }
  | { by: "byParent"; parentField: string; path: (parentId: string) => string; param: string; idField: string }
  /**
   * `payer`: per payer (a row's `userId` or `orgId`), the payer's one object at `path(payer)`,
   * whose `subscription_items` are all it has (`GET /v1/users/{id}/billing/subscription`); a 404
   * is a payer with nothing.
   */
  | { by: "payer"; path: (payer: { userId?: string; orgId?: string }) => string }
  /**
   * `one`: one request per id, for a kind with no list filtered by id
   * (`GET /v1/organizations/{orgId}/invitations/{id}`), answering the object, or a 404 when Clerk
   * no longer has it. `path` is built from the id and what the row belonged to, which holds every
   * field of `needs` (a candidate without one is an error, never a 404).
   */
  | { by: "one"; path: (clerkId: string, belongsTo: Record<string, string>) => string; needs: readonly string[] };

/**
 * How a resync reads a kind's whole list, and how it proves nothing was skipped (paging.ts):
 * - `oldestFirst`: offset pages sorted by `+created_at`. A page continues the last when its first
 *   object is one already listed (the pages overlap by one); deletions during the pass shift
 *   objects back and are caught by that check and read again. Objects created during the pass land
 *   after the pages already read. Each page's span (the creation times between the previous page's
 *   last object and its own) holds no stored row it did not list but a candidate.
 * - `newestFirst`: offset pages sorted by `-created_at`, for lists that cannot be sorted oldest
 *   first (Clerk Billing's subscription items). The same overlap check, mirrored: a page continues
 *   the last when its first object is one already listed (created after the previous page's last
 *   object, or one of its ties). Objects created during the pass land at the head and push the
 *   rest to higher offsets: they are repeated, never skipped. They are not seen by later pages
 *   either, so after the last page the listing reads again from offset 0 until it meets an object
 *   from before the pass (the first page's first object, its `head`, or an older one). Spans are
 *   mirrored too: a page covers the creation times after its own last object up to the previous
 *   page's last object; the head's re-read pages have none (they only add objects).
 * - `perParent`: no list of the whole kind; for each stored object of `parent` (in Clerk id
 *   order), one request to `path(parentId)` answers that parent's objects whole
 *   (`GET /v1/users/{id}/billing/subscription`). There is nothing to page and so no continuity to
 *   prove, and no span: what Clerk answers for a parent is the truth for that parent, once it is
 *   checked (`checkParentAnswer`: no object of another parent) and not full (a full answer may
 *   have more behind it, and is refused). The parent's stored rows it does not hold are
 *   candidates. Parents are read from the stored table as the listing goes: one stored with an id
 *   the cursor has passed waits for the next pass.
 */
export type ListingOrder =
  | { by: "oldestFirst" }
  | { by: "newestFirst" }
  | {
      by: "perParent";
      /** The kind whose stored rows are the parents: one request each. */
      parent: string;
      /** The row's field holding the parent's Clerk id (as in `parents`). */
      field: string;
      path: (parentId: string) => string;
    };

/** The orders whose listing is offset pages of one list (`ListingOrder` minus `perParent`). */
export type PagedOrder = Exclude<ListingOrder, { by: "perParent" }>["by"];

/** Where and how a resync lists a kind from Clerk's Backend API. */
export type Listing = {
  /** The list of every object of the kind (for `perParent`, unused: see `order.path`). */
  path: string;
  /** More query parameters of that list. */
  params?: Record<string, string>;
  /** How the list is read and proved complete: see `ListingOrder`. */
  order: ListingOrder;
  recheck: Recheck;
  /**
   * Objects of other kinds a listed object carries whole (a membership its organization),
   * applied before the page under the ordering rule, as the webhook applies them: a parent
   * created after its own kind's listing is then stored with its first child.
   */
  embedded?(json: unknown): readonly KindChange[];
};

/**
 * Hook events a kind has besides its rows' created, updated and deleted: facts worked out from
 * them (a payer's plans changed), by type, with the fields each event carries. A type has no dot,
 * and its handler is `on` and the type (`plansChanged` → `onPlansChanged`). The component works
 * them out when a transaction's hooks are flushed (component/hooks.ts).
 */
export type DerivedHooks = Record<string, PropertyValidators>;

export type KindDef<
  Name extends string = string,
  Table extends string = string,
  Fields extends PropertyValidators = PropertyValidators,
  Derived extends DerivedHooks = DerivedHooks,
> = {
  /** As hook events (`user.created`), tombstones and the resync's status spell it. */
  name: Name;
  /** The component's table of its live rows. */
  table: Table;
  /** The stored row's fields (Clerk's nulls are absent fields). */
  fields: Fields & CommonFields;
  /** What it belongs to (a membership: its organization and its user). */
  parents: readonly Parent[];
  /** What it is addressed to by a value rather than an id (an invitation: a user, by email address). See `Addressee`. */
  addressedTo?: readonly Addressee[];
  /**
   * At most one live row per value of these fields (the first fields of `index`): of two, the
   * one created later (by Clerk's `created_at`, then id) wins, and the other is deleted.
   */
  unique?: { index: string; fields: readonly string[] };
  /**
   * Fields Clerk changes without a new `updated_at` (an organization's member count moves as
   * members join): not content for ordering, so two copies of one version that differ only in
   * them are the same version (no hook fires); the stored row takes their newest values, and a
   * copy without one of them clears it (Clerk removed it), unless Clerk leaves it out of some
   * copies (`omittable`).
   */
  volatile?: readonly string[];
  /** Volatile fields some of Clerk's copies leave out (an organization's member count): absent there means unknown, not removed. */
  omittable?: readonly string[];
  /**
   * Volatile fields that only grow (a sign-in time): any copy may raise them, none lowers them.
   * Other volatile fields are refreshed by a resync only, since of two copies of one version
   * nothing says which is newer.
   */
  rising?: readonly string[];
  /**
   * Fields copied from a parent's own row (a member's name and picture, from their user), which
   * Clerk changes with the parent, not with this object: a newer version of the parent rewrites
   * them in this kind's rows (without a hook: they are volatile), and a copy older than the one
   * stored never replaces it. `at` is the field holding the parent version a row's copy was taken
   * from; absent, the copy is as old as the row's own `updatedAt`.
   */
  copies?: {
    parent: string;
    /** The row's field holding the parent's id; one of `parents`. */
    field: string;
    fields: readonly string[];
    at: string;
    /** The copied fields' values, from the parent's stored row. */
    from(parent: Record<string, unknown>): Record<string, unknown>;
  };
  /** Clerk's webhook events about it, and the changes each asks for (or why it is malformed: a 400). */
  webhook: {
    events: readonly string[];
    changes(type: string, data: unknown): readonly KindChange[] | { error: string };
  };
  /**
   * The Backend API's listing of it, and how a listed object maps to a row (null: not storable).
   * Absent: Clerk has no list of the whole kind (payment attempts are listed per statement), so
   * only the webhook syncs it.
   */
  api?: Listing & { toRow(json: unknown): ObjectType<Fields & CommonFields> | null };
  /**
   * The resync option that turns this kind on (`makeResyncAction(c, { billing: true })`). Absent:
   * always resynced (users). A kind without `api` is never resynced.
   */
  resyncOption?: "organizations" | "billing" | "invitations";
  /** Its hook events besides created, updated and deleted: see `DerivedHooks`. */
  derivedHooks?: Derived;
};

/** The row fields of a kind, as stored (without system fields). */
export type FieldsOf<K extends KindDef> = ObjectType<K["fields"]>;

/** Declares a kind, keeping its literal types (name, table, fields) for the registry to derive from. */
export function defineKind<
  const Name extends string,
  const Table extends string,
  Fields extends PropertyValidators & CommonFields,
  Derived extends DerivedHooks = Record<never, never>,
>(kind: KindDef<Name, Table, Fields, Derived>): KindDef<Name, Table, Fields, Derived> {
  return kind;
}

/** The validator of a kind's document as the app sees it: its fields and its system fields, `_id` as a string. */
export function docValidator<Fields extends PropertyValidators>(fields: Fields) {
  return v.object({ _id: v.string(), _creationTime: v.number(), ...fields });
}

/** Type-only: a validator's value, for declaring fields. */
export type ValueOf<V extends GenericValidator> = V["type"];

/**
 * The webhook of a kind whose events are `<prefix>.created` and `<prefix>.updated` carrying the
 * whole object, and `<prefix>.deleted` carrying its id (users, organizations).
 */
export function objectEvents<Name extends string, Row>(
  name: Name,
  prefix: string,
  toRow: (json: unknown) => Row | null,
  shape: string,
): KindDef["webhook"] & { changes(type: string, data: unknown): KindChange<Name, Row>[] | { error: string } } {
  return {
    events: [`${prefix}.created`, `${prefix}.updated`, `${prefix}.deleted`],
    changes(type, data) {
      if (type === `${prefix}.deleted`) {
        const id = (data as { id?: unknown }).id;
        return typeof id === "string" && id.length > 0 ? [{ kind: name, op: "delete", clerkId: id }] : { error: `${type} payload has no id.` };
      }
      const row = toRow(data);
      return row ? [{ kind: name, op: "upsert", row }] : { error: `${type} payload is not ${shape}.` };
    },
  };
}

/**
 * Whether a row's hook event (`created`, or `updated` from `previous`) is a status the object
 * reached: its creation, or a newer version whose status is not the replaced row's. A duplicate
 * or a stale copy is no hook event, so each status is reached once (a late `pending` after `paid`
 * announces nothing).
 */
export function reachedStatus(what: string, row: { status: string }, previous?: { status: string }): boolean {
  return what === "created" || (what === "updated" && previous?.status !== row.status);
}
