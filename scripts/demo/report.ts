/** Plain-text output for the demo: aligned tables, and checks that fail the run. */

/** Prints rows as aligned columns under a title; the first row is the header. */
export function table(title: string, rows: string[][]) {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? "").length)));
  const line = (row: string[]) =>
    "  " +
    row
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join("  ")
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(rows[0]!));
  console.log("  " + widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows.slice(1)) console.log(line(row));
}

/** Collects expectation checks; the run fails if any of them diverged. */
export class Checks {
  private passed = 0;
  private failures: string[] = [];

  /** Compares by JSON, so rows and lists compare by value. */
  expect(what: string, actual: unknown, expected: unknown) {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a === e) this.passed++;
    else this.failures.push(`${what}\n      expected ${e}\n      got      ${a}`);
  }

  /** Prints the verdict and returns the process exit code. */
  finish(): number {
    if (this.failures.length === 0) {
      console.log(`\nall ${this.passed} checks passed`);
      return 0;
    }
    console.error(`\n${this.failures.length} of ${this.passed + this.failures.length} checks FAILED:`);
    for (const failure of this.failures) console.error(`  - ${failure}`);
    return 1;
  }
}
