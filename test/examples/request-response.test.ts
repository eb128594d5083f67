import { expect, test } from 'vitest'
import { main } from '../../examples/request-response.js'
import { uniq } from '../helpers/wait.js'

test('examples/request-response: answers come back by id; silence ends in a timeout; no listener fails at once', async () => {
  const result = await main({ url: `memory://${uniq('rr')}`, print: () => {} })
  expect(result.answers).toEqual([
    ['Paris', 'sunny, 24°C'],
    ['Oslo', 'snow, -3°C'],
    ['Atlantis', 'failed: no answer about Atlantis within 300 ms'],
    ['Paris', 'failed: no weather service is listening'],
  ])
})
