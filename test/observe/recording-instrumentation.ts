import type { Instrumentation } from '../../src/observe/instrumentation.js'

/** One call an instrumentation heard: the event's name, then its arguments. */
export type Heard = [event: keyof Instrumentation, ...args: unknown[]]

/** An instrumentation that keeps every call it hears, in order, to assert what a layer reported. */
export function recording(): {
  heard: Heard[]
  instrumentation: Instrumentation
  of(event: keyof Instrumentation): unknown[][]
} {
  const heard: Heard[] = []
  const keep =
    (event: keyof Instrumentation) =>
    (...args: unknown[]): void => {
      heard.push([event, ...args])
    }
  return {
    heard,
    instrumentation: {
      published: keep('published'),
      delivered: keep('delivered'),
      dropped: keep('dropped'),
      reported: keep('reported'),
      link: keep('link'),
      called: keep('called'),
      handled: keep('handled'),
      skipped: keep('skipped'),
      load: keep('load'),
      consumed: keep('consumed'),
      topicOpened: keep('topicOpened'),
      topicClosed: keep('topicClosed'),
    },
    /** The arguments of each call of one event, in order. */
    of: (event) => heard.filter((h) => h[0] === event).map((h) => h.slice(1)),
  }
}
