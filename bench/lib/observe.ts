import { type ConnectOptions, openTelemetryTracing, prometheusMetrics } from '../../src/index.js'

/**
 * What switchboard's buses in a bench role are observed with, from BENCH_OBSERVE (inherited by
 * the role processes): 'metrics' (prometheusMetrics on prom-client's global registry), 'tracing'
 * (openTelemetryTracing with no SDK registered: its spans are no-ops), or both, comma-separated.
 * Unset: nothing, as users get by default. Compare a row run with it and without to see the cost.
 */
export function observeOptions(): Pick<ConnectOptions, 'instrumentation'> {
  const wanted = (process.env.BENCH_OBSERVE ?? '').split(',').filter(Boolean)
  const unknown = wanted.filter((name) => name !== 'metrics' && name !== 'tracing')
  if (unknown.length > 0) throw new Error(`BENCH_OBSERVE: unknown ${unknown.join(', ')} (metrics, tracing)`)
  if (wanted.length === 0) return {}
  return {
    instrumentation: [
      ...(wanted.includes('metrics') ? [prometheusMetrics()] : []),
      ...(wanted.includes('tracing') ? [openTelemetryTracing()] : []),
    ],
  }
}
