import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { connect } from '../../../src/index.js'
import { startDashboard } from '../../helpers/dashboard.js'
import { describeRedis, RedisServer } from '../../helpers/redis-server.js'
import type { Bundle, Proc } from '../../helpers/run-cli.js'
import { bundleTs } from '../../helpers/run-cli.js'
import { uniq } from '../../helpers/wait.js'

const CHROMIUM = process.env.SWITCHBOARD_CHROMIUM ?? '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) {
  if (process.env.CI === 'true')
    throw new Error(`${CHROMIUM} not found (apt-get install chromium), and CI=true makes that a failure`)
  console.warn(
    `!!! ${CHROMIUM} not found: the dashboard browser test is SKIPPED (apt-get install chromium) !!!`,
  )
}
/** Where the screenshot goes: kept with the test output (gitignored). */
const OUTPUT = join(process.cwd(), 'test-results')

/** What the checks use of the page's document. */
interface PageDocument {
  querySelector(selector: string): { textContent: string | null } | null
  querySelectorAll(selector: string): ArrayLike<{ cells: ArrayLike<{ textContent: string | null }> }>
}

const describeBrowser = hasChromium ? describeRedis : describe.skip

// Point 4 of issue 14: the page in a real browser, live, while messages and calls flow.
describeBrowser('switchboard dashboard in Chromium', { timeout: 180_000 }, () => {
  let cli: Bundle
  let redis: RedisServer
  let browser: Browser
  let dashboard: Proc | undefined

  beforeAll(async () => {
    ;[cli, redis, browser] = await Promise.all([
      bundleTs('src/cli/main.ts'),
      RedisServer.start(),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
    ])
  })
  afterAll(async () => {
    dashboard?.kill('SIGKILL')
    await browser?.close()
    await redis?.stop()
    cli?.remove()
  })

  // The checks run in the page (whose CSP refuses string evaluation), typed by hand: this
  // project's types have no DOM.
  /** Waits (bounded) until the row of `table` naming `first` has `text` in its cell `column`. */
  async function cellShows(
    page: Page,
    table: string,
    first: string,
    column: number,
    text: RegExp,
  ): Promise<void> {
    await page.waitForFunction(
      ([selector, name, col, source]) => {
        const doc = (globalThis as unknown as { document: PageDocument }).document
        return Array.from(doc.querySelectorAll(selector)).some(
          (row) =>
            row.cells[0]?.textContent === name && new RegExp(source).test(row.cells[col]?.textContent ?? ''),
        )
      },
      [`#${table} tbody tr`, first, column, text.source] as const,
      { timeout: 30_000 },
    )
  }

  /** Waits (bounded) until every element named has text matching its pattern. */
  async function shows(page: Page, ...checks: Array<[selector: string, text: RegExp]>): Promise<void> {
    await page.waitForFunction(
      (pairs) => {
        const doc = (globalThis as unknown as { document: PageDocument }).document
        return pairs.every(([selector, source]) =>
          new RegExp(source).test(doc.querySelector(selector)?.textContent ?? ''),
        )
      },
      checks.map(([selector, text]) => [selector, text.source] as [string, string]),
      { timeout: 30_000 },
    )
  }

  test('publishes and calls show up on the open page, and a Redis restart is announced', async () => {
    const channel = uniq('orders')
    const service = uniq('billing')
    const legacy = uniq('py_inventory')
    const url = redis.url
    const started = await startDashboard(cli, ['--url', url])
    dashboard = started.proc
    const serviceBus = await connect({ url, report: { intervalMs: 250 }, name: 'billing-worker' })
    const bus = await connect({ url, report: { intervalMs: 250 }, name: 'web-frontend' })
    // A Python Daebus service, as the wire shows it: subscribed to its channel, no instance channel.
    const daebus = await connect({ url, codec: 'json' })
    try {
      const app = serviceBus.service(service)
      app.action('charge', async (payload: { cents: number }) => ({ ok: payload.cents > 0 }))
      app.action('refund', async () => {
        throw new Error('refunds are closed')
      })
      await app.start()
      await daebus.subscribe(legacy, async (data) => {
        const req = data as { reply_to: string; request_id: string }
        await daebus.publish(req.reply_to, {
          status: 'success',
          payload: 7,
          request_id: req.request_id,
          final: true,
        })
      })

      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
      await page.goto(started.url)
      await shows(page, ['#link', /^connected$/])

      for (let i = 0; i < 25; i++) await bus.publish(channel, { n: i })
      await cellShows(page, 'channels', channel, 3, /^25$/)

      const billing = bus.caller(service, { timeoutMs: 10_000 })
      for (let i = 0; i < 12; i++) await billing.request('charge', { cents: 100 + i })
      await expect(billing.request('refund', {})).rejects.toThrow('refunds are closed')
      const inventory = bus.caller(legacy, { timeoutMs: 10_000 })
      for (let i = 0; i < 3; i++) expect(await inventory.request('count', {})).toBe(7)

      // Requests column (8), errors column (7), instances (1): seen on the wire and reported.
      await cellShows(page, 'services', service, 8, /^12$/)
      await cellShows(page, 'services', service, 1, /1 switchboard/)
      // Round-trip p50 (column 4), measured on the wire; handler p99 (6), reported by the service.
      await cellShows(page, 'services', service, 4, /\d+ (µs|ms)/)
      await cellShows(page, 'services', service, 6, /\d+ (µs|ms)/)
      await shows(page, ['#services', /refund/], ['#errors', /refunds are closed/])
      await cellShows(page, 'services', legacy, 1, /1 other \(Daebus\)/)
      await cellShows(page, 'services', legacy, 8, /^3$/)
      await shows(page, ['#processes', /billing-worker/], ['#processes', /web-frontend/])
      // More traffic while the page is open: the total moves on without a reload.
      for (let i = 0; i < 15; i++) await bus.publish(channel, { n: i })
      await cellShows(page, 'channels', channel, 3, /^40$/)
      expect(await page.locator('#topics tbody').textContent()).toContain('no durable topics')

      mkdirSync(OUTPUT, { recursive: true })
      await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true })
      if (process.env.SWITCHBOARD_DOCS_SCREENSHOT) {
        await page.screenshot({ path: process.env.SWITCHBOARD_DOCS_SCREENSHOT, fullPage: true })
      }

      await redis.restart()
      await shows(page, ['#banner', /Redis connection restored/])
      expect(await page.locator('#link').textContent()).toBe('connected')
      await page.screenshot({ path: join(OUTPUT, 'dashboard-after-restart.png'), fullPage: true })
    } finally {
      await Promise.all([serviceBus.close(), bus.close(), daebus.close()])
    }
  })
})
