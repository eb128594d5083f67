/**
 * Remembers what `compute` returned for each of the last few keys: for strings derived from names
 * that recur on every message (channel prefixes, quoted action names). Past `limit` keys it
 * forgets them all, so that a stream of distinct names cannot grow it without bound.
 */
export function boundedMemo<V>(compute: (key: string) => V, limit = 1024): (key: string) => V {
  const memo = new Map<string, V>()
  return (key) => {
    let value = memo.get(key)
    if (value === undefined) {
      if (memo.size >= limit) memo.clear()
      value = compute(key)
      memo.set(key, value)
    }
    return value
  }
}
