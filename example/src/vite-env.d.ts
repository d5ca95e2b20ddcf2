/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Your deployment's URL; `npx convex dev` writes it to .env.local. */
  readonly VITE_CONVEX_URL?: string;
  /** From Clerk's dashboard, API keys: `pk_test_...`. */
  readonly VITE_CLERK_PUBLISHABLE_KEY?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
