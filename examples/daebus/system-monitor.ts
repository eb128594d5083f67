/**
 * Daebus' first example, in switchboard: a `system_monitor` service answers `get_status`, and a
 * caller in another part of the system asks it. The envelopes on the wire are Daebus' own, so a
 * Python `DaebusCaller('system_monitor').send_request('get_status', {})` gets the same answer.
 *
 *   npx tsx examples/daebus/system-monitor.ts        (SWITCHBOARD_URL=redis://... to use Redis)
 */
import { freemem, loadavg, totalmem, uptime } from 'node:os'
import { connect } from '../../src/index.js'
import { type ExampleOptions, runIfMain } from '../support.js'

export interface SystemStatus {
  load1: number
  memoryUsedPct: number
  uptimeS: number
  detailed?: { platform: string; pid: number }
}

/** The service: one action, and what it returns is the response. */
export async function startSystemMonitor(url: string | undefined) {
  const bus = await connect({ url, codec: 'json' })
  const app = bus.service('system_monitor')
  app.action('get_status', (payload: { detailed?: boolean }): SystemStatus => {
    const status: SystemStatus = {
      load1: loadavg()[0] ?? 0,
      memoryUsedPct: Math.round((1 - freemem() / totalmem()) * 1000) / 10,
      uptimeS: Math.round(uptime()),
    }
    if (payload?.detailed) status.detailed = { platform: process.platform, pid: process.pid }
    return status
  })
  await app.start()
  return { bus, app }
}

export async function main(options: ExampleOptions = {}) {
  const print = options.print ?? console.log
  const monitor = await startSystemMonitor(options.url)
  const client = await connect({ url: options.url, codec: 'json' })
  try {
    const status = (await client
      .caller('system_monitor')
      .request('get_status', { detailed: true })) as SystemStatus
    print(
      `system_monitor says: load ${status.load1.toFixed(2)}, memory ${status.memoryUsedPct}% used, up ${status.uptimeS} s`,
    )
    return { status }
  } finally {
    await client.close()
    await monitor.bus.close()
  }
}

runIfMain('system-monitor', main)
