import { describe, expect, test } from 'vitest'
import { escapeGlob, instanceChannel, instancePattern } from '../../src/rpc/channels.js'
import { InstanceDirectory } from '../../src/rpc/instance-directory.js'
import { deferred } from '../helpers/wait.js'

function fakeLister(initial: string[]) {
  const state = { channels: initial, calls: [] as string[] }
  const list = async (pattern: string) => {
    state.calls.push(pattern)
    return [...state.channels]
  }
  return { state, list }
}

describe('InstanceDirectory (no I/O: the lister is injected)', () => {
  test('looks the instances up with an escaped PUBSUB CHANNELS pattern', async () => {
    const { state, list } = fakeLister(['s:instance:a'])
    const dir = new InstanceDirectory(list)
    expect(await dir.instances('s', 1000)).toEqual(['s:instance:a'])
    expect(state.calls).toEqual(['s:instance:*'])
    expect(instancePattern('we*ird[1]')).toBe('we\\*ird\\[1\\]:instance:*')
    expect(escapeGlob('a?b\\c')).toBe('a\\?b\\\\c')
    expect(instanceChannel('s', 'id1')).toBe('s:instance:id1')
  })

  test('round-robins over the instances', async () => {
    const { list } = fakeLister(['s:instance:a', 's:instance:b', 's:instance:c'])
    const dir = new InstanceDirectory(list)
    await dir.instances('s', 1000)
    const picks = Array.from({ length: 9 }, () => dir.next('s'))
    const counts = new Map<string, number>()
    for (const p of picks) counts.set(p ?? '', (counts.get(p ?? '') ?? 0) + 1)
    expect(counts).toEqual(
      new Map([
        ['s:instance:a', 3],
        ['s:instance:b', 3],
        ['s:instance:c', 3],
      ]),
    )
    // Consecutive picks differ: it is a rotation, not a random draw.
    expect(new Set(picks.slice(0, 3)).size).toBe(3)
  })

  test('serves the cache while fresh, and refreshes in the background once stale', async () => {
    let now = 0
    const { state, list } = fakeLister(['s:instance:a'])
    const dir = new InstanceDirectory(list, () => now)
    await dir.instances('s', 1000)
    now = 500
    await dir.instances('s', 1000)
    expect(state.calls).toHaveLength(1)
    state.channels = ['s:instance:a', 's:instance:b']
    now = 1000
    // Stale: the old list is served at once, and a refresh starts.
    expect(await dir.instances('s', 1000)).toEqual(['s:instance:a'])
    expect(state.calls).toHaveLength(2)
    await Promise.resolve()
    expect(await dir.instances('s', 1000)).toEqual(['s:instance:a', 's:instance:b'])
  })

  test('concurrent first lookups share one PUBSUB CHANNELS call, and all wait for it', async () => {
    const gate = deferred<string[]>()
    const calls: string[] = []
    const dir = new InstanceDirectory((pattern) => {
      calls.push(pattern)
      return gate.promise
    })
    const a = dir.instances('s', 1000)
    const b = dir.instances('s', 1000)
    gate.resolve(['s:instance:x'])
    expect(await a).toEqual(['s:instance:x'])
    expect(await b).toEqual(['s:instance:x'])
    expect(calls).toHaveLength(1)
  })

  test('evict() drops a dead instance from the rotation at once', async () => {
    const { list } = fakeLister(['s:instance:a', 's:instance:b'])
    const dir = new InstanceDirectory(list)
    await dir.instances('s', 60_000)
    dir.evict('s', 's:instance:a')
    expect([dir.next('s'), dir.next('s'), dir.next('s')]).toEqual([
      's:instance:b',
      's:instance:b',
      's:instance:b',
    ])
    dir.evict('s', 's:instance:b')
    expect(dir.next('s')).toBeUndefined()
  })

  test('a failed lookup rejects, and the next call tries again', async () => {
    let fail = true
    const dir = new InstanceDirectory(async () => {
      if (fail) throw new Error('down')
      return ['s:instance:a']
    })
    await expect(dir.instances('s', 1000)).rejects.toThrow('down')
    fail = false
    expect(await dir.instances('s', 1000)).toEqual(['s:instance:a'])
  })
})
