import { expect, test } from 'vitest'
import { main } from '../../examples/daebus/process-data.js'
import { uniq } from '../helpers/wait.js'

test('examples/daebus/process-data: a result for good input, an error reply with its code for empty input', async () => {
  const result = await main({ url: `memory://${uniq('pd')}`, print: () => {} })
  expect(result).toEqual({
    ok: { count: 3, sum: 15, mean: 5 },
    error: { message: 'process_data needs a non-empty "data" array', code: 'EMPTY_INPUT' },
  })
})
