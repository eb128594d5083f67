import { expect, test } from 'vitest'
import { main } from '../../examples/task-fanout.js'
import { uniq } from '../helpers/wait.js'

test('examples/task-fanout: workers split the tasks and run high before normal before low', async () => {
  const result = await main({ url: `memory://${uniq('tasks')}`, print: () => {} })
  expect(result.ran).toEqual({
    'worker-1': ['high #4', 'normal #2'],
    'worker-2': ['high #7', 'normal #5', 'low #1', 'low #3'],
  })
})
