import { afterEach, beforeEach, expect, it } from 'vitest'
import { resolveOptions } from '../../src/transport/redis/redis-transport-options.js'
import { ServerLinks } from '../../src/transport/redis/server-links.js'
import type { RedisUrl } from '../../src/transport/url.js'
import { Inbox } from '../contract/inbox.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq } from '../helpers/wait.js'
import { FAST } from './redis-fixtures.js'
import { StatusLog } from './status-log.js'

/**
 * ServerLinks by itself, as a Cluster transport will hold it once per shard: any subscription
 * kind, shard channels included (Redis 7 serves SSUBSCRIBE and SPUBLISH outside a cluster too).
 */
describeRedis('ServerLinks', () => {
  let server: RedisServer
  const opened: ServerLinks[] = []

  beforeEach(async () => {
    server = await RedisServer.start()
  })
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((links) => links.close()))
    await server.stop()
  })

  async function open(): Promise<{ links: ServerLinks; inbox: Inbox; statuses: StatusLog }> {
    const target: RedisUrl = {
      scheme: 'redis',
      tls: false,
      host: '127.0.0.1',
      port: server.port,
      db: 0,
      username: undefined,
      password: undefined,
    }
    const inbox = new Inbox()
    const statuses = new StatusLog()
    const links = new ServerLinks({
      owner: 'a test',
      url: server.url,
      options: resolveOptions(FAST),
      locate: async () => target,
      verify: async () => undefined,
      onMessage: inbox.sink,
      onStatus: statuses.sink,
      onGaveUp: () => undefined,
    })
    opened.push(links)
    await links.open()
    return { links, inbox, statuses }
  }

  const shardSubscribers = (...channels: string[]): string =>
    server
      .cli('pubsub', 'shardnumsub', ...channels)
      .split('\n')
      .filter((_, i) => i % 2 === 1)
      .join(' ')

  it('subscribes shard channels, restores them after a restart, and unsubscribes them', async () => {
    const { links, inbox, statuses } = await open()
    const [a, b] = [uniq('shard-a'), uniq('shard-b')]
    await links.subscribe('shard', [a, b])
    expect(shardSubscribers(a, b)).toBe('1 1')
    expect(server.cli('spublish', a, 'first')).toBe('1')
    await inbox.waitFor((m) => m.text === 'first', 'the shard message')

    await server.restart()
    await statuses.next('reconnected')
    expect(shardSubscribers(a, b)).toBe('1 1')
    expect(server.cli('spublish', b, 'after')).toBe('1')
    await inbox.waitFor((m) => m.text === 'after', 'a shard message after the restart')

    await links.unsubscribe('shard', [a])
    expect(shardSubscribers(a, b)).toBe('0 1')
    expect(inbox.messages.map((m) => [m.channel, m.pattern, m.text])).toEqual([
      [a, undefined, 'first'],
      [b, undefined, 'after'],
    ])
  })
})
