import type { AuthConfig } from "convex/server";

// Clerk's native Convex integration: set CLERK_JWT_ISSUER_DOMAIN (your Clerk Frontend API URL)
// in the deployment's environment variables.
export default {
  providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN!, applicationID: "convex" }],
} satisfies AuthConfig;
