import { expect, test } from 'vitest'
import type { Topic } from '../../src/durable/topic.js'
import { ConnectionError, HubStepError, type SwitchboardError } from '../../src/errors.js'
import { EventClaims } from '../../src/hub/event-claims.js'
import { EventIntake } from '../../src/hub/event-intake.js'
import type { HubContext } from '../../src/hub/hub-context.js'
import type { HubJob } from '../../src/hub/hub-job.js'
import { HubCounters } from '../../src/hub/hub-stats.js'
import { parseRoutes } from '../../src/hub/parse-routes.js'
import type { Message } from '../../src/pubsub/message.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const message = (channel: string, data: unknown): Message<unknown> => ({
  channel,
  channelBytes: bytes(channel),
  data,
  raw: bytes(JSON.stringify(data)),
})

test('an event the broker cannot claim (it is down) is counted as failed and reported; nothing is written', async () => {
  const reported: SwitchboardError[] = []
  const published: unknown[] = []
  const context = {
    claim: () => Promise.reject(new ConnectionError('connection lost')),
    reportError: (error: SwitchboardError) => reported.push(error),
  } as unknown as HubContext
  const topic = { publish: (job: unknown) => published.push(job) } as unknown as Topic<HubJob>
  const counters = new HubCounters()
  const routes = parseRoutes('routes:\n  e:\n    - publish: out\n').routes
  if (!routes) throw new Error('no routes')
  await new EventIntake(context, topic, counters, new EventClaims(context, 1000)).route(
    routes,
    message('e', { n: 1 }),
  )
  expect(published).toEqual([])
  expect(counters.snapshot(['e']).e).toMatchObject({ matched: 0, failed: 1 })
  expect(reported).toHaveLength(1)
  expect(reported[0]).toBeInstanceOf(HubStepError)
  expect(reported[0]?.message).toBe(
    'route e, step "claim the event" could not run: CONNECTION: connection lost',
  )
})
