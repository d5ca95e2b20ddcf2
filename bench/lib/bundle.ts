/**
 * Bytes of Convex bundle, built the way `npx convex deploy` builds functions
 * (the esbuild options of convex 1.48's bundler: browser platform, `convex`/`module`
 * conditions, ESM, tree-shaken, syntax and identifiers minified, whitespace and names
 * kept, NODE_ENV=production), split by the package each byte comes from.
 *
 * `convex` itself is left external: every Convex app bundles it already, so it is
 * not a cost of importing this package (or of the baseline).
 */
import path from "node:path";
import * as esbuild from "esbuild";

export type BundleSize = {
  total: number;
  /** Output bytes per source package: `svix`, `@clerk/shared`, ... and `(package src)` / `(app code)`. */
  byPackage: Map<string, number>;
  /** Every input file that reached the output, relative to the repo. */
  inputs: string[];
  /** Per entry module: what loading it loads (its output plus the shared chunks it imports). */
  entries: Map<string, number>;
};

const CONVEX_OPTIONS: esbuild.BuildOptions = {
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "esnext",
  conditions: ["convex", "module"],
  treeShaking: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  minifyWhitespace: false,
  keepNames: true,
  define: { "process.env.NODE_ENV": '"production"' },
  metafile: true,
  write: false,
  logLevel: "silent",
  external: ["convex", "convex/*"],
};

/** The bundle of some Convex function modules (several share chunks, as Convex splits them). */
export async function bundleModules(root: string, entryPoints: string[]): Promise<BundleSize> {
  const result = await esbuild.build({
    ...CONVEX_OPTIONS,
    absWorkingDir: root,
    tsconfig: path.join(root, "tsconfig.json"),
    entryPoints,
    outdir: path.join(root, "bench/.out"),
    splitting: true,
  });
  return sizes(result.metafile!);
}

/** The bundle of a module with this source (e.g. one importing the package's root entry). */
export async function bundleSource(root: string, contents: string): Promise<BundleSize> {
  const result = await esbuild.build({
    ...CONVEX_OPTIONS,
    absWorkingDir: root,
    tsconfig: path.join(root, "tsconfig.json"),
    stdin: { contents, resolveDir: root, loader: "ts", sourcefile: "entry.ts" },
    outfile: path.join(root, "bench/.out/entry.js"),
  });
  return sizes(result.metafile!);
}

function sizes(metafile: esbuild.Metafile): BundleSize {
  const byPackage = new Map<string, number>();
  const inputs = new Set<string>();
  let total = 0;
  for (const output of Object.values(metafile.outputs)) {
    total += output.bytes;
    let attributed = 0;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput === 0) continue;
      inputs.add(input);
      attributed += bytesInOutput;
      add(byPackage, packageOf(input), bytesInOutput);
    }
    // Import/export statements, chunk glue and CommonJS wrappers belong to no input.
    add(byPackage, "(esbuild glue, CJS wrappers)", output.bytes - attributed);
  }
  const entries = new Map<string, number>();
  for (const [name, output] of Object.entries(metafile.outputs)) {
    if (!output.entryPoint) continue;
    const loaded = new Set<string>();
    const load = (file: string) => {
      if (loaded.has(file) || !metafile.outputs[file]) return;
      loaded.add(file);
      for (const imported of metafile.outputs[file]!.imports) if (!imported.external) load(imported.path);
    };
    load(name);
    entries.set(
      output.entryPoint,
      [...loaded].reduce((sum, file) => sum + metafile.outputs[file]!.bytes, 0),
    );
  }
  return { total, byPackage, inputs: [...inputs].sort(), entries };
}

function add(map: Map<string, number>, key: string, bytes: number) {
  if (bytes !== 0) map.set(key, (map.get(key) ?? 0) + bytes);
}

export function packageOf(input: string): string {
  const i = input.lastIndexOf("node_modules/");
  if (i >= 0) {
    const [scope, name] = input.slice(i + "node_modules/".length).split("/");
    return scope!.startsWith("@") ? `${scope}/${name}` : scope!;
  }
  if (input.startsWith("src/")) return "(package src)";
  if (input.startsWith("bench/")) return "(app code)";
  return "(entry)";
}
