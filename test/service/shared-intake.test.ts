import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import type { RpcRequest } from '../../src/rpc/envelope.js'
import {
  hashId,
  preferredInstance,
  SharedIntake,
  type SharedIntakeHost,
} from '../../src/service/shared-intake.js'

function request(id: string): RpcRequest {
  return {
    action: 'a',
    payload: null,
    replyTo: 'caller:x',
    requestId: id,
    service: 's',
    deadline: undefined,
    headers: undefined,
  }
}

/** A host whose claims settle when the test says, and which records what it was asked. */
function fakeHost(preferredIds: Set<string>) {
  const claims: Array<{ id: string; settle: (won: boolean) => void }> = []
  const admitted: string[] = []
  /** What the intake let go, as `id:reason`. */
  const skipped: string[] = []
  let running = 0
  const host: SharedIntakeHost = {
    claim: (r) => new Promise((resolve) => claims.push({ id: String(r.requestId), settle: resolve })),
    preferred: (r) => preferredIds.has(String(r.requestId)),
    running: () => running,
    admit: (r) => {
      admitted.push(String(r.requestId))
      running += 1
    },
    settled: () => {},
    skipped: (r, reason) => skipped.push(`${r.requestId}:${reason}`),
  }
  return {
    host,
    claims,
    admitted,
    skipped,
    finish: () => {
      running -= 1
    },
  }
}

const config = {
  concurrency: 2,
  maxHeld: 100,
  graceMs: 50,
  maxWaitMs: 1000,
  log: new ConsoleLogger('silent'),
}
const flush = () => new Promise((r) => setImmediate(r))

describe('SharedIntake (the I/O is the injected claim)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('the preferred instance claims at once; a won claim is admitted, a lost one counted', async () => {
    const { host, claims, admitted, skipped } = fakeHost(new Set(['r1', 'r2']))
    const intake = new SharedIntake(host, config)
    intake.offer(request('r1'))
    intake.offer(request('r2'))
    expect(claims.map((c) => c.id)).toEqual(['r1', 'r2'])
    claims[0]?.settle(true)
    claims[1]?.settle(false)
    await flush()
    expect(admitted).toEqual(['r1'])
    expect(skipped).toEqual(['r2:claimed_elsewhere'])
  })

  test('another instance waits out the grace period before it claims, as a fallback', async () => {
    const { host, claims } = fakeHost(new Set())
    const intake = new SharedIntake(host, config)
    intake.offer(request('r1'))
    expect(claims).toHaveLength(0)
    expect(intake.held).toBe(1)
    vi.advanceTimersByTime(49)
    expect(claims).toHaveLength(0)
    vi.advanceTimersByTime(1)
    expect(claims.map((c) => c.id)).toEqual(['r1'])
  })

  test('without a free slot a request is parked, and claimed when a slot frees', async () => {
    const { host, claims, admitted, finish } = fakeHost(new Set(['a', 'b', 'c']))
    const intake = new SharedIntake(host, config)
    for (const id of ['a', 'b', 'c']) intake.offer(request(id))
    expect(claims.map((c) => c.id)).toEqual(['a', 'b'])
    expect(intake.held).toBe(1)
    claims[0]?.settle(true)
    claims[1]?.settle(true)
    await flush()
    expect(admitted).toEqual(['a', 'b'])
    expect(claims).toHaveLength(2)
    finish()
    intake.pump()
    expect(claims.map((c) => c.id)).toEqual(['a', 'b', 'c'])
  })

  test('each wait holds maxHeld at most: one more request is claimed at once instead', () => {
    const { host, claims } = fakeHost(new Set(['p1', 'p2', 'p3', 'p4', 'p5']))
    const intake = new SharedIntake(host, { ...config, concurrency: 1, maxHeld: 2 })
    // Not preferred: two wait out the grace period, the third is claimed (and takes the one slot).
    for (const id of ['d1', 'd2', 'd3']) intake.offer(request(id))
    expect(claims.map((c) => c.id)).toEqual(['d3'])
    // No free slot: two are parked, the third is claimed anyway.
    for (const id of ['p1', 'p2', 'p3']) intake.offer(request(id))
    expect(claims.map((c) => c.id)).toEqual(['d3', 'p3'])
    expect(intake.held).toBe(4)
  })

  test('a cancel drops a held request, and a request cancelled during its claim is not admitted', async () => {
    const { host, claims, admitted, skipped } = fakeHost(new Set(['claimed']))
    const intake = new SharedIntake(host, config)
    intake.offer(request('claimed'))
    intake.offer(request('deferred'))
    expect(intake.cancel('caller:x', 'claimed')).toBe(true)
    expect(intake.cancel('caller:x', 'deferred')).toBe(true)
    expect(intake.cancel('caller:x', 'unknown')).toBe(false)
    claims[0]?.settle(true)
    vi.advanceTimersByTime(50)
    await flush()
    expect(admitted).toEqual([])
    expect(claims).toHaveLength(1)
    expect(skipped.sort()).toEqual(['claimed:cancelled', 'deferred:cancelled'])
  })

  test('a request parked past maxWaitMs is dropped rather than claimed late', async () => {
    const { host, claims, finish, skipped } = fakeHost(new Set(['a', 'b', 'old']))
    const intake = new SharedIntake(host, { ...config, maxWaitMs: 100 })
    for (const id of ['a', 'b', 'old']) intake.offer(request(id))
    claims[0]?.settle(true)
    claims[1]?.settle(true)
    await flush()
    vi.advanceTimersByTime(101)
    finish()
    intake.pump()
    expect(claims).toHaveLength(2)
    expect(skipped).toEqual(['old:expired'])
  })

  test('clear() forgets what is held', () => {
    const { host, claims } = fakeHost(new Set())
    const intake = new SharedIntake(host, config)
    intake.offer(request('r1'))
    intake.clear()
    vi.advanceTimersByTime(100)
    expect(claims).toHaveLength(0)
    expect(intake.held).toBe(0)
  })
})

describe('preference by request_id', () => {
  test('every instance computes the same preferred instance', () => {
    const channels = ['s:instance:a', 's:instance:b', 's:instance:c']
    expect(preferredInstance(channels, 'req-1')).toBe(preferredInstance([...channels], 'req-1'))
    expect(preferredInstance([], 'req-1')).toBeUndefined()
    expect(hashId('abc')).toBe(hashId('abc'))
  })

  test('request ids spread evenly over the instances', () => {
    const channels = ['s:instance:a', 's:instance:b', 's:instance:c']
    const counts = new Map<string, number>()
    for (let i = 0; i < 9_000; i++) {
      const pick = preferredInstance(channels, crypto.randomUUID()) ?? ''
      counts.set(pick, (counts.get(pick) ?? 0) + 1)
    }
    for (const channel of channels) expect(counts.get(channel)).toBeGreaterThan(2_700)
  })
})
