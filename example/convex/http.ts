import { httpRouter } from "convex/server";
import { registerRoutes } from "convex-clerk-users";
import { components, internal } from "./_generated/api";

const http = httpRouter();

registerRoutes(http, components.clerkUsers, { hooks: internal.profiles.clerkHooks });

export default http;
