/**
 * Publish with acknowledgment: publish() says how many subscribers received a message, so the
 * publisher knows how many acks to wait for. A consumer that fails before acking is found by
 * the timeout, and the message is published again; consumers skip ids they have already done,
 * which makes the retry safe (at-least-once delivery, idempotent handling).
 */
import { randomUUID } from 'node:crypto'
import type { Bus } from '../src/index.js'
import { ExampleBuses, type ExampleOptions, runIfMain } from './support.js'

interface Invoice {
  id: number
  amount: number
  ackTo: string
}
interface Ack {
  id: number
  by: string
}

export interface PublishAckResult {
  /** Invoice id → the consumers that acknowledged it, by name. */
  acked: Record<number, string[]>
  /** Invoice ids sent more than once because an ack was missing. */
  retried: number[]
  /** What each consumer processed, in order, without duplicates. */
  processed: Record<string, number[]>
}

export async function main(options: ExampleOptions = {}): Promise<PublishAckResult> {
  const say = options.print ?? console.log
  const buses = new ExampleBuses(options.url)
  const open = (): Promise<Bus> => buses.open()
  try {
    const processed: Record<string, number[]> = { billing: [], audit: [] }
    let auditFailsOnce = true
    for (const name of ['billing', 'audit']) {
      const bus = await open()
      await bus.subscribe('invoices', async (data: unknown) => {
        const invoice = data as Invoice
        const done = processed[name] as number[]
        if (name === 'audit' && invoice.id === 2 && auditFailsOnce) {
          auditFailsOnce = false
          say(`  audit crashed while handling invoice ${invoice.id} (no ack)`)
          return
        }
        if (!done.includes(invoice.id)) done.push(invoice.id) // a retry must not count twice
        await bus.publish(invoice.ackTo, { id: invoice.id, by: name } satisfies Ack)
      })
    }

    const publisher = await open()
    const ackTo = `invoices:acks:${randomUUID()}`
    const acked: Record<number, string[]> = {}
    const waiting = new Map<number, () => void>()
    await publisher.subscribe(ackTo, (data: unknown) => {
      const ack = data as Ack
      const by = acked[ack.id] ?? []
      acked[ack.id] = by
      if (!by.includes(ack.by)) by.push(ack.by)
      waiting.get(ack.id)?.()
    })

    /** Publishes and waits until as many acks as receivers arrive; false on timeout. */
    const publishAndWait = async (invoice: Invoice, timeoutMs: number): Promise<boolean> => {
      let settle: (ok: boolean) => void = () => {}
      const result = new Promise<boolean>((resolve) => {
        settle = resolve
      })
      const timer = setTimeout(() => settle(false), timeoutMs)
      let receivers = Number.POSITIVE_INFINITY
      waiting.set(invoice.id, () => {
        if ((acked[invoice.id]?.length ?? 0) >= receivers) settle(true)
      })
      receivers = await publisher.publish('invoices', invoice)
      waiting.get(invoice.id)?.() // acks may have come before publish() returned
      const ok = await result
      clearTimeout(timer)
      waiting.delete(invoice.id)
      say(
        `invoice ${invoice.id}: ${acked[invoice.id]?.length ?? 0} of ${receivers} acks${ok ? '' : ' — timed out'}`,
      )
      return ok
    }

    const retried: number[] = []
    for (const [id, amount] of [
      [1, 120],
      [2, 75],
      [3, 310],
    ] as const) {
      const invoice = { id, amount, ackTo }
      let attempts = 1
      while (!(await publishAndWait(invoice, 300))) {
        if (attempts === 3) throw new Error(`invoice ${id} was never acknowledged by every consumer`)
        attempts += 1
        retried.push(id)
        say(`  publishing invoice ${id} again (attempt ${attempts})`)
      }
    }
    for (const by of Object.values(acked)) by.sort() // acks arrive in any order
    return { acked, retried, processed }
  } finally {
    await buses.closeAll()
  }
}

runIfMain('publish-ack', main)
