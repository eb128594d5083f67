import { expect, test } from 'vitest'
import { main } from '../../examples/publish-ack.js'
import { uniq } from '../helpers/wait.js'

test('examples/publish-ack: waits for one ack per receiver and republishes when one is missing', async () => {
  const lines: string[] = []
  const result = await main({ url: `memory://${uniq('ack')}`, print: (line) => lines.push(line) })
  for (const id of [1, 2, 3]) expect(result.acked[id]).toEqual(['audit', 'billing'])
  expect(result.retried).toEqual([2])
  // The retry is not processed twice by the consumer that had already done it.
  expect(result.processed).toEqual({ billing: [1, 2, 3], audit: [1, 2, 3] })
  expect(lines).toContain('invoice 2: 1 of 2 acks — timed out')
})
