import { describe, expect, it } from 'vitest'
import { MalformedMessageError, SubscriberError } from '../../src/errors.js'
import { type Instrumentation, NO_INSTRUMENTATION } from '../../src/observe/instrumentation.js'
import { StatsRecorder } from '../../src/observe/stats-recorder.js'

describe('StatsRecorder', () => {
  it('counts messages, not calls, and errors by code', () => {
    const stats = new StatsRecorder()
    stats.published('a', 1)
    stats.published('b', 3)
    stats.delivered('a', undefined)
    stats.dropped('overflow', 50)
    stats.dropped('closed', 2)
    stats.reported(new MalformedMessageError('bad'))
    stats.reported(new SubscriberError('a', new Error('boom')))
    stats.reported(new SubscriberError('a', new Error('boom')))
    stats.link('disconnected')
    stats.link('reconnected')
    stats.called('svc', 'act', 'timeout', 5)
    stats.handled('svc', 'act', 'UNKNOWN_ACTION', 1)
    expect(stats.publishedCount).toBe(4)
    expect(stats.deliveredCount).toBe(1)
    expect(stats.droppedCount).toBe(52)
    expect(stats.errorCount('MALFORMED_MESSAGE')).toBe(1)
    expect(stats.errorCount('SUBSCRIBER')).toBe(2)
    expect(stats.errorCount('TIMEOUT')).toBe(0)
    expect(stats.reconnectCount).toBe(1)
    expect(stats.callCount('timeout')).toBe(1)
    expect(stats.handledCount('UNKNOWN_ACTION')).toBe(1)
  })

  it('passes every call on to the next instrumentation, unchanged', () => {
    const heard: unknown[][] = []
    const next: Instrumentation = {
      published: (...args) => heard.push(['published', ...args]),
      delivered: (...args) => heard.push(['delivered', ...args]),
      dropped: (...args) => heard.push(['dropped', ...args]),
      reported: (...args) => heard.push(['reported', ...args]),
      link: (...args) => heard.push(['link', ...args]),
      called: (...args) => heard.push(['called', ...args]),
      handled: (...args) => heard.push(['handled', ...args]),
    }
    const stats = new StatsRecorder(next)
    const error = new MalformedMessageError('bad')
    stats.published('a', 2)
    stats.delivered('a', 'a*')
    stats.dropped('overflow', 1)
    stats.reported(error)
    stats.link('reconnected')
    stats.called('s', 'x', 'success', 3)
    stats.handled('s', 'x', 'success', 2)
    expect(heard).toEqual([
      ['published', 'a', 2],
      ['delivered', 'a', 'a*'],
      ['dropped', 'overflow', 1],
      ['reported', error],
      ['link', 'reconnected'],
      ['called', 's', 'x', 'success', 3],
      ['handled', 's', 'x', 'success', 2],
    ])
  })

  it('has a default that does nothing and cannot be changed', () => {
    expect(Object.isFrozen(NO_INSTRUMENTATION)).toBe(true)
    expect(() => NO_INSTRUMENTATION.published('a', 1)).not.toThrow()
  })
})
