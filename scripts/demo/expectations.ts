/**
 * What the demo should see, worked out from the promises the package makes, without
 * running or importing any of its code. The demo compares these with what the
 * backend actually did.
 */

/** One version of a user as Clerk stored it. `updatedAt` is Clerk's clock. */
export type Version = { clerkId: string; label: string; firstName: string; lastName: string; email: string; updatedAt: number };

/** One HTTP delivery Clerk (or an impostor) makes to the webhook endpoint. */
export type Delivery = {
  n: number;
  type: "user.created" | "user.updated" | "user.deleted";
  clerkId: string;
  /** The user's state carried by a created/updated event. */
  version?: Version;
  /** Svix's message id: a retry re-sends the same one. */
  svixId: string;
  /** Signed with a key that is not the endpoint's. */
  forged: boolean;
  note: string;
};

/** What the token of someone calling the app says, and who they are. */
export type Persona = { label: string; clerkId: string | null; orgAdmin: boolean; pro: boolean };

export type Response = { status: number; outcome: string };

/**
 * Every delivery's response, replaying Clerk's promises in arrival order:
 * a forged one is refused (401); a user's newest `updated_at` wins and an equal one is
 * a repeat; a deleted user stays deleted, so anything later about them is dropped.
 */
export function expectedResponses(deliveries: Delivery[]): Response[] {
  const known = new Map<string, number | "deleted">();
  return deliveries.map((d) => {
    if (d.forged) return { status: 401, outcome: "rejected" };
    const before = known.get(d.clerkId);
    if (d.type === "user.deleted") {
      known.set(d.clerkId, "deleted");
      return { status: 200, outcome: before === "deleted" ? "duplicate" : "deleted" };
    }
    const at = d.version!.updatedAt;
    if (before === "deleted") return { status: 200, outcome: "tombstoned" };
    if (before === undefined || at > before) known.set(d.clerkId, at);
    const outcome = before === undefined ? "created" : at > before ? "updated" : at === before ? "duplicate" : "stale";
    return { status: 200, outcome };
  });
}

export type ExpectedUser = { clerkId: string; email: string; name: string; updatedAt: number };

/**
 * The users table at the end, whatever the order: for every user Clerk did not delete,
 * the newest version any genuine delivery carried. Sorted by Clerk id, as `users.list` is.
 */
export function expectedUsers(deliveries: Delivery[]): ExpectedUser[] {
  const genuine = deliveries.filter((d) => !d.forged);
  const deleted = new Set(genuine.filter((d) => d.type === "user.deleted").map((d) => d.clerkId));
  const newest = new Map<string, Version>();
  for (const { version } of genuine) {
    if (!version || deleted.has(version.clerkId)) continue;
    const current = newest.get(version.clerkId);
    if (!current || version.updatedAt > current.updatedAt) newest.set(version.clerkId, version);
  }
  return [...newest.values()]
    .sort((a, b) => (a.clerkId < b.clerkId ? -1 : 1))
    .map((v) => ({ clerkId: v.clerkId, email: v.email.toLowerCase(), name: `${v.firstName} ${v.lastName}`, updatedAt: v.updatedAt }));
}

export type ExpectedProfile = { clerkId: string; displayName: string; versions: number };

/**
 * The example app's profiles, written by its hooks: one per live user, named like the
 * user, counting the real changes applied (hooks never fire for a repeat or a stale version).
 */
export function expectedProfiles(deliveries: Delivery[]): ExpectedProfile[] {
  const responses = expectedResponses(deliveries);
  return expectedUsers(deliveries).map((user) => ({
    clerkId: user.clerkId,
    displayName: user.name,
    versions: deliveries.filter((d, i) => d.clerkId === user.clerkId && ["created", "updated"].includes(responses[i]!.outcome)).length,
  }));
}

/** The example app's functions the demo calls, and what each one requires, in the order it checks. */
export const REQUIREMENTS = {
  me: [],
  send: ["signed in", "synced"],
  sendLong: ["signed in", "Pro", "synced"],
  clear: ["signed in", "org admin"],
} as const;
export type Action = keyof typeof REQUIREMENTS;

const ERROR_FOR = { "signed in": "UNAUTHENTICATED", synced: "USER_NOT_FOUND", Pro: "FORBIDDEN", "org admin": "FORBIDDEN" } as const;

/**
 * What calling `action` as `persona` should give: "allowed", the error code of the first
 * requirement that fails, or for `me` the caller's own row or null.
 */
export function expectedPermission(action: Action, persona: Persona, liveUsers: ExpectedUser[]): string {
  const synced = liveUsers.some((user) => user.clerkId === persona.clerkId);
  if (action === "me") return synced ? "own row" : "null";
  const holds = { "signed in": persona.clerkId !== null, synced, Pro: persona.pro, "org admin": persona.orgAdmin };
  const failed = REQUIREMENTS[action].find((requirement) => !holds[requirement]);
  return failed ? ERROR_FOR[failed] : "allowed";
}

export type ExpectedMessage = { author: string; pro: boolean };

/**
 * The app's messages after `persona` calls `action`, if it is allowed: posts carry the
 * author's synced name and a Pro badge from the token (long messages need Pro); clear empties.
 */
export function expectedMessagesAfter(messages: ExpectedMessage[], action: Action, persona: Persona, liveUsers: ExpectedUser[]) {
  if (expectedPermission(action, persona, liveUsers) !== "allowed") return messages;
  const author = liveUsers.find((user) => user.clerkId === persona.clerkId)?.name ?? "?";
  switch (action) {
    case "send":
      return [...messages, { author, pro: persona.pro }];
    case "sendLong":
      return [...messages, { author, pro: true }];
    case "clear":
      return [];
    default:
      return messages;
  }
}
