import { expect, test } from 'vitest'
import { main } from '../../examples/daebus/heartbeat.js'
import { uniq } from '../helpers/wait.js'

test('examples/daebus/heartbeat: a background task broadcasts heartbeats that a listener receives in order', async () => {
  const { received } = await main({
    url: `memory://${uniq('hb')}`,
    print: () => {},
    intervalMs: 10,
    beats: 3,
  })
  expect(received.map((h) => [h.service, h.seq])).toEqual([
    ['worker', 1],
    ['worker', 2],
    ['worker', 3],
  ])
  expect(received[0]?.at).toBeLessThanOrEqual(received[2]?.at ?? 0)
})
