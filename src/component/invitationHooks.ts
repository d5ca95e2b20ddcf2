import { enteredStatus, INVITATION_STATUS, type Invitation } from "../shared/kinds/invitation.js";
import type { HookEvent } from "../shared/validators.js";
import type { MutationCtx } from "./_generated/server.js";
import { rowsWhere, type Derivers, type Transaction } from "./hooks.js";
import type { KindSpec } from "./kinds.js";

/**
 * The invitation kind's derived hooks (kinds/invitation.ts declares them): `onInvitationAccepted`
 * and `onInvitationRevoked`, one per invitation whose stored status became that status in the
 * transaction (created in it included). They follow the kind's own hook events, which are never
 * a duplicate or a stale copy: a late `pending` after `accepted` is no event, so nothing fires twice.
 */

/** The invitations of `kind`'s hook events in `events` that entered `status`, in order. */
function entered(kind: KindSpec, status: string, events: readonly HookEvent[]): { invitation: Invitation }[] {
  return rowsWhere<Invitation>(kind, events, (what, invitation, previous) => enteredStatus(status, what, invitation, previous)).map((invitation) => ({
    invitation,
  }));
}

async function invitationAccepted(_ctx: MutationCtx, kind: KindSpec, { events }: Transaction) {
  return entered(kind, INVITATION_STATUS.accepted, events);
}

async function invitationRevoked(_ctx: MutationCtx, kind: KindSpec, { events }: Transaction) {
  return entered(kind, INVITATION_STATUS.revoked, events);
}

/** The invitation kind's derivers, by derived hook type. */
export const INVITATION_HOOKS = { invitationAccepted, invitationRevoked } satisfies Partial<Derivers>;
