import { defineApp } from "convex/server";
import clerkUsers from "convex-clerk-users/convex.config";

const app = defineApp();
app.use(clerkUsers);

export default app;
