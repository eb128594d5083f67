import { describe, expect, it } from 'vitest'
import { LINKS, LinkMonitor } from '../../src/transport/redis/link-monitor.js'

describe('LinkMonitor', () => {
  const boom = new Error('boom')

  it('reports one disconnected and one reconnected when both connections drop and return', () => {
    const m = new LinkMonitor()
    expect(m.down(LINKS.commands, boom)).toEqual({ type: 'disconnected', error: boom })
    expect(m.down(LINKS.subscriber, new Error('second'))).toBeUndefined()
    expect(m.up(LINKS.commands)).toBeUndefined()
    expect(m.isDown).toBe(true)
    expect(m.up(LINKS.subscriber)).toEqual({ type: 'reconnected' })
    expect(m.isDown).toBe(false)
  })

  it('reports a single connection that drops and returns', () => {
    const m = new LinkMonitor()
    expect(m.down(LINKS.subscriber, boom)).toEqual({ type: 'disconnected', error: boom })
    expect(m.isLinkDown(LINKS.subscriber)).toBe(true)
    expect(m.isLinkDown(LINKS.commands)).toBe(false)
    expect(m.up(LINKS.subscriber)).toEqual({ type: 'reconnected' })
  })

  it('says nothing for a connection that comes up without having dropped', () => {
    const m = new LinkMonitor()
    expect(m.up(LINKS.commands)).toBeUndefined()
  })

  it('holds reconnected back while the other connection is still down, whatever the order', () => {
    const m = new LinkMonitor()
    m.down(LINKS.subscriber, boom)
    expect(m.up(LINKS.subscriber)).toEqual({ type: 'reconnected' })
    expect(m.down(LINKS.commands, boom)).toEqual({ type: 'disconnected', error: boom })
    expect(m.down(LINKS.subscriber, boom)).toBeUndefined()
    expect(m.up(LINKS.subscriber)).toBeUndefined()
    expect(m.up(LINKS.commands)).toEqual({ type: 'reconnected' })
  })
})
