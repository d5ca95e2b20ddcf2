/**
 * Installs the packed package into a fresh Convex app outside the repo, writes the README's
 * code blocks into it verbatim, then typechecks the app and runs a convex-test test there.
 * Catches a missing export, a file left out of `files`, a type that only resolves in the repo,
 * and a README snippet that does not compile.
 *
 *   npm run check:package
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
const run = (cmd: string, args: string[], cwd: string) => {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { cwd, stdio: "inherit" });
};

/** The README's ts/tsx blocks that name their file on the first line (`// convex/http.ts`). */
export function readmeFiles(readme: string): { file: string; code: string }[] {
  const blocks: { file: string; code: string }[] = [];
  for (const match of readme.matchAll(/```(ts|tsx)\n([\s\S]*?)```/g)) {
    const code = match[2]!;
    const file = /^\/\/ ((?:convex|src)\/[\w./-]+\.tsx?)\n/.exec(code)?.[1];
    if (!file) throw new Error(`README block without a file name on its first line:\n${code.slice(0, 200)}`);
    blocks.push({ file, code });
  }
  return blocks;
}

const work = mkdtempSync(path.join(tmpdir(), "convex-clerk-users-check-"));
try {
  run("npm", ["run", "build"], root);
  run("npm", ["pack", "--pack-destination", work], root);
  const tarball = path.join(work, `convex-clerk-users-${JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version}.tgz`);
  run("npx", ["publint", "--strict", tarball], root);
  run("npx", ["attw", tarball, "--profile", "esm-only"], root);

  // A new Convex app, as `npm create convex` would leave it, plus what the README asks for.
  const app = path.join(work, "app");
  mkdirSync(path.join(app, "convex"), { recursive: true });
  const dev = pkg.devDependencies;
  writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify(
      {
        name: "fresh-convex-app",
        private: true,
        type: "module",
        dependencies: {
          convex: dev.convex,
          "convex-helpers": pkg.dependencies["convex-helpers"],
          "convex-clerk-users": `file:${tarball}`,
          react: dev.react,
        },
        devDependencies: {
          typescript: dev.typescript,
          vitest: dev.vitest,
          "convex-test": dev["convex-test"],
          "@edge-runtime/vm": dev["@edge-runtime/vm"],
          "@types/react": dev["@types/react"],
          "@types/node": dev["@types/node"],
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ESNext",
        lib: ["ES2021", "dom"],
        module: "ESNext",
        moduleResolution: "Bundler",
        jsx: "react-jsx",
        strict: true,
        skipLibCheck: true,
        isolatedModules: true,
        allowSyntheticDefaultImports: true,
        noEmit: true,
        types: ["node", "vite/client"],
      },
      include: ["convex", "src"],
    }),
  );
  writeFileSync(path.join(app, "convex/schema.ts"), `import { defineSchema } from "convex/server";\nexport default defineSchema({});\n`);
  // The vitest settings the README's "Testing your app" section asks for.
  writeFileSync(
    path.join(app, "vitest.config.ts"),
    `import { defineConfig } from "vitest/config";\nexport default defineConfig({ test: { environment: "edge-runtime", server: { deps: { inline: ["convex-test", "convex-clerk-users"] } } } });\n`,
  );

  const blocks = readmeFiles(readFileSync(path.join(root, "README.md"), "utf8"));
  run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], app);

  // Blocks that rewrite a file (http.ts with hooks) are checked in stages, so each version compiles.
  const written = new Set<string>();
  const typecheck = () => {
    run("npx", ["tsx", path.join(root, "scripts/codegen.ts"), "--app", path.join(app, "convex")], root);
    run("npx", ["tsc", "-p", "."], app);
  };
  for (const { file, code } of blocks) {
    if (written.has(file)) {
      typecheck();
      written.clear();
    }
    const target = path.join(app, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, code);
    written.add(file);
  }
  typecheck();
  if (!existsSync(path.join(app, "convex/posts.test.ts"))) throw new Error("README lost its convex-test example");
  run("npx", ["vitest", "run"], app);
  console.log(`check:package: ${blocks.length} README blocks compile and the packed package works in a fresh app`);
} finally {
  if (!process.env.KEEP_CHECK_DIR) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
