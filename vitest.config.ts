import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests and the example run against the package's source, as it is exported.
    alias: [
      { find: /^convex-clerk-users\/convex\.config(\.js)?$/, replacement: src("component/convex.config.ts") },
      { find: /^convex-clerk-users\/test$/, replacement: src("test.ts") },
      { find: /^convex-clerk-users\/react$/, replacement: src("react/index.ts") },
      { find: /^convex-clerk-users$/, replacement: src("client/index.ts") },
    ],
  },
  test: {
    environment: "edge-runtime",
    server: { deps: { inline: ["convex-test"] } },
    include: ["test/**/*.test.ts", "example/convex/**/*.test.ts"],
  },
});
