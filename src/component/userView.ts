import type { User } from "../shared/validators.js";
import type { Doc } from "./_generated/dataModel.js";

/**
 * A stored row as the app sees it. Every row that leaves the component (queries, hooks) goes
 * through here. A module of its own, with no runtime imports, so the webhook's mutation loads
 * no queries.
 */
export function toUser(row: Doc<"users">): User;
export function toUser(row: Doc<"users"> | null): User | null;
export function toUser(row: Doc<"users"> | null): User | null {
  return row;
}
