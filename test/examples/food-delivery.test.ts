import { describe, expect, test } from 'vitest'
import { main } from '../../examples/food-delivery.js'
import { uniq } from '../helpers/wait.js'

describe('examples/food-delivery', () => {
  test('updates reach the dashboard, each customer only their own, drivers by zone and fleet ops by pattern', async () => {
    const lines: string[] = []
    const result = await main({ url: `memory://${uniq('food')}`, print: (line) => lines.push(line) })

    // The dashboard sees every status change of both orders (6 + 5) and the kitchen alert.
    expect(result.dashboard).toHaveLength(12)
    expect(result.dashboard).toContain('ALERT #1043: out of croutons, using focaccia')
    // Each customer gets their own order's statuses, in order, and nothing of the other's.
    const lifecycle = ['placed', 'confirmed', 'preparing', 'ready_for_pickup', 'picked_up', 'delivered']
    expect(result.customers.alice).toEqual(lifecycle)
    expect(result.customers.bob).toEqual(lifecycle.filter((s) => s !== 'preparing'))
    // Drivers get the pickups of their zone only; the per-call channel did not stick.
    expect(result.drivers).toEqual({ Marco: [1042], Priya: [1043] })
    // Fleet ops sees both zones through the pattern, and knows which pattern matched.
    expect(result.fleet).toEqual([
      { channel: 'drivers:downtown', pattern: 'drivers:*' },
      { channel: 'drivers:uptown', pattern: 'drivers:*' },
    ])
    // 11 updates to two channels each, the alert, and two dispatches reaching a driver and fleet ops.
    expect(result.receivers).toBe(11 * 2 + 1 + 2 * 2)
  })

  test('prints a readable story, step by step', async () => {
    const lines: string[] = []
    await main({ url: `memory://${uniq('food')}`, print: (line) => lines.push(line) })
    const story = lines.join('\n')
    expect(lines[0]).toMatch(/^Luigi's Trattoria on memory:\/\//)
    expect(story).toContain('- alice orders #1042 (downtown)')
    expect(story).toContain("[alice's phone]")
    expect(story).toContain('your order #1042: picked up (about 10 min) — Marco is on the way')
    expect(story).toContain('[driver Marco]')
    expect(story).toContain('drivers:uptown (matched drivers:*)')
    expect(lines.at(-1)).toMatch(/^Done: \d+ deliveries/)
    // Steps are told in order: each one's lines come after its heading and before the next.
    const placed = lines.indexOf('- alice orders #1042 (downtown)')
    const confirmed = lines.indexOf('- the kitchen confirms #1042')
    expect(lines.slice(placed, confirmed).some((l) => l.includes('your order #1042: placed'))).toBe(true)
  })
})
