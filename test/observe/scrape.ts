import type { Registry } from 'prom-client'

/** One scrape of a registry, in the text format Prometheus reads, as `name{labels}` → value. */
export interface Scrape {
  /** The value of one series; `labels` in any order; undefined when the series is absent. */
  value(name: string, labels?: Record<string, string>): number | undefined
  /** The series of a metric name, with their labels. */
  series(name: string): { labels: Record<string, string>; value: number }[]
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export async function scrape(registry: Registry): Promise<Scrape> {
  const text = await registry.metrics()
  const rows: { name: string; labels: Record<string, string>; value: number }[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue
    const match = LINE.exec(line)
    if (!match) throw new Error(`not an exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = value as string
    rows.push({ name: match[1] as string, labels, value: Number(match[3]) })
  }
  const same = (a: Record<string, string>, b: Record<string, string>) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v)
  return {
    value: (name, labels = {}) => rows.find((row) => row.name === name && same(row.labels, labels))?.value,
    series: (name) => rows.filter((row) => row.name === name).map(({ labels, value }) => ({ labels, value })),
  }
}
