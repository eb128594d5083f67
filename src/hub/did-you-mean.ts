/** Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment). */
function distance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(
        (rows[i - 1]?.[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (rows[i - 1]?.[j - 1] ?? 0) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1)
      row.push(best)
    }
    rows.push(row)
  }
  return rows[a.length]?.[b.length] ?? 0
}

/**
 * The candidate closest to `word`, when it is close enough to be a typo (at most a third of its
 * letters off, at least one, never more than 3): what a "did you mean" suggests. Of two as close,
 * the one nearer in length wins (`dayz` → `days`, not `day`).
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase()
  const limit = Math.min(3, Math.max(1, Math.floor(lower.length / 3)))
  let best: { candidate: string; score: number } | undefined
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase())
    if (d > limit) continue
    const score = d * 100 + Math.abs(candidate.length - lower.length)
    if (!best || score < best.score) best = { candidate, score }
  }
  return best?.candidate
}
