import { describe, expect, it } from 'vitest'
import { keySlot } from '../../src/transport/cluster/key-slot.js'
import { movedIn } from '../../src/transport/cluster/redirect.js'
import { ShardStatuses } from '../../src/transport/cluster/shard-statuses.js'
import { SlotMap } from '../../src/transport/cluster/slot-map.js'

describe('keySlot', () => {
  it('matches the slots Redis Cluster computes (CLUSTER KEYSLOT)', () => {
    // Values from redis-cli CLUSTER KEYSLOT on Redis 7.
    expect(keySlot('foo')).toBe(12182)
    expect(keySlot('bar')).toBe(5061)
    expect(keySlot('')).toBe(0)
    expect(keySlot('123456789')).toBe(12739)
  })

  it('hashes only the hash tag when there is one, so that tagged names share a slot', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'))
    expect(keySlot('{user1000}.followers')).toBe(keySlot('user1000'))
    // Only the first { and the next } count; an empty tag hashes the whole name.
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'))
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'))
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'))
  })

  it('hashes UTF-8 bytes', () => {
    expect(keySlot('{é}x')).toBe(keySlot('é'))
    expect(keySlot('é')).toBeLessThan(16384)
    // Non-ASCII outside the tag, inside it, and in a name with no tag.
    expect(keySlot('é{user1000}')).toBe(keySlot('user1000'))
    expect(keySlot('x{é}')).toBe(keySlot('é'))
    // CRC16 (XMODEM) of the UTF-8 bytes, as CLUSTER KEYSLOT computes it.
    expect(keySlot('café')).toBe(5735)
    expect(keySlot('é')).toBe(10180)
  })
})

describe('SlotMap', () => {
  it('reads CLUSTER SLOTS, with an empty host meaning the node asked', () => {
    const map = SlotMap.fromClusterSlots(
      [
        [0, 5460, ['127.0.0.1', 7000, 'id0'], ['127.0.0.1', 7003, 'id3']],
        [5461, 16383, ['', 7001, 'id1']],
      ],
      'seed',
    )
    expect(map.ownerOf(0)?.id).toBe('127.0.0.1:7000')
    expect(map.ownerOf(5461)?.id).toBe('seed:7001')
    expect(map.primaries.map((p) => p.id)).toEqual(['127.0.0.1:7000', 'seed:7001'])
    expect(map.uncovered).toBe(0)
    map.assign(7, 7, { host: 'h', port: 1 })
    expect(map.ownerOf(7)?.id).toBe('h:1')
    expect(SlotMap.fromClusterSlots([[0, 9, ['h', 1]]], 's').uncovered).toBe(16384 - 10)
  })
})

describe('movedIn', () => {
  it('finds a MOVED redirection in an error or its causes', () => {
    const reply = new Error('MOVED 3999 127.0.0.1:6381')
    const wrapped = new Error('SPUBLISH failed', { cause: reply })
    expect(movedIn(wrapped, { host: 'x', port: 1 })).toEqual({ slot: 3999, host: '127.0.0.1', port: 6381 })
    expect(movedIn(new Error('MOVED 1 :7000'), { host: 'x', port: 1 })).toEqual({
      slot: 1,
      host: 'x',
      port: 7000,
    })
    expect(movedIn(new Error('ERR other'), { host: 'x', port: 1 })).toBeUndefined()
  })
})

describe('ShardStatuses', () => {
  it('is disconnected when the first shard drops, reconnected when the last is back or gone', () => {
    const statuses = new ShardStatuses()
    expect(statuses.down('a')).toBe(true)
    expect(statuses.down('b')).toBe(false)
    expect(statuses.up('a')).toBe(false)
    expect(statuses.up('b')).toBe(true)
    expect(statuses.up('b')).toBe(false)
    expect(statuses.anyDown).toBe(false)
  })
})
