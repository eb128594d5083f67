/** Small numeric helpers for the tables. */

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (finite.length === 0) return Number.NaN
  const mid = finite.length >> 1
  return finite.length % 2 === 1
    ? (finite[mid] as number)
    : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2
}

/** 265123 → '265k', 1234 → '1.23k', 812 → '812'. */
export function rate(value: number): string {
  if (!Number.isFinite(value)) return '—'
  if (value >= 100_000) return `${Math.round(value / 1000)}k`
  if (value >= 10_000) return `${(value / 1000).toFixed(1)}k`
  if (value >= 1000) return `${(value / 1000).toFixed(2)}k`
  return String(Math.round(value))
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—'
}

export function micros(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value)}` : '—'
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : '—'
}

export function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(value < 10 ? 1 : 0)} ms` : '—'
}

/** A plain-text table: the first row is the header; numeric-looking cells align right. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length)
    })
  }
  const numeric = /^(?:[-+]?[\d.,]+(?:k|×|%| ms| µs| MiB| msgs\/s| req\/s|\/s)?|—)$/
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) =>
        i > 0 && numeric.test(cell) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd()
  const [head, ...body] = rows
  if (!head) return ''
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(head), rule, ...body.map(line)].join('\n')
}
