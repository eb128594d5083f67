import { describe, expect, test } from 'vitest'
import type { RpcResponse } from '../../src/rpc/envelope.js'
import { type PendingRequest, PendingRequests } from '../../src/rpc/pending-requests.js'

function recorder(): PendingRequest & { events: string[] } {
  const events: string[] = []
  return {
    events,
    progress: (payload) => events.push(`progress:${JSON.stringify(payload)}`),
    settle: (response) => events.push(`${response.status}:${JSON.stringify(response.payload)}`),
  }
}

const response = (
  requestId: string,
  final: boolean,
  payload: unknown,
  status: RpcResponse['status'] = 'success',
) => ({
  requestId,
  final,
  payload,
  status,
})

describe('PendingRequests (no I/O)', () => {
  test('routes progress, then the final response, to the request with that id', () => {
    const table = new PendingRequests()
    const a = recorder()
    const b = recorder()
    table.add('a', a)
    table.add('b', b)
    expect(table.route(response('a', false, 1))).toBe('progress')
    expect(table.route(response('b', true, 'B'))).toBe('final')
    expect(table.route(response('a', false, 2))).toBe('progress')
    expect(table.route(response('a', true, 'A'))).toBe('final')
    expect(a.events).toEqual(['progress:1', 'progress:2', 'success:"A"'])
    expect(b.events).toEqual(['success:"B"'])
    expect(table.size).toBe(0)
  })

  test('a final response removes the request: anything after it is late', () => {
    const table = new PendingRequests()
    table.add('a', recorder())
    table.route(response('a', true, 'done'))
    expect(table.has('a')).toBe(false)
    expect(table.route(response('a', true, 'again'))).toBe('late')
  })

  test('replies for removed (timed out, cancelled) or unknown requests are late, and reach nobody', () => {
    const table = new PendingRequests()
    const a = recorder()
    table.add('a', a)
    expect(table.remove('a')).toBe(true)
    expect(table.remove('a')).toBe(false)
    expect(table.route(response('a', false, 1))).toBe('late')
    expect(table.route(response('zzz', true, 1))).toBe('late')
    expect(a.events).toEqual([])
  })

  test('a duplicate id is a bug and throws', () => {
    const table = new PendingRequests()
    table.add('a', recorder())
    expect(() => table.add('a', recorder())).toThrow(/already pending/)
  })

  test('drain() empties the table and hands back every request', () => {
    const table = new PendingRequests()
    const a = recorder()
    const b = recorder()
    table.add('a', a)
    table.add('b', b)
    expect(table.drain()).toEqual([a, b])
    expect(table.size).toBe(0)
  })

  test('10,000 interleaved requests each get exactly their own responses', () => {
    const table = new PendingRequests()
    const got = new Map<string, unknown[]>()
    for (let i = 0; i < 10_000; i++) {
      const id = `r${i}`
      got.set(id, [])
      table.add(id, { progress: (p) => got.get(id)?.push(p), settle: (r) => got.get(id)?.push(r.payload) })
    }
    for (let i = 9_999; i >= 0; i--) table.route(response(`r${i}`, false, -i))
    const outcomes = new Set<string>()
    for (let i = 0; i < 10_000; i++) outcomes.add(table.route(response(`r${i}`, true, i)))
    const wrong = [...got].filter(([id, values]) => {
      const i = Number(id.slice(1))
      return values.length !== 2 || values[0] !== -i || values[1] !== i
    })
    expect(wrong).toEqual([])
    expect(table.size).toBe(0)
    expect(outcomes).toEqual(new Set(['final']))
  })
})
