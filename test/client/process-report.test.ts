import { describe, expect, test } from 'vitest'
import { REPORT_DEFAULTS, resolveReporting } from '../../src/client/process-reporter.js'
import { connect, type ProcessReport, REPORT_CHANNEL } from '../../src/index.js'
import { uniq, until } from '../helpers/wait.js'

describe('resolveReporting', () => {
  test('off unless asked; the option wins over SWITCHBOARD_REPORT', () => {
    expect(resolveReporting(undefined, undefined)).toBeUndefined()
    expect(resolveReporting(undefined, '0')).toBeUndefined()
    expect(resolveReporting(undefined, '1')).toBe(REPORT_DEFAULTS.intervalMs)
    expect(resolveReporting(undefined, '2500')).toBe(2500)
    expect(resolveReporting(true, undefined)).toBe(REPORT_DEFAULTS.intervalMs)
    expect(resolveReporting(false, '1')).toBeUndefined()
    expect(resolveReporting({ intervalMs: 100 }, '1')).toBe(100)
  })

  test('a bad interval is refused with a message that says what to give', () => {
    expect(() => resolveReporting(undefined, 'often')).toThrow(
      /SWITCHBOARD_REPORT must be a number of milliseconds/,
    )
    expect(() => resolveReporting({ intervalMs: -1 }, undefined)).toThrow(/report.intervalMs must be/)
  })
})

describe('connect({ report })', () => {
  test('a bus publishes its report on switchboard:report: services, actions, totals, errors, never a payload', async () => {
    const broker = `memory://${uniq('report')}`
    const watcher = await connect({ url: broker, codec: 'json' })
    const bus = await connect({ url: broker, report: { intervalMs: 50 }, name: 'reporting-worker' })
    try {
      const reports: ProcessReport[] = []
      await watcher.subscribe(REPORT_CHANNEL, (report) => {
        reports.push(report as ProcessReport)
      })
      const app = bus.service('inventory')
      app.action('count', async (payload: { sku: string }) => payload.sku.length)
      await app.start()
      const caller = bus.caller('inventory', { timeoutMs: 5000 })
      for (let i = 0; i < 5; i++) await caller.request('count', { sku: 'SECRET-SKU-42' })
      await bus.publish('stock', { sku: 'SECRET-SKU-42' })
      await bus.topic('restock').publish({ sku: 'SECRET-SKU-42' })
      // The five requests may straddle two reports: count them over all.
      const sum = (role: string): number =>
        reports.flatMap((r) => r.actions).reduce((n, a) => (a.role === role ? n + a.count : n), 0)
      await until(() => sum('handled') === 5 && sum('called') === 5, 'reports of the five requests')
      const report = reports.at(-1) as ProcessReport
      expect(report).toMatchObject({ v: 1, name: 'reporting-worker', pid: process.pid, intervalMs: 50 })
      const called = reports.flatMap((r) => r.actions).filter((a) => a.role === 'called')
      expect(called.every((a) => a.service === 'inventory' && a.action === 'count' && a.errors === 0)).toBe(
        true,
      )
      expect(called[0]?.p99Ms).toBeGreaterThan(0)
      expect(report.instances.map((i) => i.service)).toContain('inventory')
      expect(report.topics).toEqual(['restock'])
      expect(report.totals.published).toBeGreaterThanOrEqual(6)
      expect(JSON.stringify(reports)).not.toContain('SECRET-SKU')
    } finally {
      await bus.close()
      await watcher.close()
    }
  })

  test('a bus without report publishes nothing there', async () => {
    const broker = `memory://${uniq('quiet')}`
    const bus = await connect({ url: broker })
    try {
      expect(await bus.numsub(REPORT_CHANNEL)).toBe(0)
      expect(await bus.publish(REPORT_CHANNEL, 'x')).toBe(0)
    } finally {
      await bus.close()
    }
  })
})
