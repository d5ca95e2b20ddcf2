// Lint as Convex's component template does: Convex's own rules over the component, the client and
// the example's functions, typescript-eslint's type-aware no-floating-promises everywhere.
import globals from "globals";
import pluginJs from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";
import convexPlugin from "@convex-dev/eslint-plugin";

// ignoreRestSiblings: `const { a, ...rest } = x` is how a property is left out of a copy.
const unusedVars = ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true }];

export default tseslint.config(
  {
    ignores: ["dist/**", "example/dist/**", "coverage/**", "**/_generated/**", "node_modules/**"],
  },
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        // Each file is checked with the tsconfig that builds it (root, example/, example/convex, bench/).
        projectService: { allowDefaultProject: ["example/vite.config.ts"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  pluginJs.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-explicit-any": "off",
      "no-unused-vars": "off",
      "@typescript-eslint/no-unused-vars": unusedVars,
      "@typescript-eslint/no-unused-expressions": ["error", { allowShortCircuit: true, allowTernary: true, allowTaggedTemplates: true }],
    },
  },
  // Code that runs in Convex: the component, the client (it runs in the app's functions) and the example's backend.
  {
    files: ["src/**/*.{ts,tsx}", "example/convex/**/*.{ts,tsx}"],
    ignores: ["src/react/**"],
    languageOptions: { globals: globals.worker },
    plugins: { "@convex-dev": convexPlugin },
    rules: { ...convexPlugin.configs.recommended[0].rules },
  },
  // React: the package's hook and the example's page.
  {
    files: ["src/react/**/*.{ts,tsx}", "example/src/**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
    plugins: { "react-hooks": reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  // Node: tests, scripts, benchmarks and config files.
  {
    files: ["test/**/*.ts", "scripts/**/*.ts", "bench/**/*.ts", "*.config.ts", "example/*.config.ts"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["**/*.js"],
    languageOptions: { globals: globals.node },
  },
);
