import { describe, expect, it } from 'vitest'
import { InvalidArgumentError, MalformedMessageError, SubscriberError } from '../../src/errors.js'
import { completeInstrumentation, NO_INSTRUMENTATION } from '../../src/observe/instrumentation.js'
import { StatsRecorder } from '../../src/observe/stats-recorder.js'
import { NO_SPAN, type Tracer } from '../../src/observe/tracer.js'
import { recording } from './recording-instrumentation.js'

/** A tracer that begins no span: enough to tell an instrumentation that brings one. */
function spanlessTracer(): Tracer {
  return {
    publish: () => NO_SPAN,
    deliver: () => NO_SPAN,
    request: () => NO_SPAN,
    handle: () => NO_SPAN,
    produce: () => NO_SPAN,
    consume: () => NO_SPAN,
  }
}

describe('StatsRecorder', () => {
  it('counts messages, not calls, drops by reason, and errors and outcomes by code', () => {
    const stats = new StatsRecorder()
    stats.published('a', 1)
    stats.published('b', 3)
    stats.delivered('a', undefined)
    stats.dropped('overflow', 50)
    stats.dropped('closed', 2)
    stats.dropped('overflow', 1)
    stats.reported(new MalformedMessageError('bad'))
    stats.reported(new SubscriberError('a', new Error('boom')))
    stats.reported(new SubscriberError('a', new Error('boom')))
    stats.link('disconnected')
    stats.link('reconnected')
    stats.called('svc', 'act', 'timeout', 5)
    stats.handled('svc', 'act', 'unknown_action', 1)
    stats.skipped('svc', 'act', 'claimed_elsewhere')
    expect(stats.publishedCount).toBe(4)
    expect(stats.deliveredCount).toBe(1)
    expect(stats.droppedCount()).toBe(53)
    expect(stats.droppedCount('overflow')).toBe(51)
    expect(stats.droppedCount('late')).toBe(0)
    expect(stats.errorCount('MALFORMED_MESSAGE')).toBe(1)
    expect(stats.errorCount('SUBSCRIBER')).toBe(2)
    expect(stats.errorCount('TIMEOUT')).toBe(0)
    expect(stats.reconnectCount).toBe(1)
    expect(stats.callCount('timeout')).toBe(1)
    expect(stats.callCount('success')).toBe(0)
    expect(stats.handledCount('unknown_action')).toBe(1)
    expect(stats.skippedCount('claimed_elsewhere')).toBe(1)
  })

  it('passes every call on to the next instrumentation, unchanged', () => {
    const { heard, instrumentation } = recording()
    const stats = new StatsRecorder(instrumentation)
    const error = new MalformedMessageError('bad')
    stats.published('a', 2)
    stats.delivered('a', 'a*')
    stats.dropped('overflow', 1)
    stats.reported(error)
    stats.link('reconnected')
    stats.called('s', 'x', 'success', 3)
    stats.handled('s', 'x', 'success', 2)
    stats.skipped('s', 'x', 'expired')
    stats.load('s', 'i1', 4, 7)
    expect(heard).toEqual([
      ['published', 'a', 2],
      ['delivered', 'a', 'a*'],
      ['dropped', 'overflow', 1],
      ['reported', error],
      ['link', 'reconnected'],
      ['called', 's', 'x', 'success', 3],
      ['handled', 's', 'x', 'success', 2],
      ['skipped', 's', 'x', 'expired'],
      ['load', 's', 'i1', 4, 7],
    ])
  })

  it('chained recorders: each view counts its share, the one it passes on to counts the sum', () => {
    const bus = new StatsRecorder()
    const a = new StatsRecorder(bus)
    const b = new StatsRecorder(bus)
    a.delivered('x', undefined)
    a.dropped('overflow', 3)
    b.delivered('y', undefined)
    b.reported(new SubscriberError('y', new Error('boom')))
    expect([a.deliveredCount, b.deliveredCount, bus.deliveredCount]).toEqual([1, 1, 2])
    expect([a.droppedCount(), b.droppedCount(), bus.droppedCount()]).toEqual([3, 0, 3])
    expect([a.errorCount('SUBSCRIBER'), b.errorCount('SUBSCRIBER'), bus.errorCount('SUBSCRIBER')]).toEqual([
      0, 1, 1,
    ])
  })

  it('listening: true only when something past the recorders hears, so durations are timed only then', () => {
    const silent = new StatsRecorder(new StatsRecorder())
    const heard = new StatsRecorder(new StatsRecorder(recording().instrumentation))
    expect([silent.listening, heard.listening]).toEqual([false, true])
  })

  it('listening: false behind an instrumentation that only brings a tracer, true once events are heard too', () => {
    const tracer = spanlessTracer()
    const tracing = new StatsRecorder(completeInstrumentation({ tracer }))
    const both = new StatsRecorder(completeInstrumentation([{ tracer }, recording().instrumentation]))
    expect([tracing.listening, both.listening]).toEqual([false, true])
    // The tracer still reaches the layers.
    expect([tracing.tracer, both.tracer]).toEqual([tracer, tracer])
  })

  it('has a default that does nothing and cannot be changed', () => {
    expect(Object.isFrozen(NO_INSTRUMENTATION)).toBe(true)
    expect(() => NO_INSTRUMENTATION.published('a', 1)).not.toThrow()
  })
})

describe('completeInstrumentation', () => {
  it('fills the events a partial instrumentation lacks with no-ops, and keeps `this` for the rest', () => {
    class Counter {
      published = 0
      countPublished(): void {
        this.published += 1
      }
    }
    const counter = new Counter()
    const partial = {
      counter,
      published(this: { counter: Counter }) {
        this.counter.countPublished()
      },
    }
    const whole = completeInstrumentation(partial)
    whole.published('a', 1)
    expect(() => whole.delivered('a', undefined)).not.toThrow()
    expect(() => whole.load('s', 'i', 1, 0)).not.toThrow()
    expect(counter.published).toBe(1)
    expect(completeInstrumentation(undefined)).toBe(NO_INSTRUMENTATION)
  })

  it('refuses what is not an instrumentation with InvalidArgumentError', () => {
    expect(() => completeInstrumentation('metrics' as never)).toThrow(InvalidArgumentError)
    expect(() => completeInstrumentation({ published: 42 } as never)).toThrow(
      /instrumentation.published must be a function, got number/,
    )
  })
})
