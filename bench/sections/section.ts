import type { BenchOptions, Section } from '../lib/options.js'
import type { Progress } from '../lib/progress.js'
import type { BenchRedis } from '../lib/redis-launcher.js'
import { median } from '../lib/stats.js'

export interface SectionContext {
  redis: BenchRedis
  options: BenchOptions
  progress: Progress
  /** 1, or about 1/3 with --quick: multiplies durations and message counts. */
  size: number
  /** Results of the sections already run, by name (physical compares with e2e). */
  earlier: Partial<Record<Section, SectionResult>>
}

export interface SectionResult {
  title: string
  /** The printed table; the first row is the header. */
  table: string[][]
  notes: string[]
  /** Everything measured, for bench/results/latest.json. */
  data: unknown
}

export interface SectionDef {
  name: Section
  /** How many progress steps run() will report. */
  steps(options: BenchOptions): number
  run(ctx: SectionContext): Promise<SectionResult>
}

/** Per-run ratio of `values[i]` to `reference[i]`, then the median of those ratios. */
export function medianRatio(values: readonly number[], reference: readonly number[]): number {
  return median(values.map((v, i) => v / (reference[i] ?? Number.NaN)))
}

/** For each run, the best (max or min) over several series. */
export function bestPerRun(series: readonly (readonly number[])[], pick: 'max' | 'min'): number[] {
  const runs = Math.max(0, ...series.map((s) => s.length))
  return Array.from({ length: runs }, (_, i) => {
    const values = series.map((s) => s[i] ?? Number.NaN).filter((v) => Number.isFinite(v))
    if (values.length === 0) return Number.NaN
    return pick === 'max' ? Math.max(...values) : Math.min(...values)
  })
}

/** Appends `value` to the list under `key`, making the list on first use. */
export function append<T>(lists: Record<string, T[]>, key: string, value: T): void {
  const list = lists[key]
  if (list) list.push(value)
  else lists[key] = [value]
}
