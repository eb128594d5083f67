import { execFileSync } from 'node:child_process'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { SlowConsumerError } from '../../src/errors.js'
import { bytes } from '../contract/inbox.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq } from '../helpers/wait.js'
import { connectedTransport, type Fixture } from './redis-fixtures.js'

describeRedis('RedisTransport slow consumer', () => {
  let server: RedisServer
  const fixtures: Fixture[] = []

  beforeEach(async () => {
    server = await RedisServer.start()
    // A tiny pub/sub output buffer: a subscriber that stops reading is cut off quickly.
    server.cli('config', 'set', 'client-output-buffer-limit', 'pubsub 1kb 1kb 0')
  })
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.t.close()))
    await server.stop()
  })

  it('reports a subscriber Redis dropped for reading too slowly, then resubscribes', async () => {
    const f = await connectedTransport(server.url)
    fixtures.push(f)
    const { t, inbox, statuses } = f
    const ch = uniq('slow')
    let stalled = false
    t.onMessage((channel, payload, pattern) => {
      inbox.sink(channel, payload, pattern)
      if (stalled || new TextDecoder().decode(payload) !== 'stall') return
      stalled = true
      // The handler blocks the event loop, so the subscriber socket goes unread, while another
      // process floods the channel: 5000 messages of 4 KiB, far more than the socket buffers hold.
      execFileSync('redis-cli', ['-p', String(server.port), '-r', '5000', 'publish', ch, 'x'.repeat(4096)], {
        stdio: 'ignore',
      })
    })
    await t.subscribe('channel', [ch])
    await t.subscribe('pattern', [`${ch}*`])
    await t.publish(ch, bytes('stall'))

    const report = await statuses.next('error')
    await statuses.next('reconnected')
    expect(statuses.types).toEqual(['connected', 'disconnected', 'error', 'reconnected'])
    expect(report.error).toBeInstanceOf(SlowConsumerError)
    expect(report.error.message).toContain(server.url)
    expect(report.error.message).toMatch(/read too slowly.*client-output-buffer-limit pubsub/)

    // Resubscribed: a message published now arrives on the channel and on the pattern.
    expect(await t.publish(ch, bytes('after'))).toBe(2)
    const after = await inbox.waitForCount((m) => m.text === 'after', 2, 'the message after resubscribing')
    expect(after.map((m) => m.pattern).sort()).toEqual([`${ch}*`, undefined].sort())
  })
})
