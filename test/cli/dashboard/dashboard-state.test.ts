import { describe, expect, test } from 'vitest'
import { DashboardState } from '../../../src/cli/dashboard/dashboard-state.js'
import { RateWindow } from '../../../src/cli/dashboard/rate-window.js'
import { TopicInfos } from '../../../src/cli/dashboard/topic-infos.js'
import { type WireError, WireRequests } from '../../../src/cli/dashboard/wire-requests.js'
import { type ProcessReport, REPORT_CHANNEL } from '../../../src/observe/process-report.js'

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))
const T0 = 1_800_000_000_000

describe('RateWindow', () => {
  test('rate over the last complete seconds, a minute of history, idle after it', () => {
    const w = new RateWindow(T0)
    for (let s = 0; s < 5; s++) for (let i = 0; i < 10; i++) w.add(T0 + s * 1000)
    expect(w.rate(T0 + 5000)).toBe(10)
    expect(w.history(T0 + 5000)).toHaveLength(59)
    expect(w.total).toBe(50)
    expect(w.idle(T0 + 70_000)).toBe(true)
  })
})

describe('WireRequests', () => {
  test('matches Daebus requests to their final responses: rate, errors, latency, error messages', () => {
    const errors: WireError[] = []
    let clock = 0
    const wire = new WireRequests(
      (e) => errors.push(e),
      () => clock,
    )
    const request = (id: string, action: string) =>
      json({ action, payload: { secret: 1 }, reply_to: 'caller:x', request_id: id, service: 'inventory' })
    wire.see('inventory', request('1', 'count'), T0)
    clock = 4
    wire.see('caller:x', json({ status: 'success', payload: 3, request_id: '1', final: false }), T0)
    expect(wire.rows(T0)[0]?.p50Ms).toBeUndefined()
    wire.see('caller:x', json({ status: 'success', payload: 3, request_id: '1', final: true }), T0)
    wire.see('inventory', request('2', 'count'), T0)
    clock = 10
    wire.see(
      'caller:x',
      json({
        status: 'error',
        payload: { error: 'no such sku', code: 'NOT_FOUND' },
        request_id: '2',
        final: true,
      }),
      T0,
    )
    wire.see('inventory', new TextEncoder().encode('not json'), T0)
    const [row] = wire.rows(T0 + 1000)
    expect(row).toMatchObject({
      service: 'inventory',
      action: 'count',
      requests: 2,
      errors: 1,
      p50Ms: 4,
      p99Ms: 6,
    })
    expect(errors).toEqual([
      { at: T0, code: 'NOT_FOUND', message: 'no such sku', service: 'inventory', action: 'count' },
    ])
  })
})

describe('DashboardState', () => {
  const report = (over: Partial<ProcessReport>): ProcessReport => ({
    v: 1,
    process: 'vm:1:abc',
    name: 'worker',
    pid: 1,
    host: 'vm',
    at: T0,
    intervalMs: 1000,
    totals: { published: 1, delivered: 2, malformed: 0, dropped: 0, reconnects: 0 },
    actions: [],
    instances: [],
    patterns: [],
    errors: [],
    topics: [],
    ...over,
  })

  test('instances from instance channels; the rest of a service channel’s subscribers are Daebus ones', () => {
    const state = new DashboardState({ url: 'redis://x', showPayloads: false, now: T0 })
    state.refreshed(
      new Map([
        ['billing', 3],
        ['py_inventory', 1],
      ]),
      ['billing:instance:a', 'billing:instance:b'],
    )
    state.message('py_inventory', json({ action: 'count', reply_to: 'caller:1', request_id: 'r1' }), T0)
    const { services } = state.snapshot(T0)
    expect(services.find((s) => s.service === 'billing')).toMatchObject({ instances: ['a', 'b'], other: 1 })
    expect(services.find((s) => s.service === 'py_inventory')).toMatchObject({ instances: [], other: 1 })
  })

  test('reports: processes, handler p99, errors, expiry after three missed reports', () => {
    const state = new DashboardState({ url: 'redis://x', showPayloads: false, now: T0 })
    state.message('billing', json({ action: 'charge', reply_to: 'caller:1', request_id: 'r1' }), T0)
    const r = report({
      actions: [
        { role: 'handled', service: 'billing', action: 'charge', count: 1, errors: 0, p50Ms: 2, p99Ms: 9 },
      ],
      errors: [{ at: T0, code: 'TIMEOUT', message: 'request to a.b: timeout after 5000 ms' }],
      topics: ['orders'],
    })
    state.message(REPORT_CHANNEL, json(r), T0)
    const snap = state.snapshot(T0 + 500)
    expect(snap.processes.map((p) => p.name)).toEqual(['worker'])
    expect(snap.services[0]?.actions[0]?.handlerP99Ms).toBe(9)
    expect(snap.errors[0]).toMatchObject({ code: 'TIMEOUT', process: 'vm:1:abc' })
    expect(state.topicNames()).toEqual(['orders'])
    expect(state.snapshot(T0 + 3500).processes).toEqual([])
  })

  test('payloads only with showPayloads; the link state follows the bus events', () => {
    const hidden = new DashboardState({ url: 'redis://x', showPayloads: false, now: T0 })
    const shown = new DashboardState({ url: 'redis://x', showPayloads: true, now: T0 })
    for (const state of [hidden, shown]) state.message('news', json({ headline: 'PRIVATE' }), T0)
    expect(JSON.stringify(hidden.snapshot(T0))).not.toContain('PRIVATE')
    expect(shown.snapshot(T0).channels[0]?.preview).toContain('PRIVATE')
    hidden.linkDown(T0 + 1, new Error('socket closed'))
    expect(hidden.snapshot(T0 + 1).link).toMatchObject({ state: 'reconnecting', error: 'socket closed' })
    hidden.linkUp(T0 + 2)
    expect(hidden.snapshot(T0 + 2).link).toEqual({ state: 'connected', since: T0 + 2, reconnects: 1 })
  })
})

describe('TopicInfos', () => {
  test('no durable topics on a bus without topic(); info() of each named topic on one with it', async () => {
    expect(await new TopicInfos({}).read(['orders'])).toEqual({ supported: false, list: [] })
    const opened: string[] = []
    const bus = {
      topic(name: string) {
        opened.push(name)
        return {
          info: async () => ({
            length: 12,
            scheduled: 2,
            groups: [{ name: 'billing', pending: 3, lag: 4, consumers: 1, deadLetters: 1 }],
          }),
        }
      },
    }
    const infos = new TopicInfos(bus)
    await infos.read(['orders'])
    const read = await infos.read(['orders'])
    expect(read.list).toEqual([
      {
        name: 'orders',
        length: 12,
        scheduled: 2,
        groups: [{ name: 'billing', pending: 3, lag: 4, consumers: 1, deadLetters: 1 }],
      },
    ])
    expect(opened).toEqual(['orders'])
  })
})
