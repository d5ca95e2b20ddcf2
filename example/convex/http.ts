import { httpRouter } from "convex/server";
import { registerRoutes } from "convex-clerk-users";
import { components, internal } from "./_generated/api";

const http = httpRouter();

registerRoutes(http, components.clerkUsers, {
  onUserCreated: internal.profiles.onUserCreated,
  onUserUpdated: internal.profiles.onUserUpdated,
  onUserDeleted: internal.profiles.onUserDeleted,
});

export default http;
