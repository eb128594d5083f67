import { describe, expect, test } from 'vitest'
import { GROUP_GONE, repliedWith } from '../../src/durable/redis/reply-error.js'
import { ConnectionError } from '../../src/errors.js'

/** A server reply as the transport hands it on: wrapped in a ConnectionError. */
const wrapped = (reply: string) =>
  new ConnectionError(`XREADGROUP on redis://127.0.0.1:1 failed: ${reply}`, { cause: new Error(reply) })

describe('Redis error replies', () => {
  test('a reply is found through the cause chain', () => {
    expect(repliedWith(wrapped('NOSCRIPT No matching script'), /NOSCRIPT/)).toBe(true)
    expect(repliedWith(new Error('outer', { cause: new Error('NOSCRIPT x') }), /NOSCRIPT/)).toBe(true)
    expect(repliedWith('NOSCRIPT', /NOSCRIPT/)).toBe(false)
  })

  test('every way Redis 7 says a group is gone, and nothing else', () => {
    for (const reply of [
      "NOGROUP No such key 'topic:{t}' or consumer group 'g' in XREADGROUP with GROUP option",
      'NOGROUP the consumer group this client was blocked on no longer exists',
      'UNBLOCKED the stream key no longer exists',
    ])
      expect(repliedWith(wrapped(reply), GROUP_GONE)).toBe(true)
    for (const reply of [
      'UNBLOCKED client unblocked via CLIENT UNBLOCK',
      'BUSYGROUP Consumer Group name already exists',
    ])
      expect(repliedWith(wrapped(reply), GROUP_GONE)).toBe(false)
  })
})
