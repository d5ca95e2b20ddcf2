/// <reference types="vite/client" />
import { convexTest } from "convex-test";
import { register } from "convex-clerk-users/test";
import schema from "../example/convex/schema";
import { api } from "../example/convex/_generated/api";
import { WEBHOOK_SECRET, sign, type Delivery } from "./fixtures/clerk";

/** The example app's modules: the app a user writes, with the component installed. */
export const appModules = import.meta.glob(["../example/convex/**/*.ts", "!../example/convex/**/*.test.ts"]);

/** A fresh backend running the example app with the component registered as `clerkUsers`. */
export function setup() {
  process.env.CLERK_WEBHOOK_SECRET = WEBHOOK_SECRET;
  const t = convexTest(schema, appModules);
  register(t);
  return t;
}

export type TestBackend = ReturnType<typeof setup>;

/** Posts a delivery to the webhook endpoint the way Svix does. */
export function post(t: TestBackend, delivery: Delivery, path = "/clerk-users-webhook") {
  return t.fetch(path, { method: "POST", headers: delivery.headers, body: delivery.body });
}

/** Signs and posts an event. */
export function deliver(t: TestBackend, event: object) {
  return post(t, sign(event));
}

export { api };
