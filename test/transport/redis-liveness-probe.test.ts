import { describe, expect, it } from 'vitest'
import { LivenessProbe } from '../../src/transport/redis/liveness-probe.js'

describe('LivenessProbe (no server)', () => {
  function harness(timeoutMs: number, options: { deferReads?: boolean } = {}) {
    let now = 0
    let pings = 0
    let heard = 0
    let answer: (() => void) | undefined
    let fail: ((error: Error) => void) | undefined
    const dead: number[] = []
    const deferred: Array<() => void> = []
    const probe = new LivenessProbe({
      timeoutMs,
      ping: () => {
        pings += 1
        return new Promise<void>((resolve, reject) => {
          answer = resolve
          fail = reject
        })
      },
      heard: () => heard,
      onDead: (waited) => dead.push(waited),
      now: () => now,
      afterReads: (verdict) => (options.deferReads ? deferred.push(verdict) : verdict()),
    })
    const turns = async () => {
      for (let i = 0; i < 3; i++) await Promise.resolve()
    }
    return {
      probe,
      dead,
      deferred,
      pings: () => pings,
      advance: (ms: number) => {
        now += ms
      },
      hear: () => {
        heard += 1
      },
      answer: async () => {
        answer?.()
        await turns()
      },
      fail: async () => {
        fail?.(new Error('gone'))
        await turns()
      },
    }
  }

  it('declares the link dead once a PING has waited timeoutMs, and never sends two at once', () => {
    const h = harness(1000)
    h.probe.tick()
    h.advance(999)
    h.probe.tick()
    expect(h.dead).toEqual([])
    expect(h.pings()).toBe(1)
    h.advance(1)
    h.probe.tick()
    expect(h.dead).toEqual([1000])
  })

  it('an answered PING clears the wait, and the next tick sends another', async () => {
    const h = harness(1000)
    h.probe.tick()
    await h.answer()
    h.advance(5000)
    h.probe.tick()
    expect(h.dead).toEqual([])
    expect(h.pings()).toBe(2)
  })

  it('a link that keeps receiving is alive, only behind: the wait restarts from the check that saw it', () => {
    const h = harness(1000)
    h.probe.tick()
    h.advance(900)
    h.hear()
    h.advance(900)
    h.probe.tick()
    expect(h.dead).toEqual([])
    h.advance(1000)
    h.probe.tick()
    expect(h.dead).toEqual([1000])
    expect(h.pings()).toBe(1)
  })

  it('judges only after pending reads: an answer read meanwhile saves the link', async () => {
    const h = harness(1000, { deferReads: true })
    h.probe.tick()
    h.advance(5000)
    h.probe.tick()
    expect(h.deferred).toHaveLength(1)
    // The event loop was blocked; the PONG was waiting in the socket and is read now.
    await h.answer()
    h.deferred.shift()?.()
    expect(h.dead).toEqual([])
    // Something arriving without the answer also counts.
    h.probe.tick()
    h.advance(5000)
    h.probe.tick()
    h.hear()
    h.deferred.shift()?.()
    expect(h.dead).toEqual([])
  })

  it('confirm() resolves true on the answer, false when the link is found dead or goes away', async () => {
    const h = harness(1000)
    const first = h.probe.confirm()
    expect(h.pings()).toBe(1)
    await h.answer()
    expect(await first).toBe(true)

    const second = h.probe.confirm()
    // A confirm while a PING is in flight waits on that one rather than sending another.
    const third = h.probe.confirm()
    expect(h.pings()).toBe(2)
    h.advance(1000)
    h.probe.tick()
    expect(await second).toBe(false)
    expect(await third).toBe(false)
    expect(h.dead).toEqual([1000])

    const fourth = h.probe.confirm()
    await h.fail()
    expect(await fourth).toBe(false)
    const fifth = h.probe.confirm()
    h.probe.stop()
    expect(await fifth).toBe(false)
  })

  it('is off at timeoutMs 0: no PING, and confirm() is true', async () => {
    const h = harness(0)
    expect(await h.probe.confirm()).toBe(true)
    expect(h.pings()).toBe(0)
  })
})
