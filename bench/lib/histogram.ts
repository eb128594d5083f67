import { build, type Histogram } from 'hdr-histogram-js'

/** Latency percentiles, in microseconds. */
export interface Percentiles {
  count: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
}

/** A histogram of microseconds, from 1 µs to 60 s, to 3 significant digits. */
export function microsHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  })
}

export function percentiles(h: Histogram): Percentiles {
  return {
    count: h.totalCount,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
  }
}

export function record(h: Histogram, micros: number): void {
  h.recordValue(Math.max(1, Math.round(micros)))
}
