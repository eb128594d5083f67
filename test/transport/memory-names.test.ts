import { afterEach, describe, expect, it } from 'vitest'
import { connect } from '../../src/client/connect.js'
import { InvalidArgumentError } from '../../src/errors.js'
import { MemoryTransport } from '../../src/transport/memory/memory-transport.js'
import { bytes, Inbox } from '../contract/inbox.js'
import { deferred, uniq, withTimeout } from '../helpers/wait.js'

/**
 * A name with a lone surrogate has no UTF-8 form: node would send U+FFFD in its place, and Redis
 * would subscribe or deliver under that other name. The embedded broker refuses such names with
 * InvalidArgumentError instead of losing messages the same way.
 */
const LONE = ['\uD800', 'orders:\uDC00', 'cut-emoji:\uD83D', '\uDE00x*']

describe('memory:// channel names that are not well-formed UTF-16', () => {
  const opened: MemoryTransport[] = []
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.close()))
  })

  async function client(broker: string): Promise<{ t: MemoryTransport; inbox: Inbox }> {
    const t = new MemoryTransport(broker)
    const inbox = new Inbox()
    t.onMessage(inbox.sink)
    await t.connect()
    opened.push(t)
    return { t, inbox }
  }

  it('refuses them in subscribe, publish, NUMSUB and CHANNELS', async () => {
    const { t } = await client(uniq('names'))
    for (const name of LONE) {
      await expect(t.subscribe('channel', [name]), name).rejects.toBeInstanceOf(InvalidArgumentError)
      await expect(t.subscribe('pattern', [name]), name).rejects.toBeInstanceOf(InvalidArgumentError)
      await expect(t.publish(name, bytes('x')), name).rejects.toBeInstanceOf(InvalidArgumentError)
      await expect(t.numsub([name]), name).rejects.toBeInstanceOf(InvalidArgumentError)
      await expect(t.channels(name), name).rejects.toBeInstanceOf(InvalidArgumentError)
    }
    // Unsubscribing what cannot have been subscribed stays the no-op it is in Redis.
    await t.unsubscribe('channel', LONE)
  })

  it('refuses them in a receipt publish, on a later turn', async () => {
    const { t } = await client(uniq('names'))
    const failed = deferred<unknown>()
    t.publishTo('\uD800', bytes('x'), {
      published: () => failed.reject(new Error('published')),
      publishFailed: failed.resolve,
    })
    expect(await withTimeout(failed.promise, 'publishFailed')).toBeInstanceOf(InvalidArgumentError)
  })

  it('refuses a batch holding one before publishing any of it', async () => {
    const broker = uniq('names')
    const sub = await client(broker)
    const { t } = await client(broker)
    await sub.t.subscribe('channel', ['good', 'marker'])
    const batch = [
      ['good', bytes('1')],
      ['\uD83D', bytes('2')],
    ] as const
    await expect(t.publishBatch(batch)).rejects.toBeInstanceOf(InvalidArgumentError)
    await t.publish('marker', bytes('end'))
    await sub.inbox.waitFor((m) => m.channel === 'marker', 'the marker')
    expect(sub.inbox.on('good')).toEqual([])
  })

  it('keeps well-formed names, surrogate pairs included, exactly', async () => {
    const broker = uniq('names')
    const sub = await client(broker)
    const { t } = await client(broker)
    await sub.t.subscribe('channel', ['😀'])
    await sub.t.subscribe('pattern', ['é?*'])
    expect(await t.publish('😀', bytes('a'))).toBe(1)
    expect(await t.publish('é😀', bytes('b'))).toBe(1)
    await sub.inbox.waitFor((m) => m.text === 'b', 'the pattern message')
    expect(sub.inbox.messages.map((m) => [m.channel, m.pattern])).toEqual([
      ['😀', undefined],
      ['é😀', 'é?*'],
    ])
  })

  it('reaches the caller of bus.subscribe and bus.publish as InvalidArgumentError', async () => {
    const bus = await connect(`memory://${uniq('names')}`)
    try {
      await expect(bus.subscribe('orders:\uD800', () => {})).rejects.toBeInstanceOf(InvalidArgumentError)
      await expect(bus.publish('orders:\uD800', { x: 1 })).rejects.toBeInstanceOf(InvalidArgumentError)
    } finally {
      await bus.close()
    }
  })
})
