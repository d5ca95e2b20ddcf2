/** Plain-text table: a row per figure, a column per implementation (and the floor), and the first two's ratio. */
export type Cell = number | string | null;
export type Row = { label: string; values: Cell[]; ratio?: boolean; format?: (n: number) => string } | { section: string };

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString("en-US"),
  dec: (n: number) => n.toFixed(2),
  ms: (n: number) => `${n.toFixed(0)} ms`,
  pct: (n: number) => `${n.toFixed(0)}%`,
  us: (n: number) => `${n.toFixed(0)} µs`,
  bytes: (n: number) => `${Math.round(n).toLocaleString("en-US")} B`,
};

function ratio(a: Cell, b: Cell): string {
  if (typeof a !== "number" || typeof b !== "number") return "";
  if (a === 0 && b === 0) return "=";
  if (b === 0) return "n/a";
  return `${(a / b).toFixed(2)}x`;
}

export function renderTable(headers: string[], rows: Row[]): string {
  const lines: string[][] = [[...headers, "ratio"]];
  const sections = new Set<number>();
  for (const row of rows) {
    if ("section" in row) {
      sections.add(lines.length);
      lines.push([row.section]);
      continue;
    }
    const format = row.format ?? fmt.dec;
    // Rows with fewer values than columns leave the rest blank.
    const values = [...row.values, ...new Array<Cell>(Math.max(0, headers.length - 1 - row.values.length)).fill(null)];
    const cells = values.map((v) => (v === null ? "—" : typeof v === "number" ? format(v) : v));
    lines.push([row.label, ...cells, row.ratio === false ? "" : ratio(row.values[0] ?? null, row.values[1] ?? null)]);
  }
  const widths = headers.map((_, i) => Math.max(...lines.filter((_, n) => !sections.has(n)).map((l) => (l[i] ?? "").length)));
  widths.push(Math.max(...lines.filter((_, n) => !sections.has(n)).map((l) => (l[headers.length] ?? "").length)));
  const rule = widths.map((w) => "-".repeat(w)).join("-+-");
  const out: string[] = [];
  lines.forEach((cells, n) => {
    if (sections.has(n)) {
      if (out.at(-1) !== rule) out.push(rule);
      out.push(cells[0]!);
      return;
    }
    out.push(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | "));
    if (n === 0) out.push(rule);
  });
  return out.join("\n");
}

/** Plain-text grid of strings: the first column left-aligned, the rest right-aligned; a section is a line of its own. */
export function renderGrid(headers: string[], rows: (string[] | { section: string })[]): string {
  const cells = rows.filter((row): row is string[] => Array.isArray(row));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ");
  const rule = widths.map((w) => "-".repeat(w)).join("-+-");
  return [line(headers), rule, ...rows.map((row) => (Array.isArray(row) ? line(row) : row.section))].join("\n");
}
