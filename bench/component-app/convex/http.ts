// The README's setup, with no hooks: the same work as the baseline's webhook.
import { httpRouter } from "convex/server";
import { registerRoutes } from "convex-clerk-users";
import { components } from "./_generated/api";

const http = httpRouter();
registerRoutes(http, components.clerkUsers);

export default http;
