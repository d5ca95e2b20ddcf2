/**
 * How much batched work one transaction does. In production these are fixed; they live in one
 * object so a test can shrink them (`withLimits`) and reach a batch's edge with a handful of
 * rows instead of a thousand.
 */
export const LIMITS = {
  /**
   * Rows removed (or their copies refreshed) per transaction when objects that others belong to
   * are deleted or changed, across every such object in the transaction: an organization can
   * have more members than Convex lets one transaction write (16,000), a reconcile batch can
   * delete many organizations at once, and each removal also hands an event to the app's hooks,
   * whose own writes share the transaction. The rest continue in scheduled transactions.
   */
  cascadeBatch: 500,
  /**
   * Index ranges a transaction's cascades read (one per kind and deleted object, even when it
   * finds nothing): Convex reads at most 4,096 per transaction, and a reconcile batch deleting
   * hundreds of users reads more for their lookups and hooks. Past it, an object's removals
   * continue in its own scheduled transactions.
   */
  cascadeRanges: 1000,
  /**
   * Rows of a resync page's span judged, and candidates asked about, per transaction: as many as
   * a page of Clerk's list (500), so one transaction stays well inside Convex's read limits.
   */
  resyncBatch: 500,
  /**
   * Rows of each kind one privacy export returns (privacy.ts), and the bytes of all of them:
   * bounds that keep one query inside Convex's read limits (16,384 documents, 8 MiB per
   * transaction) whatever the person holds. A part cut short is named in the export's `truncated`.
   */
  exportRowsPerKind: 1000,
  exportBytes: 4 * 1024 * 1024,
};

/**
 * Runs `body` with some limits changed, then puts them back. For tests: convex-test runs the
 * component in the test's own module graph, so the component reads the values set here.
 * ```ts
 * await withLimits({ cascadeBatch: 5 }, async () => { ... });
 * ```
 */
export async function withLimits<T>(limits: Partial<typeof LIMITS>, body: () => Promise<T>): Promise<T> {
  const saved = { ...LIMITS };
  Object.assign(LIMITS, limits);
  try {
    return await body();
  } finally {
    Object.assign(LIMITS, saved);
  }
}
