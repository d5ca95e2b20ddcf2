/**
 * The final tables against Clerk's latest state, for every kind of a stream: rows missing,
 * present though deleted, and wrong (stale fields, duplicates, strangers). A row of a kind whose
 * parent was deleted is counted apart: Clerk sends no event for it when its parent goes (an
 * organization's memberships), so only a receiver that removes it with its parent is right.
 */
import type { Backend, Implementation, Rows } from "./backends.js";
import { DELETED, type Latest, type Stream } from "./stream/generate.js";

/** A figure of the comparison: a count, or null when the implementation keeps no such rows. */
export type CorrectnessPart = { label: string; count: number | null; ofDeletedParent?: boolean };
/** Rows differing in all, and why. */
export type Correctness = { differing: number; parts: CorrectnessPart[] };

export async function compare(impl: Implementation, backend: Backend, stream: Stream): Promise<Correctness> {
  const parts: CorrectnessPart[] = [];
  for (const kind of stream.kinds) {
    const rows = await backend.rows(kind);
    const latest = stream.latest.get(kind.name)!;
    const d = rows && diff(rows, latest, (json) => impl.expected(kind, json));
    const parentKinds = kind.parents.map((p) => p.kind).filter((name) => stream.latest.has(name));
    const ofDeleted = (parent: string) => (id: string) => stream.latest.get(parent)!.get(stream.parents.get(id)?.get(parent) ?? "") === DELETED;
    const present = d?.present.filter((id) => !parentKinds.some((parent) => ofDeleted(parent)(id)));
    parts.push(
      { label: `live ${kind.name} missing`, count: d ? d.missing : null },
      { label: `deleted ${kind.name} present`, count: present ? present.length : null },
      ...parentKinds.map((parent) => ({
        label: `${kind.name} of a deleted ${parent} present`,
        count: d ? d.present.filter(ofDeleted(parent)).length : null,
        ofDeletedParent: true,
      })),
      { label: `${kind.name} with stale or wrong fields`, count: d ? d.wrong : null },
    );
  }
  return { differing: parts.reduce((n, part) => n + (part.count ?? 0), 0), parts };
}

/** Rows missing, present though deleted (their ids), and wrong (stale fields, duplicates, strangers). */
function diff(rows: Rows, latest: Latest, expected: (latest: unknown) => Record<string, unknown>) {
  let missing = 0;
  let wrong = 0;
  const present: string[] = [];
  for (const [clerkId, object] of latest) {
    const row = rows.get(clerkId);
    if (object === DELETED) {
      if (row) present.push(clerkId);
    } else if (!row) missing++;
    else if (canonical(row) !== canonical(expected(object))) wrong++;
  }
  wrong += [...rows.keys()].filter((id) => !latest.has(id)).length;
  return { missing, present, wrong };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
