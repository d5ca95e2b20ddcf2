import { v, type VObject } from "convex/values";
import { docValidator } from "./kinds/define.js";
import { personalKindsOf, vKind, type DocOfKind, type KindName, type KindNamed } from "./kinds/registry.js";
import { user, vUser, type User } from "./kinds/user.js";

/**
 * What the component holds about one person, in one answer (`privacy.exportUser`): their user
 * row, whether a tombstone says they were deleted, and every row of the kinds that are a user's
 * data (`personalKindsOf`: the kinds with a user among their `parents`, and those `addressedTo` a
 * user), found by the parent's index or by the value the user's row holds. A new such kind is in
 * it without this file changing. Only what the package stores can appear: never Clerk's private
 * or unsafe metadata, nor an invitation's url.
 */

/** The kinds whose rows are a user's data, in registry order. */
export const PERSONAL_KINDS = personalKindsOf(user.name);

/** A person's rows, by kind name: a key for each of `PERSONAL_KINDS`. */
export type PersonalRows = Partial<{ [N in KindName]: DocOfKind<KindNamed<N>>[] }>;

export type UserExport = {
  clerkId: string;
  /** Their synced row, or null (never synced, or deleted). */
  user: User | null;
  /** A tombstone says Clerk deleted them: what `rows` still holds is being removed by the deletion's cascade. */
  deleted: boolean;
  rows: PersonalRows;
  /** The kinds whose rows were cut short by the export's bounds (LIMITS.exportRowsPerKind, exportBytes): ask again after removing some, or read them by page. */
  truncated: KindName[];
};

export const vPersonalRows = v.object(Object.fromEntries(PERSONAL_KINDS.map((kind) => [kind.name, v.array(docValidator(kind.fields))])));

export const vUserExport = v.object({
  clerkId: v.string(),
  user: v.union(vUser, v.null()),
  deleted: v.boolean(),
  rows: vPersonalRows,
  truncated: v.array(vKind),
}) as unknown as VObject<UserExport, never>;
