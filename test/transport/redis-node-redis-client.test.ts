import { describe, expect, it } from 'vitest'
import { createNodeRedisClient } from '../../src/transport/redis/node-redis-client.js'
import { resolveOptions } from '../../src/transport/redis/redis-transport-options.js'
import { parseUrl } from '../../src/transport/url.js'

/** How node-redis clients are made (node-redis-client.ts): with create() unless leanClients. */
describe('createNodeRedisClient', () => {
  const target = parseUrl('redis://127.0.0.1:1')
  if (target.scheme !== 'redis') throw new Error('a redis:// URL')

  it('makes clients with create() by default: they carry the command methods', () => {
    const client = createNodeRedisClient(target, resolveOptions(), 'cmd')
    expect(typeof (client as unknown as Record<string, unknown>).get).toBe('function')
    expect(typeof client.sendCommand).toBe('function')
  })

  it('makes lean clients with new RedisClient when asked (the CLI): sendCommand only', () => {
    const client = createNodeRedisClient(target, resolveOptions({ leanClients: true }), 'cmd')
    expect((client as unknown as Record<string, unknown>).get).toBeUndefined()
    expect(typeof client.sendCommand).toBe('function')
  })
})
