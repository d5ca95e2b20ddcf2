import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The example's page: `npm run dev` (needs a deployment, see main.tsx) and `npm run build:example`.
 * Like the tests, it runs against the package's source, so it needs no `npm run build`
 * and picks up edits to src/ live.
 */
export default defineConfig({
  root: here("."),
  // `npx convex dev`, run from the repository root, writes VITE_CONVEX_URL to ./.env.local there.
  envDir: here(".."),
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^convex-clerk-users\/react$/, replacement: here("../src/react/index.ts") },
      { find: /^convex-clerk-users$/, replacement: here("../src/client/index.ts") },
    ],
  },
  build: { outDir: here("dist"), emptyOutDir: true },
});
