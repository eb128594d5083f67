import { afterAll, beforeAll, expect, it } from 'vitest'
import { SubscriberError } from '../../src/errors.js'
import { bytes } from '../contract/inbox.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq } from '../helpers/wait.js'
import { connectedTransport, type Fixture } from './redis-fixtures.js'

describeRedis('RedisTransport delivery', () => {
  let server: RedisServer
  let f: Fixture

  beforeAll(async () => {
    server = await RedisServer.start()
    f = await connectedTransport(server.url)
  })
  afterAll(async () => {
    await f?.t.close()
    await server?.stop()
  })

  it('a sink that throws is reported as SubscriberError, and delivery goes on', async () => {
    const ch = uniq('throws')
    f.t.onMessage((channel, payload, pattern) => {
      f.inbox.sink(channel, payload, pattern)
      if (new TextDecoder().decode(payload) === 'bad') throw new Error('handler bug')
    })
    await f.t.subscribe('channel', [ch])
    await f.t.publish(ch, bytes('bad'))
    await f.t.publish(ch, bytes('good'))
    await f.inbox.waitFor((m) => m.text === 'good', 'the message after the throw')
    const report = await f.statuses.next('error')
    expect(report.error).toBeInstanceOf(SubscriberError)
    expect(report.error.message).toMatch(new RegExp(`"${ch}".*handler bug`))
  })

  it('connect() twice connects once and reports connected once', async () => {
    await f.t.connect()
    await f.t.connect()
    expect(f.statuses.of('connected')).toHaveLength(1)
  })

  it('one client on many channels and patterns is one subscriber connection to Redis', async () => {
    const prefix = uniq('many')
    await f.t.subscribe(
      'channel',
      Array.from({ length: 50 }, (_, i) => `${prefix}:${i}`),
    )
    await f.t.subscribe(
      'pattern',
      Array.from({ length: 20 }, (_, i) => `${prefix}:${i}:*`),
    )
    const pubsubClients = server.cli('client', 'list', 'type', 'pubsub').split('\n')
    expect(pubsubClients).toHaveLength(1)
    const line = pubsubClients[0] ?? ''
    expect(line).toContain('name=switchboard:sub ')
    expect(Number(/ sub=(\d+)/.exec(line)?.[1])).toBeGreaterThanOrEqual(50)
    expect(Number(/ psub=(\d+)/.exec(line)?.[1])).toBe(20)
  })
})
