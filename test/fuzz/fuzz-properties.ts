import { parentPort, workerData } from 'node:worker_threads'
import fc from 'fast-check'

/** A property ready to run: null when it holds, else fast-check's report and the error. */
export interface FuzzProperty {
  check(runs: number): string | null
}

/** A property, and inputs that broke it before, which are always tried first. */
export function fuzzProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IProperty<Ts>,
  examples: Ts[] = [],
): FuzzProperty {
  return {
    check(runs) {
      const details = fc.check(property, { numRuns: runs, examples })
      if (!details.failed) return null
      const error = details.errorInstance
      return `${fc.defaultReportMessage(details) ?? ''}\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
    },
  }
}

/** The worker side of fuzz-host.ts: runs the property the host named, and posts its report. */
export function serveProperties(properties: Record<string, FuzzProperty>): void {
  const { property: name, runs } = workerData as { property: string; runs: number }
  const entry = properties[name]
  parentPort?.postMessage(
    entry === undefined
      ? `no property "${name}"; there are: ${Object.keys(properties).join(', ')}`
      : entry.check(runs),
  )
}
