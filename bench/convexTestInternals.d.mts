/** Types of bench/convexTestInternals.mjs (a plain module: node's module hooks load it before tsx's). */
export declare const CONVEX_TEST_INDEX: RegExp;
export declare const EXPORT_INTERNALS: string;
export declare function load(
  url: string,
  context: object,
  nextLoad: (url: string, context: object) => Promise<{ source?: unknown }>,
): Promise<{ source?: unknown }>;
