/** Rows under a header, each column as wide as its widest cell: what the `list` commands print. */
export function table (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map(row => row[i]!.length)))
  return all.map(row => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n'
}
