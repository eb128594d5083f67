import { describe, expect, it } from 'vitest'
import { LivenessProbe } from '../../src/transport/redis/liveness-probe.js'

describe('LivenessProbe (no server)', () => {
  function harness(timeoutMs: number) {
    let now = 0
    let pings = 0
    let answer: (() => void) | undefined
    const dead: number[] = []
    const probe = new LivenessProbe(
      timeoutMs,
      () => {
        pings += 1
        return new Promise<void>((resolve) => {
          answer = resolve
        })
      },
      (waited) => dead.push(waited),
      () => now,
    )
    return {
      probe,
      dead,
      pings: () => pings,
      advance: (ms: number) => {
        now += ms
      },
      answer: async () => {
        answer?.()
        await Promise.resolve()
        await Promise.resolve()
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
})
