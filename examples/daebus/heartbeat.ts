/**
 * A background task that broadcasts a heartbeat, as Daebus' `@app.background('heartbeat', 60)`
 * does. The task never overlaps itself, an error in one run is logged and the next run still
 * comes, and stopping the service aborts the signal the task gets. A monitor listens with
 * `app.listen()`; the JSON codec keeps the heartbeat readable by Python Daebus listeners too.
 *
 *   npx tsx examples/daebus/heartbeat.ts
 */
import { connect } from '../../src/index.js'
import { Arrivals, type ExampleOptions, runIfMain } from '../support.js'

export interface Heartbeat {
  service: string
  seq: number
  at: number
}

export async function main(options: ExampleOptions & { intervalMs?: number; beats?: number } = {}) {
  const print = options.print ?? console.log
  const intervalMs = options.intervalMs ?? 1000
  const beats = options.beats ?? 3
  const workerBus = await connect({ url: options.url, codec: 'json' })
  const monitorBus = await connect({ url: options.url, codec: 'json' })
  try {
    const received: Heartbeat[] = []
    const arrivals = new Arrivals()
    const monitor = monitorBus.service('monitor').listen('system_events', (event: Heartbeat) => {
      received.push(event)
      print(`heartbeat #${event.seq} from ${event.service}`)
      arrivals.hit()
    })
    await monitor.start()

    let seq = 0
    const worker = workerBus.service('worker').background(
      'heartbeat',
      intervalMs,
      async (signal) => {
        if (signal.aborted) return
        seq += 1
        await workerBus.broadcast('system_events', { service: 'worker', seq, at: Date.now() })
      },
      { immediate: true },
    )
    await worker.start()
    await arrivals.until(beats, `${beats} heartbeats`, intervalMs * beats + 5000)
    await worker.stop()
    await monitor.stop()
    return { received: received.slice(0, beats) }
  } finally {
    await workerBus.close()
    await monitorBus.close()
  }
}

runIfMain('heartbeat', main)
